// Newton's method (IRLS for GLMs) on an oracle: each iteration is one pass for f, ∇f and the Hessian H (the
// weighted Gram XᵀWX plus the L2 term), an f64 Cholesky solve of H·δ = −∇f on the host, and a backtracking (Armijo)
// line search whose trial points are full passes too. It stops on the Newton decrement λ² = ∇fᵀH⁻¹∇f: λ²/2
// estimates (and for self-concordant losses bounds) the gap f − f*, so `tol` is the relative gap it aims for.
// With an L1 part (l1·‖w‖₁: the lasso, elastic net) it is proximal Newton, as glmnet's IRLS: the step minimizes the
// quadratic model plus the L1 term by coordinate descent on H (host, P × P), the line search asks F = f + l1‖w‖₁ for a
// fraction of the model's decrease, and the model's decrease −q estimates the gap.
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

/** Newton's options beyond every solver's. */
export interface NewtonOptions extends SolveOptions {
  /** The L1 strength on the weights (proximal Newton when > 0). */
  l1?: number;
}

const ARMIJO = 1e-4;
/** A relative gap estimate this small is within f32 rounding of the objective (sums of ~1e6 f32 terms). */
const FLOOR = 1e-6;

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

/** Minimizes a twice-differentiable convex objective (plus l1·‖w‖₁ when opts.l1 > 0) from θ0 by damped Newton steps. */
export async function newton(o: Oracle, theta0: Float64Array, opts: NewtonOptions): Promise<SolveResult> {
  const l1 = opts.l1 && opts.l1 > 0 ? opts.l1 : 0;
  const l1Of = (t: Float64Array) => {
    let s = 0;
    for (let i = 0; i < o.weights; i++) s += Math.abs(t[i]);
    return l1 * s;
  };
  let theta = Float64Array.from(theta0);
  let e: Evaluation = await o.evaluate(theta, 2);
  let big = e.f + l1Of(theta);
  let passes = 1;
  const iterations: Iteration[] = [];
  for (let it = 1; it <= opts.maxIter; it++) {
    opts.signal?.throwIfAborted();
    let delta: Float64Array;
    let slope: number; // the directional decrease the line search asks a fraction of
    let decrement: number; // the estimated gap
    if (l1) {
      const step = proximalStep(e.h!, e.g, theta, o.size, o.weights, l1, opts.tol * Math.max(1e-300, Math.abs(big)));
      delta = step.delta;
      slope = step.slope;
      decrement = -step.model;
    } else {
      delta = newtonStep(e.h!, e.g, o.size);
      slope = dot(e.g, delta);
      decrement = -slope / 2;
    }
    if (!(decrement > opts.tol * Math.max(1e-300, Math.abs(big)))) {
      const what = l1 ? 'the proximal model\'s decrease' : 'Newton decrement λ²/2';
      return finish(theta, big, iterations, passes, true, `${what} = ${decrement.toExponential(2)} ≤ ${opts.tol} × |f|`);
    }
    let step = 1;
    let next: Evaluation | null = null;
    let nextBig = big;
    // Near the optimum a Newton step is taken whole; when it is not, the values are at their arithmetic's floor (f32
    // backends), so a few halvings decide it rather than forty passes.
    const nearFloor = decrement <= FLOOR * Math.abs(big);
    // There the objective's f32 sums cannot tell a better point from a worse one, but the gradient still can: a step
    // that keeps the objective within its rounding and shrinks the (sub)gradient is taken (an f32 backend's Newton
    // otherwise stopped with ~2e-4 left in a Poisson intercept with an offset).
    const gradNow = nearFloor ? norm(l1 ? subgradient(e.g, theta, l1, o.weights) : e.g) : 0;
    for (let tries = 0; tries < (nearFloor ? 4 : 40); tries++) {
      const trial = theta.map((v, i) => v + step * delta[i]);
      // The last iteration allowed needs no Hessian at its new point (one pass of the Gram fewer under --max-iter).
      const te = await o.evaluate(trial, it < opts.maxIter ? 2 : 1);
      passes++;
      const tb = te.f + l1Of(trial);
      const flatter = nearFloor && tb <= big + FLOOR * Math.abs(big) && norm(l1 ? subgradient(te.g, trial, l1, o.weights) : te.g) < 0.5 * gradNow;
      if (tb <= big + ARMIJO * step * slope || flatter) {
        theta = trial;
        next = te;
        nextBig = tb;
        break;
      }
      step /= 2;
    }
    if (!next) {
      return nearFloor
        ? finish(theta, big, iterations, passes, true, `at the arithmetic's floor: no step lowers the objective and the estimated gap ${decrement.toExponential(2)} ≤ ${FLOOR} × |f|`)
        : finish(theta, big, iterations, passes, false, 'the line search found no decrease (the objective is at its floating-point floor)');
    }
    e = next;
    big = nextBig;
    const rec: Iteration = { iteration: it, passes, objective: big, gradNorm: norm(l1 ? subgradient(e.g, theta, l1, o.weights) : e.g), decrement, step };
    iterations.push(rec);
    opts.onIteration?.(rec);
  }
  return finish(theta, big, iterations, passes, false, `stopped after --max-iter ${opts.maxIter} iterations`);
}

/** The minimum-norm subgradient of f + l1·‖w‖₁ (zero at the optimum). */
function subgradient(g: Float64Array, theta: Float64Array, l1: number, weights: number): Float64Array {
  const s = Float64Array.from(g);
  for (let i = 0; i < weights; i++) {
    if (theta[i] !== 0) s[i] += l1 * Math.sign(theta[i]);
    else s[i] = Math.sign(g[i]) * Math.max(0, Math.abs(g[i]) - l1);
  }
  return s;
}

/**
 * The proximal Newton step: δ minimizing q(δ) = gᵀδ + ½δᵀHδ + l1(‖w + δ‖₁ − ‖w‖₁) by cyclic coordinate descent on H
 * (weights soft-thresholded, biases exact), sweeping until no coordinate lowers q by more than `floor`/P. Returns δ,
 * q(δ) (≤ 0, its negative estimates the gap) and the line search's slope gᵀδ + l1(‖w + δ‖₁ − ‖w‖₁).
 */
export function proximalStep(h: Float64Array, g: Float64Array, theta: Float64Array, p: number, weights: number, l1: number, floor: number): {
  delta: Float64Array; model: number; slope: number;
} {
  const delta = new Float64Array(p);
  const r = Float64Array.from(g); // g + Hδ, the model's smooth gradient at δ
  const tiny = floor / p;
  /** One cyclic sweep over `coords`; returns the largest a·change² (twice the model's decrease, roughly). */
  const sweep = (coords: ArrayLike<number>): number => {
    let most = 0;
    for (let c = 0; c < coords.length; c++) {
      const j = coords[c];
      const a = h[j * p + j];
      if (!(a > 0)) continue;
      const b = r[j] - a * delta[j]; // the smooth gradient at δ_j = 0, the others fixed
      let next: number; // the new δ_j
      if (j < weights) {
        const u = a * theta[j] - b;
        next = Math.sign(u) * Math.max(0, Math.abs(u) - l1) / a - theta[j];
      } else next = -b / a;
      const change = next - delta[j];
      if (change === 0) continue;
      most = Math.max(most, a * change * change);
      delta[j] = next;
      const row = j * p;
      for (let i = 0; i < p; i++) r[i] += h[row + i] * change;
    }
    return most;
  };
  const all = Array.from({ length: p }, (_, j) => j);
  // Full sweeps until one changes nothing material; between them, sweeps over the active set (nonzero weights and the
  // biases) until it settles, as glmnet does.
  for (let round = 0; round < 1000; round++) {
    if (sweep(all) <= tiny) break;
    const active = all.filter((j) => j >= weights || theta[j] + delta[j] !== 0);
    for (let inner = 0; inner < 10000; inner++) if (sweep(active) <= tiny) break;
  }
  polish(h, g, theta, delta, r, p, weights, l1);
  let smooth = 0;
  let quad = 0;
  let l1Change = 0;
  for (let i = 0; i < p; i++) {
    smooth += g[i] * delta[i];
    quad += delta[i] * (r[i] - g[i]);
    if (i < weights) l1Change += l1 * (Math.abs(theta[i] + delta[i]) - Math.abs(theta[i]));
  }
  return { delta, model: smooth + 0.5 * quad + l1Change, slope: smooth + l1Change };
}

/**
 * Coordinate descent converges slowly on correlated columns; once its support and signs have settled, the model's
 * minimum on that support is one linear solve. Taken (δ and r = g + Hδ updated in place) only when the solution keeps
 * the signs and the zero weights still satisfy |r_j| ≤ l1; otherwise the coordinate-descent step stands.
 */
function polish(h: Float64Array, g: Float64Array, theta: Float64Array, delta: Float64Array, r: Float64Array, p: number, weights: number, l1: number): void {
  const on: number[] = [];
  for (let j = 0; j < p; j++) if (j >= weights || theta[j] + delta[j] !== 0) on.push(j);
  const k = on.length;
  if (k === 0) return;
  const isOn = new Uint8Array(p);
  for (const j of on) isOn[j] = 1;
  const sub = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const ja = on[a];
    let v = -g[ja] - (ja < weights ? l1 * Math.sign(theta[ja] + delta[ja]) : 0);
    for (let j = 0; j < p; j++) if (!isOn[j]) v -= h[ja * p + j] * delta[j];
    rhs[a] = v;
    for (let b = 0; b < k; b++) sub[a * k + b] = h[ja * p + on[b]];
  }
  const u = choleskyUpper(sub, k, new Float64Array(k));
  for (let a = 0; a < k; a++) if (!(u[a * k + a] > 0)) return;
  const x = solveUpper(u, k, solveUpperT(u, k, rhs));
  for (let a = 0; a < k; a++) {
    const j = on[a];
    if (!Number.isFinite(x[a])) return;
    if (j < weights && Math.sign(theta[j] + x[a]) !== Math.sign(theta[j] + delta[j])) return;
  }
  const next = Float64Array.from(delta);
  for (let a = 0; a < k; a++) next[on[a]] = x[a];
  const rNext = Float64Array.from(g);
  for (let j = 0; j < p; j++) {
    if (next[j] === 0) continue;
    for (let i = 0; i < p; i++) rNext[i] += h[j * p + i] * next[j];
  }
  for (let j = 0; j < weights; j++) if (!isOn[j] && Math.abs(rNext[j]) > l1 * (1 + 1e-9)) return;
  delta.set(next);
  r.set(rNext);
}

function finish(theta: Float64Array, objective: number, iterations: Iteration[], passes: number, converged: boolean, reason: string): SolveResult {
  return { theta, objective, iterations, passes, converged, reason };
}
