// The one definition of each kernel's uniform `struct Params`: a field list from which the record type, its zero
// record, the byte size, the writer of the encoding loop and the WGSL struct text all come. The writer is generated
// once per layout (an unrolled store per field, as TypeGPU's compiledIO does; ~1.6 µs per dispatch was spent walking
// a field list per write before), with a plain loop where a Content-Security-Policy forbids `new Function`.
// test/gpu/params.test.ts checks each layout's struct text against its kernel's .wgsl and the writer's bytes against
// a DataView reference, so the list and the shader cannot drift.

/** A scalar field type of a uniform struct. */
export type FieldType = 'u32' | 'f32';

/** A record of a layout's fields. */
export type ParamsRecord<F extends string> = Record<F, number>;

/** A writer: stores record `r` at 32-bit word `w` of the u32 and f32 views of the same bytes. */
export type ParamsWriter<F extends string> = (u: Uint32Array, f: Float32Array, w: number, r: ParamsRecord<F>) => void;

/** A uniform struct of 4-byte scalars, in declaration order. */
export interface ParamsLayout<F extends string> {
  /** The kernel stem whose `struct Params` this is. */
  readonly kernel: string;
  readonly fields: readonly (readonly [F, FieldType])[];
  /** Bytes of one record (a multiple of 16). */
  readonly bytes: number;
  /** A record of zeros (mutable: the encoding loop reuses one per kernel). */
  zero(): ParamsRecord<F>;
  /** Writes a full record into staging words (the encoding loop's hot path). */
  readonly write: ParamsWriter<F>;
  /** A record's bytes, fields not given being 0 (one-off dispatches and tests). */
  pack(values: Partial<ParamsRecord<F>>): ArrayBuffer;
  /** The WGSL `struct Params { … }` text of the layout. */
  wgsl(): string;
}

/** Whether typed arrays are little-endian here (WGSL's layout; every WebGPU host so far). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Stores into a Uint32Array convert like `v >>> 0`, into a Float32Array round like DataView.setFloat32: on a
// little-endian host the same bytes as a DataView write.
function generatedWriter<F extends string>(fields: readonly (readonly [F, FieldType])[]): ParamsWriter<F> | null {
  const body = fields.map(([name, type], i) => `${type === 'f32' ? 'f' : 'u'}[w + ${i}] = r[${JSON.stringify(name)}];`).join('\n');
  try {
    return new Function('u', 'f', 'w', 'r', body) as ParamsWriter<F>;
  } catch {
    return null;
  }
}

function loopWriter<F extends string>(fields: readonly (readonly [F, FieldType])[]): ParamsWriter<F> {
  return (u, f, w, r) => {
    for (let i = 0; i < fields.length; i++) {
      const [name, type] = fields[i];
      if (type === 'f32') f[w + i] = r[name];
      else u[w + i] = r[name];
    }
  };
}

/** Defines a kernel's Params layout from its field list. */
export function defineParams<const F extends string>(kernel: string, fields: readonly (readonly [F, FieldType])[]): ParamsLayout<F> {
  if (!LITTLE_ENDIAN) throw new Error('WebGPU uniforms are little-endian; this host is not');
  const bytes = Math.ceil((fields.length * 4) / 16) * 16;
  const write = generatedWriter(fields) ?? loopWriter(fields);
  const zero = () => Object.fromEntries(fields.map(([name]) => [name, 0])) as ParamsRecord<F>;
  return {
    kernel, fields, bytes, zero, write,
    pack(values) {
      const buf = new ArrayBuffer(bytes);
      write(new Uint32Array(buf), new Float32Array(buf), 0, { ...zero(), ...values });
      return buf;
    },
    wgsl: () => `struct Params {\n${fields.map(([name, type]) => `  ${name}: ${type},`).join('\n')}\n}`,
  };
}

/** The Hyper uniform every training kernel declares: the loss's, the penalty's and the optimizer's four slots each. */
export function packHyper(loss: readonly number[], penalty: readonly number[], optim: readonly number[] = [0, 0, 0, 0]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(12);
  out.set(loss.slice(0, 4));
  out.set(penalty.slice(0, 4), 4);
  out.set(optim.slice(0, 4), 8);
  return out;
}
