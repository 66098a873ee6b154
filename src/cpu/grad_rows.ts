// The CPU's row kernel: sums over a run of a chunk's rows (through the keyed permutation when shuffling) of the
// loss and either dL/dz·x' and dL/dz (training) or the task's metric sums (evaluation), in f64, for any loss. The twins of
// shaders/linear_grad.wgsl (one output) and shaders/softmax_grad.wgsl (K outputs) share this entry; the
// reference backend calls it, and it is the oracle of the fast CPU backend's row pass (simd_rows.ts).
import { LOSSES } from '../core/losses';
import type { EvalSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import { linearGradCpu } from './linear_grad';
import { softmaxGradCpu } from './softmax_grad';

/** The sums one pass produces (what the GPU partial rows add up to). */
export interface GradSums extends EvalSums {
  /** Σ dL/dz_c·x'_j, K × D output-major. */
  grad: Float64Array;
  /** Σ dL/dz_c, K. */
  gradBias: Float64Array;
}

/** Where a pass reads: a run of a chunk's rows in permuted order. */
export interface GradRange {
  start: number;
  count: number;
  key: number;
  shuffle: boolean;
}

/** Zeroed sums for d features, k outputs and a confusion matrix of `classes` (0: none). */
export function emptyGradSums(d: number, k = 1, classes = 0): GradSums {
  return {
    grad: new Float64Array(k * d), gradBias: new Float64Array(k), rows: 0, loss: 0, m: new Float64Array(4),
    confusion: classes > 0 ? new Float64Array(classes * classes) : null,
  };
}

/** Adds one pass over a chunk (x: rows × d row-major, y: targets or class indices) into `out`. */
export function gradRows(
  x: Float32Array, y: Float32Array, chunkRows: number, p: ModelParams, range: GradRange, spec: ModelSpec,
  yShift: number, withGrad: boolean, out: GradSums,
): GradSums {
  return LOSSES[spec.loss].task === 'multiclass'
    ? softmaxGradCpu(x, y, chunkRows, p, range, spec, withGrad, out)
    : linearGradCpu(x, y, chunkRows, p, range, spec, yShift, withGrad, out);
}
