// CPU twin of shaders/linear_grad.wgsl, in f64: for rows [start, start+count) of one chunk (through the
// keyed permutation when shuffling), sums dL/dŷ·x, dL/dŷ, the loss and the metric sums; with `norm`,
// x is standardized on the fly, x' = (x − mean)·invStd, exactly as the shader does.
import { LOSSES, type LossKind, type ModelParams, type Standardization } from '../core/model';
import { feistelHalfBits, permuteIndex } from '../core/permute';

/** The sums one pass produces (what the GPU partial rows add up to). */
export interface GradSums {
  grad: Float64Array;
  gradBias: number;
  loss: number;
  sae: number;
  sy: number;
  syy: number;
  rows: number;
}

/** Where a pass reads: a run of a chunk's rows in permuted order. */
export interface GradRange {
  start: number;
  count: number;
  key: number;
  shuffle: boolean;
}

/** Zeroed sums for d features. */
export function emptyGradSums(d: number): GradSums {
  return { grad: new Float64Array(d), gradBias: 0, loss: 0, sae: 0, sy: 0, syy: 0, rows: 0 };
}

/** Adds one pass over a chunk (x: rows × d row-major) into `out`. */
export function linearGradCpu(
  x: Float32Array, y: Float32Array, d: number, chunkRows: number, p: ModelParams,
  range: GradRange, loss: LossKind, yShift: number, withGrad: boolean, out: GradSums, norm?: Standardization,
): GradSums {
  const L = LOSSES[loss];
  const half = feistelHalfBits(chunkRows);
  const w = p.weights;
  const xs = new Float64Array(d);
  for (let i = range.start; i < range.start + range.count; i++) {
    const row = range.shuffle ? permuteIndex(i, chunkRows, range.key, half) : i;
    const off = row * d;
    for (let j = 0; j < d; j++) xs[j] = norm ? (x[off + j] - norm.mean[j]) * norm.invStd[j] : x[off + j];
    let pred = p.bias;
    for (let j = 0; j < d; j++) pred += xs[j] * w[j];
    const t = y[row];
    const g = L.dpred(pred, t);
    if (withGrad) {
      for (let j = 0; j < d; j++) out.grad[j] += g * xs[j];
      out.gradBias += g;
    }
    out.loss += L.value(pred, t);
    out.sae += Math.abs(pred - t);
    out.sy += t - yShift;
    out.syy += (t - yShift) * (t - yShift);
  }
  out.rows += range.count;
  return out;
}
