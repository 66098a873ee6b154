// CPU twin of shaders/softmax_grad.wgsl, in f64: K outputs z_c = x'·W_c + b_c per row under a multiclass loss;
// sums dL/dz_c·x' and dL/dz_c, the loss, Σcorrect and Σlog-loss (each times the row's sample weight), and the
// confusion counts (rows).
import { LOSSES, type MultiLoss } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';
import { feistelHalfBits, permuteIndex } from '../core/permute';
import type { GradRange, GradSums, RowValues } from './grad_sums';

/** Adds one pass of a K-output model over a chunk's rows into `out`. */
export function softmaxGradCpu(
  x: Float32Array, y: Float32Array, chunkRows: number, p: ModelParams, range: GradRange, spec: ModelSpec,
  withGrad: boolean, out: GradSums, rv: RowValues = {},
): GradSums {
  const rw = rv.w;
  const unit = LOSSES[spec.loss] as MultiLoss;
  const { d, outputs: k, standardize: norm } = spec;
  const half = feistelHalfBits(chunkRows);
  const xs = new Float64Array(d);
  const z = new Float64Array(k);
  const dz = new Float64Array(k);
  for (let i = range.start; i < range.start + range.count; i++) {
    const row = range.shuffle ? permuteIndex(i, chunkRows, range.key, half) : i;
    const off = row * d;
    for (let j = 0; j < d; j++) xs[j] = norm ? (x[off + j] - norm.mean[j]) * norm.invStd[j] : x[off + j];
    let best = 0;
    for (let c = 0; c < k; c++) {
      let s = p.bias[c];
      for (let j = 0; j < d; j++) s += xs[j] * p.weights[c * d + j];
      z[c] = s;
      if (s > z[best]) best = c;
    }
    const t = y[row];
    const wt = rw ? rw[row] : 1;
    const loss = wt * unit.valueDz(z, t, withGrad ? dz : null);
    if (rw) out.weight = (out.weight ?? 0) + wt;
    if (withGrad) {
      for (let c = 0; c < k; c++) {
        const g = wt * dz[c];
        for (let j = 0; j < d; j++) out.grad[c * d + j] += g * xs[j];
        out.gradBias[c] += g;
      }
    }
    out.loss += loss;
    if (best === t) out.m[0] += wt;
    out.m[1] += loss;
    if (out.confusion) out.confusion[t * k + best] += 1;
  }
  out.rows += range.count;
  return out;
}
