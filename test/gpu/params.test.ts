// Every uniform layout (src/gpu/params.ts) against its kernel: the struct text generated from the field list equals
// the `struct Params` block of the kernel's .wgsl (comments and spacing aside), and the generated writer — and the
// plain-loop writer used where `new Function` is forbidden — store the bytes a DataView reference stores.
import { describe, expect, it } from 'vitest';
import { UPDATE_PARAMS } from '../../src/gpu/apply_update';
import { GRAM_PARAMS } from '../../src/gpu/gram';
import { GRAD_PARAMS } from '../../src/gpu/linear_grad';
import { defineParams, type ParamsLayout } from '../../src/gpu/params';
import { CEILING_PARAMS } from '../../src/gpu/read_ceiling';
import { linkShader, type ShaderStem } from '../../src/gpu/shaders';
import { SPARSE_GRAD_PARAMS, SPARSE_SCATTER_PARAMS } from '../../src/gpu/sparse_grad';

const LAYOUTS: [ShaderStem, ParamsLayout<string>][] = [
  ['linear_grad', GRAD_PARAMS], ['softmax_grad', GRAD_PARAMS], ['apply_update', UPDATE_PARAMS], ['gram', GRAM_PARAMS],
  ['read_ceiling', CEILING_PARAMS], ['sparse_grad', SPARSE_GRAD_PARAMS], ['sparse_scatter', SPARSE_SCATTER_PARAMS],
];

/** A WGSL struct block without comments and with single spaces. */
const normalized = (s: string) => s.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, ' ').replace(/ ?([{},:]) ?/g, '$1').trim();

/** The `struct Params { … }` block of a kernel's linked source. */
function structBlock(stem: ShaderStem): string {
  const src = linkShader(stem, stem === 'softmax_grad' ? { loss: 'softmax' } : {});
  return /struct Params \{[^}]*\}/.exec(src)![0];
}

/** What a DataView writes for a record (the reference the writers are checked against). */
function reference(layout: ParamsLayout<string>, r: Record<string, number>): Uint8Array {
  const view = new DataView(new ArrayBuffer(layout.bytes));
  layout.fields.forEach(([name, type], i) => {
    if (type === 'f32') view.setFloat32(4 * i, r[name], true);
    else view.setUint32(4 * i, r[name] >>> 0, true);
  });
  return new Uint8Array(view.buffer);
}

/** A record of awkward values: large u32s, f32s that round, negatives and tiny numbers. */
function awkward(layout: ParamsLayout<string>): Record<string, number> {
  const out = layout.zero();
  layout.fields.forEach(([name, type], i) => {
    out[name] = type === 'f32' ? (i % 2 ? -1 / 3 : 1e-30 * (i + 1)) : (0xfffffff0 + i) >>> 0;
  });
  return out;
}

describe.each(LAYOUTS)('%s Params', (stem, layout) => {
  it('the struct text from the field list is the kernel\'s struct', () => {
    expect(normalized(layout.wgsl())).toBe(normalized(structBlock(stem)));
    expect(layout.bytes % 16).toBe(0);
    expect(layout.bytes).toBeGreaterThanOrEqual(layout.fields.length * 4);
  });

  it('the generated writer and pack store the reference bytes', () => {
    const r = awkward(layout);
    const buf = new ArrayBuffer(layout.bytes + 32);
    layout.write(new Uint32Array(buf), new Float32Array(buf), 8, r);
    expect(new Uint8Array(buf, 32, layout.bytes)).toEqual(reference(layout, r));
    expect(new Uint8Array(layout.pack(r))).toEqual(reference(layout, r));
  });
});

describe('defineParams', () => {
  it('pack leaves the fields not given at 0', () => {
    const bytes = new DataView(GRAD_PARAMS.pack({ count: 7, y_shift: 0.5, prev_inv_rows: 0.25, key: 0xffffffff }));
    expect(bytes.getUint32(4, true)).toBe(7);
    expect(bytes.getFloat32(28, true)).toBe(0.5);
    expect(bytes.getFloat32(60, true)).toBe(0.25);
    expect(bytes.getUint32(16, true)).toBe(0xffffffff);
    expect(bytes.getUint32(0, true)).toBe(0);
  });

  it('falls back to a plain loop where new Function is forbidden, with the same bytes', () => {
    const saved = globalThis.Function;
    const blocked = function () {
      throw new EvalError('Refused to evaluate a string as JavaScript (Content-Security-Policy)');
    } as unknown as FunctionConstructor;
    let layout: ParamsLayout<'a' | 'b' | 'c'>;
    globalThis.Function = blocked;
    try {
      layout = defineParams('test', [['a', 'u32'], ['b', 'f32'], ['c', 'u32']]);
    } finally {
      globalThis.Function = saved;
    }
    const r = { a: 0xffffffff, b: -1 / 3, c: 5 };
    expect(new Uint8Array(layout.pack(r))).toEqual(reference(layout, r));
    expect(layout.wgsl()).toBe('struct Params {\n  a: u32,\n  b: f32,\n  c: u32,\n}');
  });
});
