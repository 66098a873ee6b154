// Newton's method (IRLS for GLMs) on an oracle: each iteration is one pass for f, ∇f and the Hessian H (the
// weighted Gram XᵀWX plus the L2 term), an f64 Cholesky solve of H·δ = −∇f on the host, and a backtracking (Armijo)
// line search whose trial points are full passes too. It stops on the Newton decrement λ² = ∇fᵀH⁻¹∇f: λ²/2
// estimates (and for self-concordant losses bounds) the gap f − f*, so `tol` is the relative gap it aims for.
import type { Evaluation, Oracle } from './oracle';
import { choleskyUpper, solveUpper, solveUpperT } from './triangular';

/** One iteration's report. */
export interface Iteration {
  iteration: number;
  /** Passes over the data so far. */
  passes: number;
  /** The objective (mean loss + penalty) at the iterate. */
  objective: number;
  /** ‖∇f‖₂ (the pseudo-gradient's for L1). */
  gradNorm: number;
  /** Newton: λ²/2, the estimated gap; L-BFGS: the last decrease of the objective. */
  decrement: number;
  /** The line search's accepted step. */
  step: number;
}

/** What a solver ends with. */
export interface SolveResult {
  theta: Float64Array;
  objective: number;
  iterations: Iteration[];
  passes: number;
  converged: boolean;
  /** Why it stopped, for reports. */
  reason: string;
}

/** Options every solver takes. */
export interface SolveOptions {
  /** Most iterations. */
  maxIter: number;
  /** The relative gap (or decrease) to stop at. */
  tol: number;
  onIteration?: (it: Iteration) => void;
  signal?: AbortSignal;
}

const ARMIJO = 1e-4;

/** The Newton step −H⁻¹g, with a ridge μ·I added (10× larger each time) while H is not numerically positive definite. */
function newtonStep(h: Float64Array, g: Float64Array, p: number): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(h[i * p + i]));
  let mu = 0;
  const floor = new Float64Array(p); // no pivot floor: a non-positive pivot leaves its row zero (not positive definite)
  for (let tries = 0; tries < 30; tries++) {
    const a = mu ? h.map((v, idx) => (idx % (p + 1) === 0 ? v + mu : v)) : h;
    const r = choleskyUpper(a, p, floor);
    let pd = true;
    for (let i = 0; i < p; i++) if (!(r[i * p + i] > 0)) pd = false;
    if (pd) return solveUpper(r, p, solveUpperT(r, p, g.map((v) => -v)));
    mu = mu ? mu * 10 : Math.max(1e-12, 1e-10 * maxDiag);
  }
  throw new Error('Newton: the Hessian stayed singular even with a ridge added');
}

const norm = (v: Float64Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Minimizes a twice-differentiable convex objective from θ0 by damped Newton steps. */
export async function newton(o: Oracle, theta0: Float64Array, opts: SolveOptions): Promise<SolveResult> {
  let theta = Float64Array.from(theta0);
  let e: Evaluation = await o.evaluate(theta, 2);
  let passes = 1;
  const iterations: Iteration[] = [];
  for (let it = 1; it <= opts.maxIter; it++) {
    opts.signal?.throwIfAborted();
    const delta = newtonStep(e.h!, e.g, o.size);
    const slope = dot(e.g, delta);
    const decrement = -slope / 2;
    if (!(decrement > opts.tol * Math.max(1e-300, Math.abs(e.f)))) {
      return finish(theta, e.f, iterations, passes, true, `Newton decrement λ²/2 = ${decrement.toExponential(2)} ≤ ${opts.tol} × |f|`);
    }
    let step = 1;
    let next: Evaluation | null = null;
    for (let tries = 0; tries < 40; tries++) {
      const trial = theta.map((v, i) => v + step * delta[i]);
      const te = await o.evaluate(trial, 2);
      passes++;
      if (te.f <= e.f + ARMIJO * step * slope) {
        theta = trial;
        next = te;
        break;
      }
      step /= 2;
    }
    if (!next) return finish(theta, e.f, iterations, passes, false, 'the line search found no decrease (the objective is at its floating-point floor)');
    e = next;
    const rec: Iteration = { iteration: it, passes, objective: e.f, gradNorm: norm(e.g), decrement, step };
    iterations.push(rec);
    opts.onIteration?.(rec);
  }
  return finish(theta, e.f, iterations, passes, false, `stopped after --max-iter ${opts.maxIter} iterations`);
}

function finish(theta: Float64Array, objective: number, iterations: Iteration[], passes: number, converged: boolean, reason: string): SolveResult {
  return { theta, objective, iterations, passes, converged, reason };
}
