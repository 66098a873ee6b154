// The Hessian of the mean loss over rows, in f64 — what Newton's method needs besides the gradient: Σᵢ d²L/dzᵢ²·x̃ᵢx̃ᵢᵀ
// for a scalar loss (x̃ = (x', 1), x' standardized as the kernels do), and (diag(p) − ppᵀ) ⊗ x̃x̃ᵀ for softmax, laid
// out as θ = [K·D weights, K biases]. Rows are read from any float32 layout (a stride per row, y apart), so the
// reference backend (plain chunks) and the fast CPU backend (rows padded in its arena) share it. It is the CPU twin of
// the GPU's curvature-weighted Gram pass.
import type { MultiLoss, ScalarLoss } from '../core/losses';
import { LOSSES } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';

/** Rows [start, start + count) of a float32 block: row r's features at x[r·stride …], its target at y[r]. */
export interface RowBlock {
  x: Float32Array;
  /** Offset of row 0 in x, and floats from one row to the next. */
  x0: number;
  stride: number;
  y: Float32Array;
  y0: number;
  start: number;
  count: number;
}

/** Adds Σ over the block's rows of each row's Hessian (unnormalized) into h ((K·(D + 1))², row-major). */
export function addHessian(h: Float64Array, b: RowBlock, p: ModelParams, spec: ModelSpec): void {
  const { d, outputs: k, standardize: norm, lossHp: hp } = spec;
  const unit = LOSSES[spec.loss];
  const size = k * (d + 1);
  const xs = new Float64Array(d + 1);
  const z = new Float64Array(k);
  const pr = new Float64Array(k);
  const at = (c: number, j: number) => (j < d ? c * d + j : k * d + c);
  const cols = spec.fitBias ? d + 1 : d;
  xs[d] = 1;
  for (let r = b.start; r < b.start + b.count; r++) {
    const off = b.x0 + r * b.stride;
    for (let j = 0; j < d; j++) xs[j] = norm ? (b.x[off + j] - norm.mean[j]) * norm.invStd[j] : b.x[off + j];
    for (let c = 0; c < k; c++) {
      let s = p.bias[c];
      for (let j = 0; j < d; j++) s += xs[j] * p.weights[c * d + j];
      z[c] = s;
    }
    const t = b.y[b.y0 + r];
    if (unit.task === 'multiclass') (unit as MultiLoss).probabilities(z, pr);
    else pr[0] = (unit as ScalarLoss).d2z!(z[0], t, hp);
    for (let a = 0; a < k; a++) {
      for (let c = 0; c < k; c++) {
        const s = unit.task === 'multiclass' ? (a === c ? pr[a] : 0) - pr[a] * pr[c] : pr[0];
        if (s === 0) continue;
        for (let j = 0; j < cols; j++) {
          const sj = s * xs[j];
          if (sj === 0) continue;
          const row = at(a, j) * size;
          for (let l = 0; l < cols; l++) h[row + at(c, l)] += sj * xs[l];
        }
      }
    }
  }
}
