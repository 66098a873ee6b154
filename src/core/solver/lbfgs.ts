// L-BFGS (Nocedal 1980; the two-loop recursion over the last m pairs) for smooth objectives, and OWL-QN (Andrew &
// Gao 2007) for an added l1·‖w‖₁: the pseudo-gradient, the direction kept in its orthant, trial points projected
// onto it. Each function-and-gradient evaluation is one pass over the data; the line search backtracks from the
// unit step with a safeguarded quadratic interpolation (Armijo condition). Memory O(m·P), no P × P matrix.
import type { Iteration, SolveOptions, SolveResult } from './newton';
import type { Evaluation, Oracle } from './oracle';

/** L-BFGS's options beyond every solver's. */
export interface LbfgsOptions extends SolveOptions {
  /** Correction pairs kept (m). */
  history: number;
  /** The L1 strength on the weights (OWL-QN when > 0). */
  l1?: number;
}

const ARMIJO = 1e-4;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** The pseudo-gradient of f + l1·‖w‖₁ (the steepest-descent direction's negative; weights only, biases smooth). */
function pseudoGradient(g: Float64Array, x: Float64Array, l1: number, weights: number): Float64Array {
  if (!(l1 > 0)) return g;
  const pg = Float64Array.from(g);
  for (let i = 0; i < weights; i++) {
    if (x[i] > 0) pg[i] = g[i] + l1;
    else if (x[i] < 0) pg[i] = g[i] - l1;
    else if (g[i] + l1 < 0) pg[i] = g[i] + l1;
    else if (g[i] - l1 > 0) pg[i] = g[i] - l1;
    else pg[i] = 0;
  }
  return pg;
}

/** −H·v by the two-loop recursion over the pairs (s, y), H₀ = (sᵀy / yᵀy)·I from the newest pair. */
function direction(v: Float64Array, s: Float64Array[], y: Float64Array[], rho: number[]): Float64Array {
  const q = Float64Array.from(v);
  const alpha = new Array<number>(s.length);
  for (let i = s.length - 1; i >= 0; i--) {
    alpha[i] = rho[i] * dot(s[i], q);
    for (let j = 0; j < q.length; j++) q[j] -= alpha[i] * y[i][j];
  }
  const gamma = s.length ? dot(s[s.length - 1], y[y.length - 1]) / dot(y[y.length - 1], y[y.length - 1]) : 1;
  for (let j = 0; j < q.length; j++) q[j] *= gamma;
  for (let i = 0; i < s.length; i++) {
    const beta = rho[i] * dot(y[i], q);
    for (let j = 0; j < q.length; j++) q[j] += (alpha[i] - beta) * s[i][j];
  }
  for (let j = 0; j < q.length; j++) q[j] = -q[j];
  return q;
}

/** Minimizes a smooth convex objective (plus l1·‖w‖₁ when given) from θ0. */
export async function lbfgs(o: Oracle, theta0: Float64Array, opts: LbfgsOptions): Promise<SolveResult> {
  const l1 = opts.l1 ?? 0;
  const total = (e: Evaluation, x: Float64Array) => e.f + (l1 > 0 ? l1 * x.subarray(0, o.weights).reduce((a, v) => a + Math.abs(v), 0) : 0);
  let x: Float64Array = Float64Array.from(theta0);
  let e = await o.evaluate(x, 1);
  let f = total(e, x);
  let passes = 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const iterations: Iteration[] = [];
  let small = 0;
  for (let it = 1; it <= opts.maxIter; it++) {
    opts.signal?.throwIfAborted();
    const pg = pseudoGradient(e.g, x, l1, o.weights);
    const gnorm = Math.sqrt(dot(pg, pg));
    if (gnorm === 0) return { theta: x, objective: f, iterations, passes, converged: true, reason: 'the (pseudo-)gradient is zero' };
    let d = direction(pg, s, y, rho);
    if (l1 > 0) for (let i = 0; i < o.weights; i++) if (d[i] * pg[i] >= 0) d[i] = 0;
    let slope = dot(pg, d);
    if (!(slope < 0)) {
      // Not a descent direction (a stale curvature pair): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      d = pg.map((v) => -v);
      slope = -dot(pg, pg);
    }
    // The orthant each trial point must stay in (OWL-QN): the sign of x, or of −pg where x is 0.
    const orthant = l1 > 0 ? Float64Array.from({ length: o.weights }, (_, i) => (x[i] !== 0 ? Math.sign(x[i]) : -Math.sign(pg[i]))) : null;
    let step = it === 1 && s.length === 0 ? Math.min(1, 1 / gnorm) : 1;
    let accepted: { x: Float64Array; e: Evaluation; f: number } | null = null;
    for (let tries = 0; tries < 40; tries++) {
      const xt = x.map((v, i) => v + step * d[i]);
      if (orthant) for (let i = 0; i < o.weights; i++) if (xt[i] * orthant[i] <= 0) xt[i] = 0;
      const et = await o.evaluate(xt, 1);
      passes++;
      const ft = total(et, xt);
      // Armijo on the projected step (OWL-QN measures the decrease along the actual move).
      const moved = l1 > 0 ? dot(pg, xt.map((v, i) => v - x[i])) : step * slope;
      if (ft <= f + ARMIJO * moved) {
        accepted = { x: xt, e: et, f: ft };
        break;
      }
      // Quadratic interpolation of the trial, kept within [0.1, 0.5] of the step.
      const q = (-slope * step * step) / (2 * (ft - f - slope * step));
      step = Number.isFinite(q) ? Math.min(0.5 * step, Math.max(0.1 * step, q)) : step / 2;
    }
    if (!accepted) return { theta: x, objective: f, iterations, passes, converged: false, reason: 'the line search found no decrease (the objective is at its floating-point floor)' };
    const sk = accepted.x.map((v, i) => v - x[i]);
    const yk = accepted.e.g.map((v, i) => v - e.g[i]);
    const sy = dot(sk, yk);
    if (sy > 1e-16 * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
      if (s.length > opts.history) s.shift(), y.shift(), rho.shift();
    }
    const decrease = f - accepted.f;
    x = accepted.x;
    e = accepted.e;
    f = accepted.f;
    const rec: Iteration = { iteration: it, passes, objective: f, gradNorm: gnorm, decrement: decrease, step };
    iterations.push(rec);
    opts.onIteration?.(rec);
    // Two successive decreases below tol·|f| end it (one small step can be a line search's short move).
    small = decrease <= opts.tol * Math.max(1e-300, Math.abs(f)) ? small + 1 : 0;
    if (small >= 2) return { theta: x, objective: f, iterations, passes, converged: true, reason: `the objective's relative decrease fell below ${opts.tol}` };
  }
  return { theta: x, objective: f, iterations, passes, converged: false, reason: `stopped after --max-iter ${opts.maxIter} iterations` };
}
