// Quantile regression by a smoothing continuation: the pinball loss ρ_τ(r), r = y − z, is replaced by its Moreau
// envelope of width γ — τr − τ²γ/2 above τγ, (τ − 1)r − (τ − 1)²γ/2 below (τ − 1)γ, r²/(2γ) between — whose minimizer
// tends to the quantile fit as γ → 0 (the objective differs by at most max(τ, 1 − τ)²γ/2). L-BFGS solves each stage
// from the last one's answer (Newton's Hessian is singular where few rows sit in the quadratic zone), γ shrinking
// tenfold from the targets' spread down to `tol` of it. Without a penalty
// the exact answer is a vertex of the linear program — D + 1 rows fitted exactly — so the rows the smoothed fit leaves
// closest to zero are solved for directly and kept when the true objective agrees. Rows held in memory (f64).
import { lbfgs } from './lbfgs';
import type { Iteration, SolveResult } from './newton';
import type { Oracle } from './oracle';
import { withPenalty } from './oracle';
import type { DenseRows } from './smo';
import { solveUpper, solveUpperT, choleskyUpper } from './triangular';

/** The pinball loss's mean at θ = [w, b] (the true objective without the penalty). */
export function pinballMean(rows: DenseRows, tau: number, theta: ArrayLike<number>): number {
  const { n, d, x, y } = rows;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let z = theta[d];
    for (let j = 0; j < d; j++) z += x[i * d + j] * theta[j];
    const r = y[i] - z;
    s += r >= 0 ? tau * r : (tau - 1) * r;
  }
  return s / n;
}

/** The oracle of the envelope's mean at width γ (value, gradient, Hessian in f64 over the rows). */
function envelope(rows: DenseRows, tau: number, gamma: number): Oracle {
  const { n, d, x, y } = rows;
  const p = d + 1;
  return {
    size: p, weights: d,
    async evaluate(theta, order) {
      const g = new Float64Array(p);
      const h = order === 2 ? new Float64Array(p * p) : undefined;
      let f = 0;
      for (let i = 0; i < n; i++) {
        let z = theta[d];
        for (let j = 0; j < d; j++) z += x[i * d + j] * theta[j];
        const r = y[i] - z;
        let dz: number;
        let curv = 0;
        if (r > tau * gamma) [f, dz] = [f + tau * r - (tau * tau * gamma) / 2, -tau];
        else if (r < (tau - 1) * gamma) [f, dz] = [f + (tau - 1) * r - ((tau - 1) ** 2 * gamma) / 2, 1 - tau];
        else [f, dz, curv] = [f + (r * r) / (2 * gamma), -r / gamma, 1 / gamma];
        for (let j = 0; j < d; j++) g[j] += dz * x[i * d + j];
        g[d] += dz;
        if (h && curv) {
          for (let a = 0; a < p; a++) {
            const xa = a < d ? x[i * d + a] : 1;
            for (let b = 0; b < p; b++) h[a * p + b] += curv * xa * (b < d ? x[i * d + b] : 1);
          }
        }
      }
      const inv = 1 / n;
      return { f: f * inv, g: g.map((v) => v * inv), h: h?.map((v) => v * inv) };
    },
  };
}

/** The vertex through the D + 1 rows nearest the fit (exactly fitted), or null when they are degenerate. */
function vertex(rows: DenseRows, theta: Float64Array): Float64Array | null {
  const { n, d, x, y } = rows;
  const p = d + 1;
  const resid = Array.from({ length: n }, (_, i) => {
    let z = theta[d];
    for (let j = 0; j < d; j++) z += x[i * d + j] * theta[j];
    return [Math.abs(y[i] - z), i] as const;
  }).sort((a, b) => a[0] - b[0]);
  // Normal equations of the square system A·θ = y over the chosen rows (AᵀA is positive definite iff A is regular).
  const ata = new Float64Array(p * p);
  const aty = new Float64Array(p);
  for (const [, i] of resid.slice(0, p)) {
    for (let a = 0; a < p; a++) {
      const xa = a < d ? x[i * d + a] : 1;
      aty[a] += xa * y[i];
      for (let b = 0; b < p; b++) ata[a * p + b] += xa * (b < d ? x[i * d + b] : 1);
    }
  }
  const r = choleskyUpper(ata, p, new Float64Array(p));
  for (let i = 0; i < p; i++) if (!(r[i * p + i] > 1e-12 * Math.sqrt(Math.abs(ata[i * p + i]) + 1))) return null;
  return solveUpper(r, p, solveUpperT(r, p, aty));
}

/** Fits the τ-quantile (mean pinball + l2/2·‖w‖²) over rows in memory; θ = [w, b]. */
export async function quantileFit(
  rows: DenseRows, tau: number, l2: number, opts: { maxIter: number; tol: number; onIteration?: (it: Iteration) => void; signal?: AbortSignal },
): Promise<SolveResult> {
  const mean = rows.y.reduce((a, v) => a + v, 0) / Math.max(1, rows.n);
  const spread = Math.sqrt(rows.y.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, rows.n)) || 1;
  let theta: Float64Array = new Float64Array(rows.d + 1);
  theta[rows.d] = mean;
  const iterations: Iteration[] = [];
  let passes = 0;
  let last: SolveResult | null = null;
  for (let gamma = spread; gamma >= opts.tol * spread; gamma /= 10) {
    // L-BFGS: the envelope is linear where few rows sit in its quadratic zone, where Newton's Hessian is singular.
    const r = await lbfgs(withPenalty(envelope(rows, tau, gamma), l2), theta, { maxIter: opts.maxIter, tol: 1e-15, history: 20, signal: opts.signal });
    passes += r.passes;
    theta = r.theta;
    last = r;
    const rec: Iteration = { iteration: iterations.length + 1, passes, objective: pinballMean(rows, tau, theta) + penalty(theta, rows.d, l2), gradNorm: NaN, decrement: gamma, step: 1 };
    iterations.push(rec);
    opts.onIteration?.(rec);
  }
  let objective = pinballMean(rows, tau, theta) + penalty(theta, rows.d, l2);
  let reason = `the smoothing width fell to ${(opts.tol * spread).toExponential(2)} (--solver-tol × the targets' spread)`;
  if (!(l2 > 0)) {
    const v = vertex(rows, theta);
    const fv = v ? pinballMean(rows, tau, v) : Infinity;
    if (v && fv <= objective * (1 + 1e-12)) {
      [theta, objective] = [v, fv];
      reason += '; finished at the linear program\'s vertex through the D + 1 rows fitted exactly';
    }
  }
  return { theta, objective, iterations, passes, converged: !!last, reason };
}

function penalty(theta: ArrayLike<number>, d: number, l2: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += theta[j] * theta[j];
  return 0.5 * l2 * s;
}
