// The per-dispatch Params records of a training session, written straight into the staging words of the uniform
// ring: one mutable record per kernel, reused for every dispatch, and writers with the field order of GRAD_PARAMS
// and UPDATE_PARAMS unrolled (uniformLayout.write walks the field list with a closure and a DataView call per field;
// this is the hot loop of encoding, ~1.6 µs per dispatch before). test/gpu/step_params.test.ts checks the bytes
// against uniformLayout.write.

/** Every field of the gradient kernels' `struct Params` (GRAD_PARAMS), in declaration order. */
export interface GradRecord {
  start: number; count: number; rows: number; span: number; key: number; half_bits: number; partial_base: number;
  y_shift: number; model_in: number; model_out: number; fuse: number; prev_base: number; prev_count: number;
  prev_step: number; prev_lr: number; prev_inv_rows: number;
}

/** Every field of apply_update's `struct Params` (UPDATE_PARAMS), in declaration order. */
export interface UpdateRecord {
  first: number; count: number; step: number; fit_bias: number; lr: number; scale: number; c1: number; c2: number;
  avg_rate: number; clip: number; avg_base: number; pad: number;
}

/** A gradient record of zeros (every field is set before each write). */
export function gradRecord(): GradRecord {
  return {
    start: 0, count: 0, rows: 0, span: 0, key: 0, half_bits: 0, partial_base: 0, y_shift: 0, model_in: 0, model_out: 0,
    fuse: 0, prev_base: 0, prev_count: 0, prev_step: 0, prev_lr: 0, prev_inv_rows: 0,
  };
}

/** An update record of zeros. */
export function updateRecord(): UpdateRecord {
  return { first: 0, count: 0, step: 0, fit_bias: 0, lr: 0, scale: 0, c1: 0, c2: 0, avg_rate: 0, clip: 0, avg_base: 0, pad: 0 };
}

/** Whether typed arrays are little-endian here (WGSL's layout; every WebGPU host so far). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Stores into a Uint32Array convert like `v >>> 0`, into a Float32Array round like DataView.setFloat32: the same
// bytes as uniformLayout.write on a little-endian host.

/** Writes a gradient record at 32-bit word `w` of the words `u` and `f` view. */
export function writeGradRecord(u: Uint32Array, f: Float32Array, w: number, r: GradRecord): void {
  u[w] = r.start; u[w + 1] = r.count; u[w + 2] = r.rows; u[w + 3] = r.span; u[w + 4] = r.key;
  u[w + 5] = r.half_bits; u[w + 6] = r.partial_base; f[w + 7] = r.y_shift; u[w + 8] = r.model_in;
  u[w + 9] = r.model_out; u[w + 10] = r.fuse; u[w + 11] = r.prev_base; u[w + 12] = r.prev_count;
  u[w + 13] = r.prev_step; f[w + 14] = r.prev_lr; f[w + 15] = r.prev_inv_rows;
}

/** Writes an update record at 32-bit word `w` of the words `u` and `f` view. */
export function writeUpdateRecord(u: Uint32Array, f: Float32Array, w: number, r: UpdateRecord): void {
  u[w] = r.first; u[w + 1] = r.count; u[w + 2] = r.step; u[w + 3] = r.fit_bias; f[w + 4] = r.lr; f[w + 5] = r.scale;
  f[w + 6] = r.c1; f[w + 7] = r.c2; f[w + 8] = r.avg_rate; f[w + 9] = r.clip; u[w + 10] = r.avg_base; u[w + 11] = r.pad;
}
