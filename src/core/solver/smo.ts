// The linear SVM and SVR with an unpenalized intercept, exactly: sequential minimal optimization (Platt 1998) with
// the second-order working-set selection of Fan, Chen & Lin (2005), as libsvm does, on the dual
//   min ½βᵀQβ + pᵀβ   s.t. 0 ≤ β ≤ C, Σ zᵢβᵢ = 0,   Q_ij = zᵢz_j·x_r(i)·x_r(j)
// with w = Σ βᵢzᵢx_r(i) kept up to date, so each step costs O(N·D) for the gradient. Hinge: one variable per row
// (z = s, p = −1); ε-insensitive: two (z = ±1, p = ε ∓ y). C = 1/(N·α) for the mean loss + α/2·‖w‖².
import type { Iteration, SolveResult } from './newton';

/** Rows in memory, f64 (n × d row-major), and targets. */
export interface DenseRows {
  n: number;
  d: number;
  x: Float64Array;
  y: Float64Array;
}

/** The dual's shape: per variable its row, sign z, linear term p; and the box C. */
interface Dual {
  row: Int32Array;
  z: Float64Array;
  p: Float64Array;
  c: number;
}

const TAU = 1e-12;

function dualOf(rows: DenseRows, loss: 'hinge' | 'epsilon-insensitive', alpha: number, epsilon: number): Dual {
  const { n, y } = rows;
  const c = 1 / (n * alpha);
  if (loss === 'hinge') {
    return { row: Int32Array.from({ length: n }, (_, i) => i), z: Float64Array.from(y, (t) => (t > 0.5 ? 1 : -1)), p: new Float64Array(n).fill(-1), c };
  }
  return {
    row: Int32Array.from({ length: 2 * n }, (_, i) => i % n),
    z: Float64Array.from({ length: 2 * n }, (_, i) => (i < n ? 1 : -1)),
    p: Float64Array.from({ length: 2 * n }, (_, i) => (i < n ? epsilon - y[i] : epsilon + y[i - n])),
    c,
  };
}

/**
 * Solves the mean hinge or ε-insensitive loss + α/2·‖w‖² (bias unpenalized) over rows in memory; θ = [w, b]. Stops
 * when the KKT violation m(β) − M(β) falls below tol × (1 + |p|∞) or after maxIter·N steps (maxIter sweeps' worth).
 */
export function smo(
  rows: DenseRows, loss: 'hinge' | 'epsilon-insensitive', alpha: number, epsilon: number,
  opts: { maxIter: number; tol: number; onIteration?: (it: Iteration) => void },
): SolveResult {
  const { d, x } = rows;
  const dual = dualOf(rows, loss, alpha, epsilon);
  const { row, z, p, c } = dual;
  const m = z.length;
  const beta = new Float64Array(m);
  const w = new Float64Array(d);
  const g = Float64Array.from(p); // ∇ = Qβ + p; β = 0
  const norms = Float64Array.from({ length: rows.n }, (_, r) => x.subarray(r * d, (r + 1) * d).reduce((a, v) => a + v * v, 0));
  const dotRows = (a: number, b: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[a * d + j] * x[b * d + j];
    return s;
  };
  const up = (t: number) => (beta[t] < c && z[t] > 0) || (beta[t] > 0 && z[t] < 0);
  const low = (t: number) => (beta[t] < c && z[t] < 0) || (beta[t] > 0 && z[t] > 0);
  const tol = opts.tol * (1 + p.reduce((a, v) => Math.max(a, Math.abs(v)), 0));
  const limit = opts.maxIter * m;
  let steps = 0;
  let gapNow = Infinity;
  const iterations: Iteration[] = [];
  for (; steps < limit; steps++) {
    // i: the most violating variable going up; j: the best second-order partner going down.
    let i = -1;
    let gmax = -Infinity;
    for (let t = 0; t < m; t++) if (up(t) && -z[t] * g[t] > gmax) [gmax, i] = [-z[t] * g[t], t];
    let j = -1;
    let gmin = Infinity;
    let best = Infinity;
    for (let t = 0; t < m; t++) {
      if (!low(t)) continue;
      const v = -z[t] * g[t];
      if (v < gmin) gmin = v;
      const b = gmax - v;
      if (b > 0 && i >= 0) {
        const a = Math.max(norms[row[i]] + norms[row[t]] - 2 * dotRows(row[i], row[t]), TAU);
        if (-(b * b) / a < best) [best, j] = [-(b * b) / a, t];
      }
    }
    gapNow = gmax - gmin;
    if ((steps % m === 0 || gapNow <= tol) && steps > 0) {
      const rec: Iteration = { iteration: steps / m, passes: Math.ceil(steps / m), objective: NaN, gradNorm: gapNow, decrement: gapNow, step: 1 };
      iterations.push(rec);
      opts.onIteration?.(rec);
    }
    if (gapNow <= tol || j < 0) break;
    step(i, j);
  }
  // The intercept from the free variables (libsvm's ρ), else the middle of the feasible interval.
  let sum = 0;
  let free = 0;
  for (let t = 0; t < m; t++) if (beta[t] > 0 && beta[t] < c) (sum += z[t] * g[t]), free++;
  const rho = free ? sum / free : (gmaxOf() + gminOf()) / 2;
  return {
    theta: Float64Array.of(...w, -rho), objective: NaN, iterations, passes: Math.ceil(steps / m), converged: gapNow <= tol,
    reason: gapNow <= tol ? `the dual's KKT violation ${gapNow.toExponential(2)} fell below ${tol.toExponential(2)}` : `stopped after ${steps} steps (--max-iter ${opts.maxIter} sweeps)`,
  };

  function gmaxOf(): number {
    let v = -Infinity;
    for (let t = 0; t < m; t++) if (up(t)) v = Math.max(v, -z[t] * g[t]);
    return v;
  }
  function gminOf(): number {
    let v = Infinity;
    for (let t = 0; t < m; t++) if (low(t)) v = Math.min(v, -z[t] * g[t]);
    return v;
  }

  /** The analytic two-variable step on (i, j), clipped to the box, then w and ∇ updated in O(N·D). */
  function step(i: number, j: number): void {
    const a = Math.max(norms[row[i]] + norms[row[j]] - 2 * dotRows(row[i], row[j]), TAU);
    const b = -z[i] * g[i] + z[j] * g[j];
    // Move along z_i·Δβ_i = −z_j·Δβ_j by t = b / a in the "−z·g" direction, kept inside the box.
    let t = b / a;
    const limI = z[i] > 0 ? c - beta[i] : beta[i];
    const limJ = z[j] > 0 ? beta[j] : c - beta[j];
    t = Math.min(t, limI, limJ);
    const di = z[i] * t;
    const dj = -z[j] * t;
    beta[i] = Math.min(c, Math.max(0, beta[i] + di));
    beta[j] = Math.min(c, Math.max(0, beta[j] + dj));
    const ri = row[i];
    const rj = row[j];
    const ci = di * z[i];
    const cj = dj * z[j];
    for (let k = 0; k < d; k++) w[k] += ci * x[ri * d + k] + cj * x[rj * d + k];
    for (let s = 0; s < m; s++) {
      const r = row[s];
      g[s] += z[s] * (ci * dotRows(ri, r) + cj * dotRows(rj, r));
    }
  }
}
