// How rows keep their sample weights and offsets on the GPU: beside the target in y, YS floats per row (target, weight,
// offset), read by shaders/parts/row_values.wgsl through its override constants; the host packs them here.
import type { HostChunk, RowExtras } from '../core/dataset';

/** Floats per row of y: the target, then the sample weight and the offset where rows carry them. */
export function yStride(extras: RowExtras): number {
  return 1 + (extras.weight ? 1 : 0) + (extras.offset ? 1 : 0);
}

/** The override constants of the kernels that read y through parts/row_values.wgsl. */
export function rowValueConstants(extras: RowExtras): Record<string, number> {
  return { YS: yStride(extras), SAMPLE_WEIGHTS: extras.weight ? 1 : 0, OFFSETS: extras.offset ? 1 : 0 };
}

/** A chunk's y as the store keeps it: the targets alone, or YS floats per row (target, weight, offset). */
export function packY(chunk: HostChunk, extras: RowExtras): Float32Array<ArrayBuffer> {
  const ys = yStride(extras);
  if (ys === 1) return chunk.y.subarray(0, chunk.rows) as Float32Array<ArrayBuffer>;
  const out = new Float32Array(chunk.rows * ys);
  for (let r = 0; r < chunk.rows; r++) {
    out[r * ys] = chunk.y[r];
    if (extras.weight) out[r * ys + 1] = chunk.w![r];
    if (extras.offset) out[r * ys + ys - 1] = chunk.o![r];
  }
  return out;
}
