// The iterative solvers on any backend. Newton and L-BFGS/OWL-QN: the loaded run's rows (resident, or streamed
// through one slot each pass) answer the solver's oracle (oracle.ts) and the solver iterates on the host in f64 until
// its gap estimate falls below --solver-tol. Dual coordinate descent (the SVM and SVR) and the quantile smoothing
// continuation: the training rows are read once into host memory (f64, in the units the model trains in,
// memory_rows.ts). Either way the result is evaluated as a trained model is — final and held-out metrics through
// the backend — with every iteration's report. IterativeFit keeps one session open for many fits (path.ts).
import type { Backend, TrainSession } from '../backend';
import { LOSSES } from '../core/losses';
import { metricsFromSums, type Metrics } from '../core/metrics';
import { standardizeParams, unstandardize, type ModelSpec, type Standardization } from '../core/model';
import { penaltyValue, type PenaltyHp } from '../core/penalties';
import { lbfgs } from '../core/solver/lbfgs';
import { newton, type Iteration, type SolveResult } from '../core/solver/newton';
import { withPenalty } from '../core/solver/oracle';
import { quantileFit } from '../core/solver/quantile';
import { smo } from '../core/solver/smo';
import { memoryRows } from './memory_rows';
import { modelSpecOf } from '../core/spec';
import { streamedMetrics } from './epochs';
import { TrainingHealth } from './health';
import { meanWeightOf, standardizationOf, withSparse } from './load';
import { sessionOracle, paramsOf, thetaOf, type CountingOracle } from './oracle';
import type { TrainPlan } from './plan';
import type { SolverSummary, TrainResult } from './report';
import type { LoadedRun } from './loaded';

const now = (): number => performance.now() / 1000;

/** A session over a loaded run, ready to fit its model at any penalty and to report a fit as a TrainResult. */
export class IterativeFit {
  private constructor(
    readonly backend: Backend, readonly plan: TrainPlan, readonly data: LoadedRun, readonly session: TrainSession,
    readonly model: ModelSpec, readonly norm: Standardization | undefined, readonly oracle: CountingOracle,
  ) {}

  /** Opens a session on the run's rows (compiling its kernels before any clock starts). */
  static async open(backend: Backend, plan: TrainPlan, data: LoadedRun): Promise<IterativeFit> {
    const { spec } = plan;
    if (!spec.fitBias && (spec.solver === 'dcd' || spec.solver === 'smoothing')) {
      throw new Error(`--solver ${spec.solver} fits an intercept; --no-bias needs --solver gd or lbfgs`);
    }
    if (plan.checkpoint.write || plan.checkpoint.resume) {
      throw new Error(`checkpoints and --resume are for gradient descent (--solver gd); --solver ${spec.solver} finishes in ${spec.maxIter} iterations at most`);
    }
    const { source } = data.targets;
    // A sparse block (categorical or svmlight features) is the last `width` of the model's D = d + width columns.
    const d = source.features.length;
    const width = source.sparse?.width ?? 0;
    const norm = data.stats.x ? withSparse(standardizationOf(data.stats.x, spec.fitBias), width) : undefined;
    const model = modelSpecOf(spec, d + width, data.targets.outputs, norm, meanWeightOf(data.stats, source.description), width ? { dense: d, width } : undefined);
    plan.onPhase?.('compiling');
    const session = await backend.createSession(data.store, model, plan.init ? standardizeParams(plan.init, norm) : undefined,
      { batch: Math.max(1, data.stats.y.n), shuffle: false, average: false, gradient: true });
    const rows = { store: data.store, stream: data.stream ? { source, hold: plan.hold, slotRows: data.stream.slotRows } : null };
    return new IterativeFit(backend, plan, data, session, model, norm, sessionOracle(session, model, rows));
  }

  /** The starting θ: the caller's initial model (standardized), or the session's zeros. */
  async start(): Promise<Float64Array> {
    return thetaOf(await this.session.readModel(), this.model);
  }

  /** Fits the model at the penalty strengths `hp` ([l2, l1, …], the spec's by default) from θ0 by the plan's solver. */
  /**
   * The answer at α ≥ α_max under a penalty with an L1 part, without a solve: every weight zero and the biases at their
   * own optimum θ0 — α_max's definition (the largest |gradient| of a weight there over the L1 share) makes it the
   * optimum, where a solver started on that boundary could step off it by rounding. One pass, for its objective.
   */
  async allZero(theta0: Float64Array, hp: PenaltyHp): Promise<SolveResult> {
    const e = await withPenalty(this.oracle, hp[0]).evaluate(theta0, 0);
    return { theta: Float64Array.from(theta0), objective: e.f, iterations: [], passes: 1, converged: true, reason: 'α ≥ α_max: every weight is zero' };
  }

  async fit(theta0: Float64Array, hp: PenaltyHp = this.model.penaltyHp, onIteration?: (it: Iteration) => void): Promise<SolveResult> {
    const { spec } = this.plan;
    const [l2, l1] = hp;
    const oracle = withPenalty(this.oracle, l2);
    const opts = { maxIter: spec.maxIter, tol: spec.solverTol, signal: this.plan.signal ?? undefined, onIteration };
    if (spec.solver === 'newton') return newton(oracle, theta0, { ...opts, l1 });
    if (spec.solver === 'lbfgs') return lbfgs(oracle, theta0, { ...opts, history: spec.history, l1 });
    const mem = await memoryRows(this.data.targets.source, this.plan, this.model, this.data.stats.y.n);
    return spec.solver === 'dcd'
      ? smo(mem, spec.loss as 'hinge' | 'epsilon-insensitive', spec.alpha, spec.epsilon, opts)
      : quantileFit(mem, spec.quantile, l2, opts);
  }

  /** Metrics over the held-out rows at θ (undefined without any). */
  async validation(theta: Float64Array): Promise<Metrics | undefined> {
    const v = this.data.validation;
    if (!v || v.rows === 0) return undefined;
    this.session.writeModel(paramsOf(theta, this.model));
    return metricsFromSums(await this.session.evaluate(v.store, v.y.mean(0)), LOSSES[this.plan.spec.loss]);
  }

  /** The run's result with θ as its model: final and held-out metrics through the backend, the health checks. */
  async result(theta: Float64Array, hp: PenaltyHp, solve: SolverSummary, uploadSeconds: number): Promise<TrainResult> {
    const { spec } = this.plan;
    const { data, session, model, norm } = this;
    const { source } = data.targets;
    const d = source.features.length;
    const trained = paramsOf(theta, model);
    session.writeModel(trained);
    const unit = LOSSES[spec.loss];
    const final: Metrics = data.stream
      ? await streamedMetrics({ session, model, source, d, plan: this.plan, stats: data.stats, stream: data.stream }, unit)
      : metricsFromSums(await session.evaluate(data.store, data.stats.y.mean(0)), unit);
    const validation = data.validation && data.validation.rows > 0
      ? metricsFromSums(await session.evaluate(data.validation.store, data.validation.y.mean(0)), unit) : undefined;
    await new TrainingHealth(source, spec, this.backend.kind).final(trained, final);
    return {
      spec, classes: data.targets.classes, params: norm ? unstandardize(trained, norm) : trained,
      objective: final.loss + penaltyValue(trained.weights, hp), endedWorse: null, standardization: norm,
      epochs: [], final, validation, averaged: false, earlyStop: null, stopped: !!this.plan.signal?.aborted,
      compileSeconds: session.compileSeconds ?? 0, secondsPerEpoch: 0, uploadSeconds,
      backend: this.backend.kind, device: this.backend.device, rows: data.stats.y.n, validationRows: data.validation?.rows ?? 0, d,
      features: [...source.features], target: source.target, streamed: !!data.stream,
      chunkRows: data.stream ? [data.stream.slotRows] : [...data.store.rowsIn], skipped: source.skipped ?? 0, solve,
    };
  }

  dispose(): void {
    this.session.dispose();
  }
}

/** Fits the loaded run's model by the plan's second-order, quasi-Newton, dual or smoothing solver. */
export async function solveIterative(backend: Backend, plan: TrainPlan, data: LoadedRun, uploadSeconds: number): Promise<TrainResult> {
  const fit = await IterativeFit.open(backend, plan, data);
  try {
    plan.onPhase?.('training');
    const t0 = now();
    const iterations: Iteration[] = [];
    const r = await fit.fit(await fit.start(), fit.model.penaltyHp, (it) => {
      iterations.push(it);
      plan.onIteration?.({ ...it, passes: fit.oracle.passes });
    });
    const solve: SolverSummary = {
      solver: plan.spec.solver, iterations, passes: Math.max(fit.oracle.passes, r.passes), converged: r.converged, reason: r.reason, seconds: now() - t0,
    };
    return await fit.result(r.theta, fit.model.penaltyHp, solve, uploadSeconds);
  } finally {
    fit.dispose();
  }
}
