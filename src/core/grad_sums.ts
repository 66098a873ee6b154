// What the CPU row kernels add up (the sums a GPU pass's partial rows add up to) and where a pass reads.
import type { EvalSums } from './metrics';

/** The sums one pass produces (what the GPU partial rows add up to). */
export interface GradSums extends EvalSums {
  /** Σ dL/dz_c·x'_j, K × D output-major. */
  grad: Float64Array;
  /** Σ dL/dz_c, K. */
  gradBias: Float64Array;
}

/** A chunk's per-row sample weights and offsets (HostChunk.w, .o), where it has them. */
export interface RowValues {
  w?: ArrayLike<number>;
  o?: ArrayLike<number>;
}

/** Where a pass reads: a run of a chunk's rows in permuted order. */
export interface GradRange {
  start: number;
  count: number;
  key: number;
  shuffle: boolean;
}

/** Zeroed sums for d features, k outputs and a confusion matrix of `classes` (0: none); `weighted`: with Σ w. */
export function emptyGradSums(d: number, k = 1, classes = 0, weighted = false): GradSums {
  return {
    grad: new Float64Array(k * d), gradBias: new Float64Array(k), rows: 0, loss: 0, m: new Float64Array(4),
    confusion: classes > 0 ? new Float64Array(classes * classes) : null, ...(weighted ? { weight: 0 } : {}),
  };
}
