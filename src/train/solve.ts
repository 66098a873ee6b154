// The exact solver on any backend: one streamed pass over the training rows builds R (TSQR in f64 on the host;
// rows read in f64 when the source can), then `--solver exact` evaluates the solution through the backend, and
// gradient descent gets the optimality gap after every epoch (--gap) and the Newton preconditioner (--precondition).
import type { Backend, TrainSession } from '../backend';
import type { Dataset } from '../core/dataset';
import { isTrained, splitChunk, type Holdout } from '../core/holdout';
import { LOSSES } from '../core/losses';
import { addSums, emptySums, metricsFromSums, type Metrics } from '../core/metrics';
import { standardizeParams, type ModelParams, type ModelSpec, type Standardization } from '../core/model';
import { gapOf, preconditioner } from '../core/solver/gap';
import { featureStats, LeastSquaresStream, solveFactor, type ExactSolution, type Factor } from '../core/solver/least_squares';
import { exactSummary } from '../core/solver/report';
import { modelSpecOf, type TrainSpec } from '../core/spec';
import { memorySource, type DataSource } from '../data/source';
import type { Collective } from './collective';
import { commonShift, mergeFactors, sumRanks } from './solve_ranks';
import { gramFactor, gramVerdict } from './solve_gram';
import { prepareTargets } from './targets';
import { budgetRows, type TrainPlan } from './plan';
import type { EpochReport, Progress, TrainResult } from './report';

const now = (): number => performance.now() / 1000;
const PASS_ROWS = 1 << 16;

/** What a factor pass reads besides the rows: the budget, the f64 rows, the signal, the progress hook and the ranks. */
export type FactorOptions = Pick<TrainPlan, 'memoryBudget' | 'f64Rows' | 'signal' | 'onProgress'> & { collective?: Collective | null };

/**
 * The R factor of a source's training rows (held-out rows skipped), in one pass; from `o.f64Rows` when given. With a
 * backend that has a Gram pass, that pass first, kept where the condition number allows (solve_gram.ts).
 */
export async function exactFactor(
  source: DataSource, fitBias: boolean, hold: Holdout | null, o: FactorOptions, backend: Backend | null = null,
): Promise<Factor> {
  const d = source.features.length;
  const signal = o.signal ?? undefined;
  checkFactorSize(d, o.memoryBudget);
  const ranks = o.collective ?? null;
  const gram = backend && !o.f64Rows && !ranks ? await gramFactor(backend, source, fitBias, hold, signal) : null;
  const why = gram && gramVerdict(gram.factor, gram.relError);
  if (gram && !why) return gram.factor;
  const acc = new LeastSquaresStream(d, fitBias, ranks && fitBias ? await commonShift(source, hold, ranks, signal) : undefined);
  const t0 = now();
  const chunks = o.f64Rows ? o.f64Rows.readF64({ maxRows: PASS_ROWS, signal }) : source.read({ maxRows: PASS_ROWS, signal });
  for await (const c of chunks) {
    if (hold) {
      const first = c.firstRow ?? 0;
      for (let i = 0; i < c.rows; i++) if (isTrained(first + i, hold)) acc.add(c.x.subarray(i * d, (i + 1) * d), c.y.subarray(i, i + 1), 1);
    } else acc.add(c.x, c.y, c.rows);
    o.onProgress?.({ epoch: 0, rowsDone: acc.rows, rowsTotal: source.rows ?? NaN, loss: NaN, elapsed: now() - t0 });
  }
  const factor = { ...acc.factor(), note: why ? `GPU Gram pass not kept (${why}); solved by streamed QR in f64 (a second pass)` : undefined };
  return ranks ? mergeFactors(factor, ranks) : factor;
}

/**
 * Bytes the solver holds for d features: (d + 2)² f64 matrices, 16 for the merge tree's levels (2^16 blocks, up to
 * 2^24 rows; each doubling of the rows beyond adds one) and 3 for the solve (R, the rank decision's copy, the ridge's).
 */
export const factorBytes = (d: number): number => 19 * 8 * (d + 2) ** 2;

const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;

/** Throws when the solver's matrices would not fit the memory budget, naming both. */
export function checkFactorSize(d: number, budget: number): void {
  const need = factorBytes(d);
  if (need > budget) {
    throw new Error(`--solver exact with ${d} features needs ${mib(need)} for its (D + 2)² factors; the limit is --memory-budget ${mib(budget)}: ` +
      'raise the budget, use fewer features, or train by gradient descent (--solver gd), which needs memory linear in D');
  }
}

/** Standardization from R's exact column statistics, as train.ts computes it from the rows (scale only without a bias). */
export function standardizationOf(f: Factor): Standardization {
  const s = featureStats(f);
  const scale = (j: number) => (f.bias ? s.std[j] : s.rms[j]);
  return {
    mean: Float64Array.from({ length: f.d }, (_, j) => (f.bias ? s.mean[j] : 0)),
    invStd: Float64Array.from({ length: f.d }, (_, j) => (scale(j) > 0 ? 1 / scale(j) : 1)),
  };
}

/** The exact solution of a spec's objective on a factor, in the units of `norm`. */
export function solveSpec(f: Factor, spec: TrainSpec, norm?: Standardization): ExactSolution {
  return solveFactor(f, { alpha: spec.penalty === 'l2' ? spec.alpha : 0, standardize: norm });
}

/** `--solver exact`: least squares (ridge with --penalty l2) in one pass, then its metrics through the backend. */
export async function solveExact(backend: Backend, input: DataSource | Dataset, plan: TrainPlan): Promise<TrainResult> {
  const { spec, hold } = plan;
  const t0 = now();
  const raw = 'read' in input ? input : memorySource(input);
  const { source } = await prepareTargets(raw, 'squared', plan.signal ?? undefined);
  const d = source.features.length;
  const factor = await exactFactor(raw, spec.fitBias, hold, plan, plan.collective ? null : backend);
  const norm = spec.standardize ? standardizationOf(factor) : undefined;
  const sol = solveSpec(factor, spec, norm);
  const seconds = now() - t0;
  const m = plan.skipFinalMetrics ? null : await metricsPass(backend, source, modelSpecOf(spec, d, 1, norm), standardizeParams(sol.params, norm), hold, sol, plan.collective);
  const nan = metricsFromSums({ ...emptySums(), rows: factor.rows, loss: NaN, m: new Float64Array(4).fill(NaN) }, LOSSES.squared);
  return {
    spec, classes: null, params: sol.params, objective: sol.objective, endedWorse: null, averaged: false, earlyStop: null, stopped: false,
    standardization: norm, epochs: [], final: m?.final ?? nan, validation: m?.validation,
    secondsPerEpoch: 0, uploadSeconds: seconds, compileSeconds: m?.compileSeconds ?? 0, backend: backend.kind, device: backend.device, rows: factor.rows,
    validationRows: m?.validationRows ?? 0, d, features: [...source.features], target: source.target,
    streamed: (source.rows ?? factor.rows) > budgetRows(plan, d), chunkRows: [PASS_ROWS], skipped: source.skipped ?? 0,
    exact: exactSummary(sol, source.features, seconds),
  };
}

/** Metrics of the training rows (and the held-out ones) at `params` (model units), one chunk at a time on the backend. */
async function metricsPass(
  backend: Backend, source: DataSource, model: ModelSpec, params: ModelParams, hold: Holdout | null, sol: ExactSolution, ranks: Collective | null,
): Promise<{ final: Metrics; validation?: Metrics; validationRows: number; compileSeconds: number }> {
  const slotRows = Math.min(PASS_ROWS, backend.maxChunkRows(model.d));
  const store = backend.createStore(model.d, slotRows);
  const session = await backend.createSession(store, model, params);
  const compileSeconds = session.compileSeconds ?? 0;
  const yMean = sol.factor.yShift + (sol.factor.bias ? (sol.factor.r[0] * sol.factor.r[sol.factor.p - 1]) / sol.rows : 0);
  let train = emptySums();
  let held = emptySums();
  try {
    for await (const c of source.read({ maxRows: slotRows })) {
      const parts = hold ? splitChunk(c, model.d, hold) : { train: c, held: null };
      for (const [part, sums] of [[parts.train, train], [parts.held, held]] as const) {
        if (!part || part.rows === 0) continue;
        await store.load(0, part);
        addSums(sums, await session.evaluate(store, yMean));
      }
    }
  } finally {
    session.dispose();
    store.dispose();
  }
  if (ranks) [train, held] = [await sumRanks(train, ranks), await sumRanks(held, ranks)];
  const unit = LOSSES.squared;
  return { final: metricsFromSums(train, unit), validation: held.rows ? metricsFromSums(held, unit) : undefined, validationRows: held.rows, compileSeconds };
}

/** What --gap and --precondition add to a gradient-descent run: hooks on its session, plan and result. */
export interface SolverHooks {
  session(s: TrainSession): TrainSession;
  plan(p: TrainPlan): TrainPlan;
  finish(r: TrainResult): TrainResult;
}

const IDENTITY: SolverHooks = { session: (s) => s, plan: (p) => p, finish: (r) => r };

/**
 * For --gap or --precondition: one pass for R, the exact optimum of the run's objective (in the model's units), then
 * the gap after every epoch (EpochReport.gap) and preconditioned gradients (steps then read the gradient back).
 */
export async function solverHooks(source: DataSource, plan: TrainPlan, model: ModelSpec): Promise<SolverHooks> {
  const { spec } = plan;
  if (!spec.gap && !spec.precondition) return IDENTITY;
  const t0 = now();
  const factor = await exactFactor(source, model.fitBias, plan.hold, { ...plan, f64Rows: null, onProgress: null });
  const sol = solveSpec(factor, spec, model.standardize);
  const summary = exactSummary(sol, source.features, now() - t0);
  const gapHistory: number[] = [];
  return {
    session: (s) => (spec.precondition ? preconditioned(s, sol, model, spec) : s),
    plan: (p) => ({
      ...p,
      hostUpdate: p.hostUpdate || spec.precondition,
      onEpoch: spec.gap || p.onEpoch ? (e: EpochReport) => {
        if (spec.gap && e.params) {
          e.gap = gapOf(sol, e.params);
          gapHistory.push(e.gap.gap);
        }
        p.onEpoch?.(e);
      } : null,
    }),
    finish: (r) => Object.assign(r, { exact: summary, ...(spec.gap ? { gap: gapOf(sol, r.params), gapHistory } : {}) }),
  };
}

/**
 * A session whose gradients are preconditioned: g ↦ P·(g + ∇penalty) − ∇penalty per output, so that the host update
 * (which adds the penalty's gradient itself) takes the step P·(g + ∇penalty). Everything else is the session's own.
 */
function preconditioned(session: TrainSession, sol: ExactSolution, model: ModelSpec, spec: TrainSpec): TrainSession {
  const pre = preconditioner(sol, model.loss === 'squared' ? 2 : 1);
  const { d, fitBias: bias, outputs } = model;
  const l2 = model.penalty === 'l2' ? spec.alpha : 0;
  const off = bias ? 1 : 0;
  const gradient = async (...args: Parameters<TrainSession['gradient']>) => {
    const g = await session.gradient(...args);
    const p = l2 ? await session.readModel() : null;
    for (let c = 0; c < outputs; c++) {
      const v = new Float64Array(d + off);
      if (bias) v[0] = g.bias[c];
      for (let j = 0; j < d; j++) v[j + off] = g.weights[c * d + j] + (p ? l2 * p.weights[c * d + j] : 0);
      const u = pre(v);
      if (bias) g.bias[c] = u[0];
      for (let j = 0; j < d; j++) g.weights[c * d + j] = u[j + off] - (p ? l2 * p.weights[c * d + j] : 0);
    }
    return g;
  };
  return new Proxy(session, {
    get(target, key) {
      if (key === 'gradient') return gradient;
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
