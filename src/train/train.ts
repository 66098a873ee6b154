// The host loop's entry: train() resolves the options into a plan (plan.ts), prepares the targets, reads the data
// — resident in the backend's memory when it fits the budget, else streamed chunk by chunk every epoch — and hands
// the loaded run to the epoch loop (run.ts). Batch losses are read back once per window (an epoch, or every
// `lossEvery` steps), never inside the step loop; host-update mode applies the step in TypeScript.
import type { Backend, ChunkStore } from '../backend';
import type { Dataset } from '../core/dataset';
import { LOSSES, type LossKind } from '../core/losses';
import { standardizeParams, type Standardization } from '../core/model';
import { OptionError } from '../core/options';
import { OPTIMIZERS } from '../core/optim';
import { modelSpecOf, type TrainSpec } from '../core/spec';
import { ColumnSet } from '../core/stats';
import type { DataSource } from '../data/source';
import { checkpointMismatch, checkResumable } from './checkpoint';
import { prepareStream, type EpochContext, type Stream } from './epochs';
import { checkedInput, checkInit, checkTrainingRows } from './inputs';
import { loadResident, trainRows, ValidationSet, type RowStats } from './load';
import { budgetRows, resolvePlan, sparseModelBytes, type TrainOptions, type TrainPlan } from './plan';
import type { TrainResult } from './report';
import { runEpochs } from './run';
import { RunState } from './run_state';
import { solveExact, solverHooks } from './solve';
import { prepareTargets, targetKind, type Targets } from './targets';

const now = (): number => performance.now() / 1000;

/**
 * Per-feature scaling from the training rows' statistics. With a bias the columns are centered and scaled; without
 * one they are only scaled (by the root mean square), since centering would add an intercept the model lacks.
 */
function standardization(s: ColumnSet, fitBias: boolean): Standardization {
  const d = s.columns;
  const scale = (j: number) => (fitBias ? s.std(j) : Math.sqrt(s.std(j) ** 2 + s.mean(j) ** 2));
  const invStd = Float64Array.from({ length: d }, (_, j) => (scale(j) > 0 ? 1 / scale(j) : 1));
  return { mean: Float64Array.from({ length: d }, (_, j) => (fitBias ? s.mean(j) : 0)), invStd };
}

/** A standardization of the dense columns, extended over a sparse block of `width` columns (left as they are). */
function withSparse(s: Standardization, width: number): Standardization {
  if (width === 0) return s;
  const mean = new Float64Array(s.mean.length + width);
  const invStd = new Float64Array(s.mean.length + width).fill(1);
  mean.set(s.mean);
  invStd.set(s.invStd);
  return { mean, invStd };
}

/** Sparse rows train by gradient descent only: the exact solver and its Gram-based options need dense columns. */
function checkSparseSolver(source: DataSource, spec: TrainSpec): void {
  if (!source.sparse) return;
  const name = spec.solver === 'exact' ? 'solver' : spec.precondition ? 'precondition' : spec.gap ? 'gap' : null;
  if (name) {
    throw new OptionError(name, `--${name === 'solver' ? 'solver exact' : name} needs dense columns; ${source.description} has a sparse block of ` +
      `${source.sparse.width} columns (categorical or svmlight features): train it with gradient descent (--solver gd)`);
  }
}

/** Data read once into a backend's memory, to train on repeatedly (benchmarks, the web page). */
export interface ResidentData {
  readonly store: ChunkStore;
  readonly d: number;
  readonly rows: number;
  /** The source as loaded (targets mapped to class indices when prepared for classification). */
  readonly source: DataSource;
  readonly stats: RowStats;
  /** What the targets were prepared for: regression values, or classes (then `classes` lists them). */
  readonly targets: 'regression' | 'classes';
  readonly classes: string[] | null;
  dispose(): void;
}

/**
 * Reads a source (or dataset) into a backend's memory in chunks of `chunkRows` (default: the largest), its
 * targets prepared for `loss` (default squared: regression values; a classification loss maps labels to classes).
 */
export async function uploadDataset(
  backend: Backend, input: DataSource | Dataset, o: { chunkRows?: number; loss?: LossKind; signal?: AbortSignal } = {},
): Promise<ResidentData> {
  const raw = checkedInput(input);
  const targets = await prepareTargets(raw, o.loss ?? 'squared', o.signal);
  const source = targets.source;
  const d = source.features.length;
  const stats: RowStats = { x: new ColumnSet(d), y: new ColumnSet(1) };
  const slotRows = Math.min(o.chunkRows ?? Infinity, backend.maxChunkRows(d));
  const store = (await loadResident(backend, source, d, slotRows, Infinity, null, null, stats, o.signal))!;
  return {
    store, d, rows: stats.y.n, source, stats, targets: targetKind(o.loss ?? 'squared'), classes: targets.classes,
    dispose: () => store.dispose(),
  };
}

/** Trains on resident data (no holdout; the data stays loaded for the next call). */
export async function trainResident(backend: Backend, data: ResidentData, opts: TrainOptions): Promise<TrainResult> {
  const plan = resolvePlan(opts);
  const { spec } = plan;
  if (spec.validation) throw new Error('trainResident: a validation split needs train() (the split happens while reading)');
  checkSparseSolver(data.source, spec);
  if (spec.solver === 'exact') return solveExact(backend, data.source, plan);
  if (targetKind(spec.loss) !== data.targets || (LOSSES[spec.loss].task === 'binary' && data.classes!.length !== 2)) {
    throw new Error(`the data was loaded for ${data.classes ? `${data.classes.length} classes` : 'regression'}; --loss ${spec.loss} needs it loaded for its own targets`);
  }
  const stats: RowStats = { x: spec.standardize ? data.stats.x : null, y: data.stats.y };
  const outputs = LOSSES[spec.loss].task === 'multiclass' ? data.classes!.length : 1;
  const targets = { source: data.source, classes: data.classes, outputs };
  return trainOn(backend, plan, { targets, store: data.store, stats, validation: null, stream: null }, 0);
}

/** The data of a run as loaded: targets prepared, rows resident or a stream's ring, their statistics, the held-out rows. */
export interface LoadedRun {
  targets: Targets;
  store: ChunkStore;
  stats: RowStats;
  validation: ValidationSet | null;
  stream: Stream | null;
}

/** Trains a linear model on a source (or an in-memory dataset). */
export async function train(backend: Backend, input: DataSource | Dataset, opts: TrainOptions): Promise<TrainResult> {
  const plan = resolvePlan(opts);
  const { spec, hold } = plan;
  input = checkedInput(input);
  checkSparseSolver(input, spec);
  if (spec.solver === 'exact') return solveExact(backend, input, plan);
  const t0 = now();
  const targets = await prepareTargets(input, spec.loss, plan.signal ?? undefined);
  const source = targets.source;
  const d = source.features.length;
  checkInit(plan.init ?? undefined, d + (source.sparse?.width ?? 0), targets.outputs);
  const reserved = source.sparse ? sparseModelBytes(source.sparse.width, targets.outputs, OPTIMIZERS[spec.optimizer].slots) : 0;
  const budget = budgetRows(plan, d, source.sparse?.nnzPerRow, reserved);
  const newStats = (): RowStats => ({ x: spec.standardize ? new ColumnSet(d) : null, y: new ColumnSet(1) });
  const newValidation = () => (hold ? new ValidationSet(backend, d, backend.maxChunkRows(d), Math.floor(budget / 2)) : null);
  let stats = newStats();
  let validation = newValidation();
  let store: ChunkStore | null = null;
  if (source.rows === null || source.rows <= budget) {
    const slotRows = Math.min(plan.chunkRows, backend.maxChunkRows(d));
    store = await loadResident(backend, source, d, slotRows, budget, hold, validation, stats, plan.signal ?? undefined);
  }
  let stream: Stream | null = null;
  try {
    if (!store) {
      validation?.store.dispose();
      stats = newStats();
      validation = newValidation();
      stream = await prepareStream(backend, plan, source, validation, stats, reserved);
      store = stream.store;
    }
    if (!stream) checkTrainingRows(source, stats.y.n, validation?.rows ?? 0, spec);
    return await trainOn(backend, plan, { targets, store, stats, validation, stream }, now() - t0);
  } finally {
    store?.dispose();
    validation?.store.dispose();
    stream?.evalStore.dispose();
  }
}

async function trainOn(backend: Backend, plan: TrainPlan, data: LoadedRun, uploadSeconds: number): Promise<TrainResult> {
  const { spec } = plan;
  const { source } = data.targets;
  const d = source.features.length;
  const width = source.sparse?.width ?? 0;
  const norm = data.stats.x ? withSparse(standardization(data.stats.x, spec.fitBias), width) : undefined;
  const resume = plan.checkpoint.resume;
  if (resume) {
    const facts = { features: [...source.features], target: source.target, rows: data.stats.y.n, classes: data.targets.classes, ...plan.checkpoint.fingerprint };
    const diff = checkpointMismatch(resume, spec, facts);
    if (diff.length) throw new Error(`the checkpoint does not match this run, so it cannot resume: ${diff.join('; ')}`);
  }
  const model = modelSpecOf(spec, d + width, data.targets.outputs, resume ? resume.standardization ?? undefined : norm, width ? { dense: d, width } : undefined);
  const hooks = await solverHooks(source, plan, model);
  plan = hooks.plan(plan);
  plan.onPhase?.('compiling');
  const init = resume?.params ?? (plan.init ? standardizeParams(plan.init, norm) : undefined);
  // A step covering its whole chunk reads it in storage order, so a full batch of resident rows is never shuffled.
  const rows = data.stats.y.n;
  const use = { batch: Math.min(spec.batch, rows || spec.batch), shuffle: spec.shuffle && !(rows > 0 && spec.batch >= rows && !data.stream), average: spec.average, gradient: plan.hostUpdate };
  const session = hooks.session(await backend.createSession(data.store, model, init, use));
  try {
    const run = new RunState(spec, await stepsPerEpoch(plan, source, data.stats));
    checkAveraging(spec, run, !!resume);
    if (resume) {
      checkResumable(resume, { d: d + width, outputs: data.targets.outputs, stepsPerEpoch: run.stepsPerEpoch });
      session.writeState(resume.state);
      run.restore(resume.run);
    }
    const ctx: EpochContext = { backend, session, plan, ...data, source, d, model, run };
    plan.onPhase?.('training');
    return hooks.finish(await runEpochs(ctx, uploadSeconds));
  } finally {
    session.dispose();
  }
}

/**
 * Steps in an epoch: the training rows over the batch size. Rows not known yet (a CSV streamed without a first
 * pass, or a holdout on streamed data) are counted in a pass when the spec needs the epoch's length (a schedule
 * period of one epoch, cosine's horizon, averaging: where it starts, and whether it starts at all; a resume's position).
 */
async function stepsPerEpoch(plan: TrainPlan, source: DataSource, stats: RowStats): Promise<number> {
  const { spec } = plan;
  let rows = stats.y.n;
  const needed = (['step', 'exponential'].includes(spec.lrSchedule) && spec.stepEvery === 0) || spec.lrSchedule === 'cosine' || spec.average ||
    plan.checkpoint.resume !== null;
  if (rows === 0 && needed) {
    for await (const c of trainRows(source.read({ signal: plan.signal ?? undefined }), source.features.length, plan.hold, null)) rows += c.rows;
  }
  return rows === 0 ? 1 : Math.ceil(rows / Math.min(spec.batch, rows));
}

/** --average that would average nothing (it starts after the run's last step) stops before training starts. */
function checkAveraging(spec: TrainSpec, run: RunState, resuming: boolean): void {
  const total = run.stepsPerEpoch * spec.epochs;
  if (!spec.average || resuming || run.averageFrom < total) return;
  const from = spec.averageStart > 0 ? `step ${spec.averageStart}` : `step ${run.averageFrom + 1} (the first of epoch 2)`;
  throw new OptionError('average', `--average would average nothing: it starts at ${from}, but the run takes ${total} steps ` +
    `(${spec.epochs} epoch(s) of ${run.stepsPerEpoch}); train more epochs or start it earlier with --average-start S (S ≤ ${total})`);
}

