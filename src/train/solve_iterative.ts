// The iterative solvers on any backend. Newton and L-BFGS/OWL-QN: the loaded run's rows (resident, or streamed
// through one slot each pass) answer the solver's oracle (oracle.ts) and the solver iterates on the host in f64 until
// its gap estimate falls below --solver-tol. Dual coordinate descent (the SVM and SVR) and the quantile smoothing
// continuation: the training rows are read once into host memory (f64, in the units the model trains in,
// memory_rows.ts). Either way the result is evaluated as a trained model is — final and held-out metrics through
// the backend — with every iteration's report.
import type { Backend } from '../backend';
import { LOSSES } from '../core/losses';
import { metricsFromSums, type Metrics } from '../core/metrics';
import { standardizeParams, unstandardize } from '../core/model';
import { penaltyValue } from '../core/penalties';
import { lbfgs } from '../core/solver/lbfgs';
import { newton, type Iteration, type SolveResult } from '../core/solver/newton';
import { withPenalty } from '../core/solver/oracle';
import { quantileFit } from '../core/solver/quantile';
import { smo } from '../core/solver/smo';
import { memoryRows } from './memory_rows';
import { modelSpecOf } from '../core/spec';
import { streamedMetrics } from './epochs';
import { TrainingHealth } from './health';
import { standardizationOf } from './load';
import { sessionOracle, paramsOf, thetaOf } from './oracle';
import type { TrainPlan } from './plan';
import type { SolverSummary, TrainResult } from './report';
import type { LoadedRun } from './loaded';

const now = (): number => performance.now() / 1000;

/** Fits the loaded run's model by the plan's second-order or quasi-Newton solver. */
export async function solveIterative(backend: Backend, plan: TrainPlan, data: LoadedRun, uploadSeconds: number): Promise<TrainResult> {
  const { spec } = plan;
  if (!spec.fitBias && (spec.solver === 'dcd' || spec.solver === 'smoothing')) {
    throw new Error(`--solver ${spec.solver} fits an intercept; --no-bias needs --solver gd or lbfgs`);
  }
  if (plan.checkpoint.write || plan.checkpoint.resume) {
    throw new Error(`checkpoints and --resume are for gradient descent (--solver gd); --solver ${spec.solver} finishes in ${spec.maxIter} iterations at most`);
  }
  const { source } = data.targets;
  const d = source.features.length;
  const norm = data.stats.x ? standardizationOf(data.stats.x, spec.fitBias) : undefined;
  const model = modelSpecOf(spec, d, data.targets.outputs, norm);
  plan.onPhase?.('compiling');
  const session = await backend.createSession(data.store, model, plan.init ? standardizeParams(plan.init, norm) : undefined,
    { batch: Math.max(1, data.stats.y.n), shuffle: false, average: false, gradient: true });
  try {
    plan.onPhase?.('training');
    const t0 = now();
    const rows = { store: data.store, stream: data.stream ? { source, hold: plan.hold, slotRows: data.stream.slotRows } : null };
    const base = sessionOracle(session, model, rows);
    const [l2, l1] = model.penaltyHp;
    const oracle = withPenalty(base, l2);
    const theta0 = thetaOf(await session.readModel(), model);
    const iterations: Iteration[] = [];
    const opts = {
      maxIter: spec.maxIter, tol: spec.solverTol, signal: plan.signal ?? undefined,
      onIteration: (it: Iteration) => {
        iterations.push(it);
        plan.onIteration?.({ ...it, passes: base.passes });
      },
    };
    let r: SolveResult;
    if (spec.solver === 'newton') r = await newton(oracle, theta0, { ...opts, l1 });
    else if (spec.solver === 'lbfgs') r = await lbfgs(oracle, theta0, { ...opts, history: spec.history, l1 });
    else {
      const mem = await memoryRows(source, plan, model, data.stats.y.n);
      r = spec.solver === 'dcd'
        ? smo(mem, spec.loss as 'hinge' | 'epsilon-insensitive', spec.alpha, spec.epsilon, opts)
        : await quantileFit(mem, spec.quantile, l2, opts);
    }
    const seconds = now() - t0;
    const trained = paramsOf(r.theta, model);
    session.writeModel(trained);
    const unit = LOSSES[spec.loss];
    const final: Metrics = data.stream ? await streamedMetrics({ session, model, source, d, plan, stats: data.stats, stream: data.stream }, unit) : metricsFromSums(await session.evaluate(data.store, data.stats.y.mean(0)), unit);
    const validation = data.validation && data.validation.rows > 0
      ? metricsFromSums(await session.evaluate(data.validation.store, data.validation.y.mean(0)), unit) : undefined;
    await new TrainingHealth(source, spec, backend.kind).final(trained, final);
    const solve: SolverSummary = { solver: spec.solver, iterations, passes: Math.max(base.passes, r.passes), converged: r.converged, reason: r.reason, seconds };
    return {
      spec, classes: data.targets.classes, params: norm ? unstandardize(trained, norm) : trained,
      objective: final.loss + penaltyValue(trained.weights, model.penaltyHp), endedWorse: null, standardization: norm,
      epochs: [], final, validation, averaged: false, earlyStop: null, stopped: !!plan.signal?.aborted,
      compileSeconds: session.compileSeconds ?? 0, secondsPerEpoch: 0, uploadSeconds,
      backend: backend.kind, device: backend.device, rows: data.stats.y.n, validationRows: data.validation?.rows ?? 0, d,
      features: [...source.features], target: source.target, streamed: !!data.stream,
      chunkRows: data.stream ? [data.stream.slotRows] : [...data.store.rowsIn], skipped: source.skipped ?? 0, solve,
    };
  } finally {
    session.dispose();
  }
}
