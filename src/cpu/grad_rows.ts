// The CPU's row kernel: sums over a run of a chunk's rows (through the keyed permutation when shuffling) of the
// loss and either dL/dz·x' and dL/dz (training) or the task's metric sums (evaluation), in f64, for any loss. The twins of
// shaders/linear_grad.wgsl (one output) and shaders/softmax_grad.wgsl (K outputs) share this entry; the
// reference backend calls it, and it is the oracle of the fast CPU backend's row pass (simd_rows.ts).
import { LOSSES } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';
import { linearGradCpu } from './linear_grad';
import type { GradRange, GradSums, RowValues } from './grad_sums';
import { softmaxGradCpu } from './softmax_grad';

/**
 * Adds one pass over a chunk (x: rows × d row-major, y: targets or class indices; `rv`: its sample weights and
 * offsets, if any) into `out`.
 */
export function gradRows(
  x: Float32Array, y: Float32Array, chunkRows: number, p: ModelParams, range: GradRange, spec: ModelSpec,
  yShift: number, withGrad: boolean, out: GradSums, rv: RowValues = {},
): GradSums {
  return LOSSES[spec.loss].task === 'multiclass'
    ? softmaxGradCpu(x, y, chunkRows, p, range, spec, withGrad, out, rv)
    : linearGradCpu(x, y, chunkRows, p, range, spec, yShift, withGrad, out, rv);
}
