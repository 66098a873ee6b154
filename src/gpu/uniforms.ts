// Uniform records packed from one declared field list (no hand-written byte offsets). Each list mirrors a
// WGSL `struct Params` field for field; test/gpu/uniforms.test.ts checks them against the shader text.

/** A scalar field type of a uniform struct. */
export type FieldType = 'u32' | 'f32';

/** A packed uniform record's layout. */
export interface UniformLayout<F extends string> {
  readonly fields: readonly (readonly [F, FieldType])[];
  /** Bytes of one record (a multiple of 16). */
  readonly bytes: number;
  /** Writes a record at byte `offset`; missing fields are 0. */
  write(view: DataView, offset: number, values: Partial<Record<F, number>>): void;
}

/** The layout of a struct of 4-byte scalars, in declaration order. */
export function uniformLayout<const F extends string>(fields: readonly (readonly [F, FieldType])[]): UniformLayout<F> {
  return {
    fields,
    bytes: Math.ceil((fields.length * 4) / 16) * 16,
    write(view, offset, values) {
      fields.forEach(([name, type], i) => {
        const v = values[name] ?? 0;
        if (type === 'f32') view.setFloat32(offset + 4 * i, v, true);
        else view.setUint32(offset + 4 * i, v >>> 0, true);
      });
    },
  };
}

/** The Hyper uniform every kernel declares: the loss's, the penalty's and the optimizer's four slots each. */
export function packHyper(loss: readonly number[], penalty: readonly number[], optim: readonly number[] = [0, 0, 0, 0]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(12);
  out.set(loss.slice(0, 4));
  out.set(penalty.slice(0, 4), 4);
  out.set(optim.slice(0, 4), 8);
  return out;
}
