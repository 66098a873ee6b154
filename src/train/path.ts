// Regularization paths and cross-validation (--alpha-path n, --cv k), as glmnet fits GLMs: α_max is the smallest
// penalty at which every weight is zero (the gradient at the intercept-only optimum, over the penalty's L1 share; for
// L2, glmnet's convention of a 0.001 share), the path is n α's geometrically down to α_max·--alpha-min-ratio, each fit
// warm-started from the last by the plan's Newton or L-BFGS solver. Cross-validation re-reads the source once per fold
// with a fold rule (core/holdout.ts: rows fall into k folds by a seeded hash of their index, so nothing is copied or
// listed), fits the same α's on the other folds, scores each α by the held-out fold's mean loss, picks α by the least
// mean or the one-standard-error rule, and keeps the model fitted on all training rows at that α.
import type { Backend } from '../backend';
import { foldRule } from '../core/holdout';
import type { Metrics } from '../core/metrics';
import { penaltyHp, penaltyValue, type PenaltyHp } from '../core/penalties';
import { newton, type Iteration } from '../core/solver/newton';
import type { Oracle } from '../core/solver/oracle';
import type { LoadedRun } from './loaded';
import type { TrainPlan } from './plan';
import type { CvReport, PathReport, PathStep, SolverSummary, TrainResult } from './report';
import { IterativeFit } from './solve_iterative';

const now = (): number => performance.now() / 1000;

/** A run's rows as loaded under a plan (its holdout or fold rule), and how to release them. */
export interface Loaded {
  data: LoadedRun;
  uploadSeconds: number;
  dispose(): void;
}

/** The L1 share glmnet assumes for α_max when the penalty has none (ridge). */
const RIDGE_SHARE = 1e-3;

/** n α's from `max` down to max·ratio, evenly spaced in log (one: max). */
export function alphaGrid(max: number, n: number, ratio: number): number[] {
  if (n === 1) return [max];
  return Array.from({ length: n }, (_, i) => max * ratio ** (i / (n - 1)));
}

/** The penalty's L1 share r (α·r·‖w‖₁), the denominator of α_max. */
function l1Share(plan: TrainPlan): number {
  const { spec } = plan;
  if (spec.penalty === 'l1') return 1;
  if (spec.penalty === 'elasticnet') return Math.max(spec.l1Ratio, RIDGE_SHARE);
  return RIDGE_SHARE;
}

/**
 * The oracle over the biases alone, every weight held at zero. Its Hessian is forward differences of the bias
 * gradient (a gradient pass per bias): Newton on a few variables converges with it all the same, every session has
 * gradient passes (sparse rows and WebGPU's softmax have no Hessian pass), and for wide data a gradient pass costs far
 * less than a pass that sums the full (K·(D + 1))² Hessian for its bias block.
 */
function biasOracle(o: Oracle): Oracle {
  const nb = o.size - o.weights;
  const at = async (b: Float64Array, order: 0 | 1) => {
    const theta = new Float64Array(o.size);
    theta.set(b, o.weights);
    return o.evaluate(theta, order);
  };
  return {
    size: nb, weights: 0,
    async evaluate(b, order) {
      const e = await at(b, order === 0 ? 0 : 1);
      const g = e.g.slice(o.weights);
      if (order < 2) return { f: e.f, g };
      const h = new Float64Array(nb * nb);
      for (let j = 0; j < nb; j++) {
        // 1e-4: truncation ~1e-4 relative, and f32 gradients' rounding (~1e-7) ~1e-3 of it; either only slows Newton a little.
        const step = 1e-4 * Math.max(1, Math.abs(b[j]));
        const moved = Float64Array.from(b);
        moved[j] += step;
        const gj = (await at(moved, 1)).g;
        for (let i = 0; i < nb; i++) h[i * nb + j] = (gj[o.weights + i] - g[i]) / step;
      }
      for (let i = 0; i < nb; i++) for (let j = 0; j < i; j++) h[i * nb + j] = h[j * nb + i] = (h[i * nb + j] + h[j * nb + i]) / 2;
      return { f: e.f, g, h };
    },
  };
}

/** α_max and the intercept-only optimum it is measured at (every weight zero). */
export async function alphaMax(fit: IterativeFit): Promise<{ alphaMax: number; theta: Float64Array }> {
  const o = fit.oracle;
  const theta = new Float64Array(o.size);
  if (o.size > o.weights) {
    const { spec } = fit.plan;
    const bias = biasOracle(o);
    const r = await newton(bias, new Float64Array(o.size - o.weights), { maxIter: spec.maxIter, tol: Math.min(spec.solverTol, 1e-12) });
    // One Newton step more (a pass; a few at an f32 floor, where it is refused): α_max is the gradient at this point and
    // every α of the path a multiple of it, and a decrement of 1e-12·|f| can leave ~1e-9 in it (a Poisson fit with an
    // offset did); the step after it is at f64's floor. A tolerance near 0 instead would never stop where f32 sums
    // keep accepting steps that change nothing.
    const polished = await newton(bias, r.theta, { maxIter: 1, tol: 0 });
    theta.set(polished.theta, o.weights);
  }
  const { g } = await o.evaluate(theta, 1);
  let most = 0;
  for (let i = 0; i < o.weights; i++) most = Math.max(most, Math.abs(g[i]));
  if (!(most > 0)) throw new Error('--alpha-path: the loss\'s gradient is zero at the intercept-only model (no feature explains the target), so every α gives all-zero weights');
  return { alphaMax: most / l1Share(fit.plan), theta };
}

/** The penalty strengths at α (the spec's penalty and L1 ratio). */
const hpAt = (plan: TrainPlan, alpha: number): PenaltyHp => penaltyHp(plan.spec.penalty, { alpha, l1Ratio: plan.spec.l1Ratio });

/** A path fitted: its steps, each step's θ, its iterations and passes. */
interface Fitted {
  steps: PathStep[];
  thetas: Float64Array[];
  iterations: Iteration[];
  passes: number;
}

/** Fits every α in turn from θ0 (the intercept-only optimum, where α_max was measured), each warm-started from the last. */
async function fitPath(fit: IterativeFit, alphas: readonly number[], start: { alphaMax: number; theta: Float64Array }, fold?: number): Promise<Fitted> {
  const { plan } = fit;
  const out: Fitted = { steps: [], thetas: [], iterations: [], passes: 0 };
  let theta = start.theta;
  for (const [index, alpha] of alphas.entries()) {
    plan.signal?.throwIfAborted();
    const before = fit.oracle.passes;
    const hp = hpAt(plan, alpha);
    const r = hp[1] > 0 && alpha >= start.alphaMax && theta === start.theta ? await fit.allZero(theta, hp) : await fit.fit(theta, hp, (it) => {
      out.iterations.push(it);
      if (fold === undefined) plan.onIteration?.({ ...it, passes: fit.oracle.passes });
    });
    theta = r.theta;
    const weights = theta.subarray(0, fit.oracle.weights);
    let nonzeros = 0;
    for (const w of weights) if (w !== 0) nonzeros++;
    const step: PathStep = {
      index, alpha, nonzeros, objective: r.objective, loss: r.objective - penaltyValue(weights, hp), validation: await fit.validation(theta),
      iterations: r.iterations.length, passes: fit.oracle.passes - before, converged: r.converged, ...(fold === undefined ? {} : { fold }),
    };
    out.steps.push(step);
    out.thetas.push(Float64Array.from(theta));
    plan.onPathStep?.(step);
  }
  out.passes = fit.oracle.passes;
  return out;
}

/** Loads the rows under a plan, opens a fit on them, runs `fn`, and releases both. */
async function withFit<T>(backend: Backend, plan: TrainPlan, load: (p: TrainPlan) => Promise<Loaded>, fn: (fit: IterativeFit, l: Loaded) => Promise<T>): Promise<T> {
  const l = await load(plan);
  try {
    const fit = await IterativeFit.open(backend, plan, l.data);
    try {
      plan.onPhase?.('training');
      return await fn(fit, l);
    } finally {
      fit.dispose();
    }
  } finally {
    l.dispose();
  }
}

/** Mean and standard error (sample standard deviation over √k) of each column of `rows`. */
export function meanAndSe(rows: readonly (readonly number[])[]): { mean: number[]; se: number[] } {
  const k = rows.length;
  const n = rows[0].length;
  const mean = Array.from({ length: n }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / k);
  const se = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / Math.max(1, k - 1) / k));
  return { mean, se };
}

/** The α cross-validation picks: the least mean, or (1se) the largest α whose mean is within one standard error of it. */
export function pickAlpha(mean: readonly number[], se: readonly number[], rule: 'min' | '1se'): { best: number; chosen: number } {
  let best = 0;
  for (let i = 1; i < mean.length; i++) if (mean[i] < mean[best]) best = i;
  if (rule === 'min') return { best, chosen: best };
  const bound = mean[best] + se[best];
  const chosen = mean.findIndex((m) => m <= bound); // α decreases along the path: the first within bound is the largest
  return { best, chosen };
}

/** Trains a regularization path (and cross-validates it with --cv); the result holds the chosen α's model. */
export async function trainPath(backend: Backend, plan: TrainPlan, load: (p: TrainPlan) => Promise<Loaded>): Promise<TrainResult> {
  const { spec } = plan;
  const t0 = now();
  // The path over every training row: α_max, the α's, their fits.
  const full = await withFit(backend, plan, load, async (fit, l) => {
    const start = await alphaMax(fit);
    const alphas = alphaGrid(start.alphaMax, spec.alphaPath, spec.alphaMinRatio);
    const fitted = await fitPath(fit, alphas, start);
    const scored = fitted.steps.every((s) => s.validation);
    let chosen = alphas.length - 1;
    let choice = `the path's last α (${spec.alphaMinRatio} × α_max)`;
    if (scored && spec.cv === 0) {
      chosen = fitted.steps.reduce((b, s, i) => (s.validation!.loss < fitted.steps[b].validation!.loss ? i : b), 0);
      choice = 'the least validation loss (--validation)';
    }
    // Without cross-validation the result is built now, on the rows still loaded.
    const result = spec.cv === 0 ? await fit.result(fitted.thetas[chosen], hpAt(plan, alphas[chosen]), summary(plan, fitted, t0), l.uploadSeconds) : null;
    return { alphaMax: start.alphaMax, alphas, fitted, chosen, choice, result, uploadSeconds: l.uploadSeconds };
  });
  const report = (chosen: number, choice: string, cv?: CvReport): PathReport => ({
    alphaMax: full.alphaMax, alphas: full.alphas, steps: full.fitted.steps, chosen, choice, ...(cv ? { cv } : {}),
  });
  if (full.result) return { ...full.result, path: report(full.chosen, full.choice) };

  // Cross-validation: the same α's on each fold's complement, scored on the fold.
  const losses: number[][] = [];
  const folds: { fold: number; rows: number; heldRows: number; validation: (Metrics | undefined)[] }[] = [];
  for (let f = 0; f < spec.cv; f++) {
    const foldPlan: TrainPlan = { ...plan, hold: foldRule(plan.hold, spec.seed, spec.cv, f) };
    const fold = await withFit(backend, foldPlan, load, async (fit, l) => {
      const rows = l.data.stats.y.n;
      const heldRows = l.data.validation?.rows ?? 0;
      if (rows === 0 || heldRows === 0) {
        throw new Error(`--cv ${spec.cv}: fold ${f + 1} ${rows === 0 ? 'leaves no rows to train on' : 'holds no rows'}; use fewer folds (the data has too few rows)`);
      }
      const start = await alphaMax(fit);
      const fitted = await fitPath(fit, full.alphas, start, f);
      return { rows, heldRows, validation: fitted.steps.map((s) => s.validation) };
    });
    losses.push(fold.validation.map((m) => m!.loss));
    folds.push({ fold: f, ...fold });
  }
  const { mean, se } = meanAndSe(losses);
  const { best, chosen } = pickAlpha(mean, se, spec.cvRule);
  const cv: CvReport = {
    k: spec.cv, rule: spec.cvRule, mean, se, best, chosen,
    folds: folds.map((f, i) => ({ fold: f.fold, rows: f.rows, heldRows: f.heldRows, loss: losses[i], metrics: f.validation[chosen]! })),
  };
  const choice = spec.cvRule === 'min'
    ? `the least mean held-out loss over ${spec.cv} folds (--cv-rule min)`
    : `the largest α within one standard error of the least mean held-out loss over ${spec.cv} folds (--cv-rule 1se)`;
  // The model fitted on all training rows at the chosen α, evaluated on them again (the rows are read once more).
  const result = await withFit(backend, plan, load, (fit, l) => fit.result(full.fitted.thetas[chosen], hpAt(plan, full.alphas[chosen]), summary(plan, full.fitted, t0), l.uploadSeconds + full.uploadSeconds));
  return { ...result, path: report(chosen, choice, cv) };
}

/** The solver's summary of a whole path on every training row. */
function summary(plan: TrainPlan, f: Fitted, t0: number): SolverSummary {
  const failed = f.steps.filter((s) => !s.converged).length;
  return {
    solver: plan.spec.solver, iterations: f.iterations, passes: f.passes, converged: failed === 0, seconds: now() - t0,
    reason: failed === 0 ? `every α of the path converged (--solver-tol ${plan.spec.solverTol})` : `${failed} of ${f.steps.length} α's stopped before converging (--max-iter ${plan.spec.maxIter})`,
  };
}
