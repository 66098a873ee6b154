// CPU twin of shaders/linear_grad.wgsl, in f64: one output z = x'·w + b (+ the row's offset) per row under a scalar
// loss, with x' = x or (x − mean)·invStd exactly as the shader standardizes; the loss always, then the gradient
// (training) or the task's metric sums and class counts (evaluation), each row's terms times its sample weight.
import { addRowMetrics } from '../core/metrics';
import { LOSSES, type ScalarLoss } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';
import { feistelHalfBits, permuteIndex } from '../core/permute';
import type { GradRange, GradSums, RowValues } from './grad_sums';

/** Adds one pass of a one-output model over a chunk's rows into `out`. */
export function linearGradCpu(
  x: Float32Array, y: Float32Array, chunkRows: number, p: ModelParams, range: GradRange, spec: ModelSpec,
  yShift: number, withGrad: boolean, out: GradSums, rv: RowValues = {},
): GradSums {
  const unit = LOSSES[spec.loss] as ScalarLoss;
  const { w: rw, o: ro } = rv;
  const { d, lossHp: hp, standardize: norm } = spec;
  const half = feistelHalfBits(chunkRows);
  const w = p.weights;
  const xs = new Float64Array(d);
  for (let i = range.start; i < range.start + range.count; i++) {
    const row = range.shuffle ? permuteIndex(i, chunkRows, range.key, half) : i;
    const off = row * d;
    for (let j = 0; j < d; j++) xs[j] = norm ? (x[off + j] - norm.mean[j]) * norm.invStd[j] : x[off + j];
    let z = p.bias[0];
    for (let j = 0; j < d; j++) z += xs[j] * w[j];
    if (ro) z += ro[row];
    const t = y[row];
    const wt = rw ? rw[row] : 1;
    out.loss += wt * unit.value(z, t, hp);
    if (rw) out.weight = (out.weight ?? 0) + wt;
    if (withGrad) {
      const g = wt * unit.dz(z, t, hp);
      for (let j = 0; j < d; j++) out.grad[j] += g * xs[j];
      out.gradBias[0] += g;
    } else {
      addRowMetrics(unit, z, t, yShift, hp, out.m, out.confusion, wt);
    }
  }
  out.rows += range.count;
  return out;
}
