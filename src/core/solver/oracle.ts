// The objective a quasi-Newton or Newton solver minimizes, seen as passes over the data: at parameters
// θ = [K·D weights, K biases] its mean loss and gradient (order 1) and, for Newton, its Hessian (order 2). The
// training layer answers with passes on a backend; `memoryOracle` answers in f64 from rows held in memory (the
// solvers' tests, the dual and interior-point solvers' data). The penalty is not the oracle's: withPenalty adds its
// smooth (L2) part, and OWL-QN handles the L1 part.
import type { LossHp, LossUnit, MultiLoss, ScalarLoss } from '../losses';

/** f, ∇f and (order 2) the Hessian, P × P row-major, at one θ. */
export interface Evaluation {
  f: number;
  g: Float64Array;
  h?: Float64Array;
}

/** An objective by passes over the data. */
export interface Oracle {
  /** P: K·D weights, then K biases when the model fits them. */
  readonly size: number;
  /** The K·D weights come first; entries from here on are biases, never penalized. */
  readonly weights: number;
  /** Value (order 0), gradient (1) or Hessian too (2) at θ; each call is one pass over the data. */
  evaluate(theta: Float64Array, order: 0 | 1 | 2): Promise<Evaluation>;
}

/** The oracle of f(θ) + l2/2·‖w‖² (the penalty's smooth part; biases never penalized). */
export function withPenalty(o: Oracle, l2: number): Oracle {
  if (!(l2 > 0)) return o;
  return {
    size: o.size, weights: o.weights,
    async evaluate(theta, order) {
      const e = await o.evaluate(theta, order);
      let sq = 0;
      for (let i = 0; i < o.weights; i++) sq += theta[i] * theta[i];
      const g = e.g.slice();
      for (let i = 0; i < o.weights; i++) g[i] += l2 * theta[i];
      let h = e.h;
      if (h) {
        h = h.slice();
        for (let i = 0; i < o.weights; i++) h[i * o.size + i] += l2;
      }
      return { f: e.f + 0.5 * l2 * sq, g, h };
    },
  };
}

/** Rows in memory: x (n × d, row-major), targets (class indices for classification), optional sample weights. */
export interface MemoryRows {
  n: number;
  d: number;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Per-row weights (the mean becomes Σ w·L / Σ w); absent: 1. */
  w?: ArrayLike<number>;
  /** Per-row offsets added to every output (e.g. log exposure); absent: 0. */
  offset?: ArrayLike<number>;
}

/** The f64 oracle of a loss's weighted mean over rows in memory, K outputs (1 but for a multiclass loss). */
export function memoryOracle(rows: MemoryRows, unit: LossUnit, hp: LossHp, k: number, fitBias = true): Oracle {
  const { n, d, x, y } = rows;
  const size = k * d + (fitBias ? k : 0);
  let total = 0;
  for (let i = 0; i < n; i++) total += rows.w ? rows.w[i] : 1;
  const z = new Float64Array(k);
  const dz = new Float64Array(k);
  const p = new Float64Array(k);
  return {
    size, weights: k * d,
    async evaluate(theta, order) {
      const g = new Float64Array(size);
      const h = order === 2 ? new Float64Array(size * size) : undefined;
      let f = 0;
      for (let i = 0; i < n; i++) {
        const wi = (rows.w ? rows.w[i] : 1) / total;
        if (wi === 0) continue;
        for (let c = 0; c < k; c++) {
          let s = (fitBias ? theta[k * d + c] : 0) + (rows.offset ? rows.offset[i] : 0);
          for (let j = 0; j < d; j++) s += x[i * d + j] * theta[c * d + j];
          z[c] = s;
        }
        if (unit.task === 'multiclass') {
          f += wi * (unit as MultiLoss).valueDz(z, y[i], dz);
          if (h) (unit as MultiLoss).probabilities(z, p);
        } else {
          const u = unit as ScalarLoss;
          f += wi * u.value(z[0], y[i], hp);
          dz[0] = u.dz(z[0], y[i], hp);
          if (h) p[0] = u.d2z!(z[0], y[i], hp);
        }
        for (let c = 0; c < k; c++) {
          for (let j = 0; j < d; j++) g[c * d + j] += wi * dz[c] * x[i * d + j];
          if (fitBias) g[k * d + c] += wi * dz[c];
        }
        if (h) addRowHessian(h, size, x, i, d, k, wi, p, unit.task === 'multiclass', fitBias);
      }
      return { f, g, h };
    },
  };
}

/**
 * Adds row i's Hessian, weighted by wi: scalar losses p[0]·x̃x̃ᵀ (x̃ = (x, 1)); softmax (diag(p) − ppᵀ) ⊗ x̃x̃ᵀ, laid out
 * as θ is (weights of output c at c·d + j, biases from k·d).
 */
function addRowHessian(
  h: Float64Array, size: number, x: ArrayLike<number>, i: number, d: number, k: number, wi: number, p: Float64Array, multi: boolean, fitBias: boolean,
): void {
  const at = (c: number, j: number) => (j < d ? c * d + j : k * d + c);
  const xv = (j: number) => (j < d ? x[i * d + j] : 1);
  const last = fitBias ? d + 1 : d;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const s = multi ? (a === b ? p[a] : 0) - p[a] * p[b] : p[0];
      if (s === 0) continue;
      for (let j = 0; j < last; j++) {
        const xs = wi * s * xv(j);
        if (xs === 0) continue;
        const row = at(a, j) * size;
        for (let l = 0; l < last; l++) h[row + at(b, l)] += xs * xv(l);
      }
    }
  }
}
