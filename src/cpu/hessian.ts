// The Hessian of the mean loss over rows, in f64 — what Newton's method needs besides the gradient: Σᵢ d²L/dzᵢ²·x̃ᵢx̃ᵢᵀ
// for a scalar loss (x̃ = (x', 1), x' standardized as the kernels do), and (diag(p) − ppᵀ) ⊗ x̃x̃ᵀ for softmax, laid
// out as θ = [K·D weights, K biases]. Rows are read from any float32 layout (a stride per row, y apart), so the
// reference backend (plain chunks) and the fast CPU backend (rows padded in its arena) share it. It is the CPU twin of
// the GPU's curvature-weighted Gram pass.
import type { MultiLoss, ScalarLoss } from '../core/losses';
import { LOSSES } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';

/**
 * Rows [start, start + count) of a float32 block: row r's features at x[r·stride …], its target at y[r], its sample
 * weight at w[w0 + r] and offset at o[o0 + r] where the rows have them.
 */
export interface RowBlock {
  x: Float32Array;
  /** Offset of row 0 in x, and floats from one row to the next. */
  x0: number;
  stride: number;
  y: Float32Array;
  y0: number;
  start: number;
  count: number;
  w?: Float32Array;
  w0?: number;
  o?: Float32Array;
  o0?: number;
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
      let s = p.bias[c] + (b.o ? b.o[(b.o0 ?? 0) + r] : 0);
      for (let j = 0; j < d; j++) s += xs[j] * p.weights[c * d + j];
      z[c] = s;
    }
    const t = b.y[b.y0 + r];
    const wt = b.w ? b.w[(b.w0 ?? 0) + r] : 1;
    if (wt === 0) continue;
    if (unit.task === 'multiclass') (unit as MultiLoss).probabilities(z, pr);
    else pr[0] = (unit as ScalarLoss).d2z!(z[0], t, hp);
    for (let a = 0; a < k; a++) {
      for (let c = 0; c < k; c++) {
        const s = wt * (unit.task === 'multiclass' ? (a === c ? pr[a] : 0) - pr[a] * pr[c] : pr[0]);
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

/**
 * addHessian for a one-output loss as both CPU backends run it: the upper triangle of Σᵢ d²L/dzᵢ²·x̃ᵢx̃ᵢᵀ in a
 * block of its own, four rows per sweep of it (one load and store of each entry per four rows: half the CPU time of
 * a row at a time at D = 32), mirrored into h once (addHessian stays its oracle). Softmax goes to addHessian.
 */
export function addHessianFast(h: Float64Array, b: RowBlock, p: ModelParams, spec: ModelSpec): void {
  const unit = LOSSES[spec.loss];
  if (unit.task === 'multiclass' || spec.outputs !== 1) return addHessian(h, b, p, spec);
  const d2z = (unit as ScalarLoss).d2z!.bind(unit);
  const { d, standardize: norm, lossHp: hp } = spec;
  const size = d + 1;
  const cols = spec.fitBias ? d + 1 : d;
  const tri = new Float64Array(size * size);
  // Four rows x̃ (standardized, 1 appended) and each one's curvature.
  const xs = [0, 1, 2, 3].map(() => new Float64Array(size).fill(1, d));
  const [x0, x1, x2, x3] = xs;
  const s = new Float64Array(4);
  const w = p.weights;
  const bw = b.w, bo = b.o, w0 = b.w0 ?? 0, o0 = b.o0 ?? 0;
  const load = (r: number, x: Float64Array): number => {
    const off = b.x0 + r * b.stride;
    let z = p.bias[0] + (bo ? bo[o0 + r] : 0);
    for (let j = 0; j < d; j++) {
      const v = norm ? (b.x[off + j] - norm.mean[j]) * norm.invStd[j] : b.x[off + j];
      x[j] = v;
      z += v * w[j];
    }
    const wt = bw ? bw[w0 + r] : 1;
    return wt === 0 ? 0 : wt * d2z(z, b.y[b.y0 + r], hp);
  };
  const end = b.start + b.count;
  let r = b.start;
  for (; r + 4 <= end; r += 4) {
    for (let i = 0; i < 4; i++) s[i] = load(r + i, xs[i]);
    const [s0, s1, s2, s3] = s;
    for (let j = 0; j < cols; j++) {
      const a0 = s0 * x0[j], a1 = s1 * x1[j], a2 = s2 * x2[j], a3 = s3 * x3[j];
      const row = j * size;
      for (let l = j; l < cols; l++) tri[row + l] += a0 * x0[l] + a1 * x1[l] + a2 * x2[l] + a3 * x3[l];
    }
  }
  for (; r < end; r++) {
    const s0 = load(r, x0);
    for (let j = 0; j < cols; j++) {
      const a0 = s0 * x0[j];
      const row = j * size;
      for (let l = j; l < cols; l++) tri[row + l] += a0 * x0[l];
    }
  }
  for (let j = 0; j < cols; j++) {
    for (let l = j; l < cols; l++) {
      const v = tri[j * size + l];
      h[j * size + l] += v;
      if (l !== j) h[l * size + j] += v;
    }
  }
}
