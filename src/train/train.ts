// The host loop: epochs × mini-batches on any Backend, over any DataSource. Data that fits the memory
// budget is read once into GPU (or CPU) memory; larger data is streamed, chunk by chunk, every epoch.
// Batch losses are recorded by the backend and read back once per window (an epoch, or every
// `lossEvery` steps), never inside the step loop; host-update mode applies the step in TypeScript.
import type { Backend, ChunkStore } from '../backend';
import type { Dataset } from '../core/dataset';
import { holdout, type Holdout } from '../core/holdout';
import { LOSSES, type LossKind } from '../core/losses';
import { confusionClasses, emptySums, metricsFromSums, type Metrics } from '../core/metrics';
import { standardizeParams, unstandardize, type ModelParams, type Standardization } from '../core/model';
import { penaltyValue } from '../core/penalties';
import { modelSpecOf, parseTrainSpec, TRAIN_OPTIONS, type TrainSpec } from '../core/spec';
import type { Gap } from '../core/solver/least_squares';
import type { ExactSummary } from '../core/solver/report';
import type { F64Rows } from '../data/csv_f64';
import { ColumnSet } from '../core/stats';
import { memorySource, type DataSource } from '../data/source';
import { checkpointMismatch, type Checkpoint, type DataFingerprint } from './checkpoint';
import { prepareStream, type EpochContext, type Stream } from './epochs';
import { loadResident, trainRows, ValidationSet, type RowStats } from './load';
import { runEpochs } from './run';
import { RunState, type EarlyStop } from './run_state';
import { solveExact, solverHooks } from './solve';
import { checkedInput, checkInit, checkTrainingRows } from './inputs';
import { prepareTargets, targetKind, type Targets } from './targets';

/** Hooks and sizes of one run that are not training settings. */
export interface RunOptions {
  /** The training rows in f64 for --solver exact (a CSV read without rounding to float32; src/data/csv_f64.ts). */
  f64Rows?: F64Rows;
  /** Also read the batch losses back every k steps (progress); otherwise once per epoch. */
  lossEvery?: number;
  /** Rows per chunk (default: the backend's largest for resident data, a budget share when streaming). */
  chunkRows?: number;
  /** Bytes of rows the backend may hold (default 1 GiB); larger data is streamed every epoch. */
  memoryBudget?: number;
  /** Starting parameters, in original units (K × D weights, K biases). */
  init?: ModelParams;
  /** Skip the final metrics pass (for streamed data it reads the source once more); `final` is then NaN. */
  skipFinalMetrics?: boolean;
  /** Evaluate metrics over all training rows after every epoch (resident data only). */
  evaluateEachEpoch?: boolean;
  /** Stops after the current window; the result holds the model trained so far. */
  signal?: AbortSignal;
  /** Awaited at every loss-recording window: a pending promise pauses training. */
  pause?: () => Promise<void>;
  onEpoch?: (e: EpochReport) => void;
  onProgress?: (p: Progress) => void;
  /** Called with a checkpoint every `checkpointEpochs` epochs or `checkpointSteps` steps, at the end and when stopped. */
  onCheckpoint?: (c: Checkpoint) => Promise<void>;
  checkpointEpochs?: number;
  checkpointSteps?: number;
  /** Continue the run a checkpoint recorded (same spec and data, else an error says what differs). */
  resume?: Checkpoint;
  /** Facts about the data a checkpoint records and a resume compares (the CLI adds file size and mtime). */
  fingerprint?: DataFingerprint;
}

/** Training settings (core/spec.ts; all but `epochs`, `batch` and `lr` default) and the run's hooks. */
export type TrainOptions = Partial<TrainSpec> & Pick<TrainSpec, 'epochs' | 'batch' | 'lr'> & RunOptions;

/** What one epoch did. */
export interface EpochReport {
  epoch: number;
  /** Mean of the epoch's batch losses (each taken before its step's update). */
  loss: number;
  seconds: number;
  steps: number;
  /** Metrics over all training rows after the epoch, when `evaluateEachEpoch`. */
  metrics?: Metrics;
  /** Metrics over the held-out rows after the epoch, when `validation` > 0. */
  validation?: Metrics;
  /** Parameters after the epoch in original units (read back only when there is an `onEpoch` listener). */
  params?: ModelParams;
  /** The optimality gap after the epoch (--gap). */
  gap?: Gap;
  /** The learning rate of the epoch's last step. */
  lr: number;
}

/** Progress inside an epoch. */
export interface Progress {
  epoch: number;
  rowsDone: number;
  /** Training rows per epoch (NaN while the first pass over a CSV has not finished). */
  rowsTotal: number;
  loss: number;
  elapsed: number;
}

/** The outcome of a training run. */
export interface TrainResult {
  /** The settings it ran with, defaults filled in. */
  spec: TrainSpec;
  /** Class labels in index order for a classification loss, else null. */
  classes: string[] | null;
  /** Parameters in original units: K × D weights and K biases (K = 1 but for multiclass). */
  params: ModelParams;
  /** Final mean loss plus the penalty of the trained weights (in the units they were trained in). */
  objective: number;
  /** Whether `params` are the running (Polyak–Ruppert) average of the iterates. */
  averaged: boolean;
  /** When early stopping ended the run: which epoch's weights were kept and why. */
  earlyStop: EarlyStop | null;
  /** Whether the run was stopped (its signal aborted) before its last epoch. */
  stopped: boolean;
  standardization?: Standardization;
  epochs: EpochReport[];
  /** Metrics over all training rows at the final parameters. */
  final: Metrics;
  validation?: Metrics;
  secondsPerEpoch: number;
  uploadSeconds: number;
  backend: string;
  device: string;
  rows: number;
  validationRows: number;
  d: number;
  features: string[];
  target: string;
  streamed: boolean;
  chunkRows: number[];
  /** Rows skipped as bad by the source. */
  skipped: number;
  /** The exact solver's findings (--solver exact, --gap, --precondition), the final gap and the gap after each epoch (--gap). */
  exact?: ExactSummary;
  gap?: Gap;
  gapHistory?: number[];
}

const now = (): number => performance.now() / 1000;
const DEFAULT_BUDGET = 2 ** 30;

/** Bytes a row takes on a backend: features padded to 4 floats, plus the target. */
export function rowBytes(d: number): number {
  return Math.ceil(d / 4) * 16 + 4;
}

/** The spec of a run's options: the settings given, the rest at their defaults, each value checked. */
export function specOf(o: TrainOptions): TrainSpec {
  const record: Record<string, unknown> = {};
  for (const opt of TRAIN_OPTIONS) record[opt.key] = o[opt.key];
  return parseTrainSpec(record, { strict: false });
}

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
  const spec = specOf(opts);
  if (spec.validation) throw new Error('trainResident: a validation split needs train() (the split happens while reading)');
  if (spec.solver === 'exact') return solveExact(backend, data.source, spec, { ...opts, ...spec });
  if (targetKind(spec.loss) !== data.targets || (LOSSES[spec.loss].task === 'binary' && data.classes!.length !== 2)) {
    throw new Error(`the data was loaded for ${data.classes ? `${data.classes.length} classes` : 'regression'}; --loss ${spec.loss} needs it loaded for its own targets`);
  }
  const stats: RowStats = { x: spec.standardize ? data.stats.x : null, y: data.stats.y };
  const outputs = LOSSES[spec.loss].task === 'multiclass' ? data.classes!.length : 1;
  return trainOn(backend, { ...opts, ...spec }, spec, { source: data.source, classes: data.classes, outputs }, data.store, stats, null, null, 0);
}

/** Trains a linear model on a source (or an in-memory dataset). */
export async function train(backend: Backend, input: DataSource | Dataset, opts: TrainOptions): Promise<TrainResult> {
  const spec = specOf(opts);
  input = checkedInput(input);
  if (spec.solver === 'exact') return solveExact(backend, input, spec, { ...opts, ...spec });
  const o: TrainOptions = { ...opts, ...spec };
  const t0 = now();
  const targets = await prepareTargets(input, spec.loss, o.signal);
  const source = targets.source;
  const d = source.features.length;
  checkInit(o.init, d, targets.outputs);
  const budgetRows = Math.max(1, Math.floor((o.memoryBudget ?? DEFAULT_BUDGET) / rowBytes(d)));
  const hold = spec.validation ? holdout(spec.validation, spec.seed) : null;
  const newStats = (): RowStats => ({ x: spec.standardize ? new ColumnSet(d) : null, y: new ColumnSet(1) });
  const newValidation = () => (hold ? new ValidationSet(backend, d, backend.maxChunkRows(d), Math.floor(budgetRows / 2)) : null);
  let stats = newStats();
  let validation = newValidation();
  let store: ChunkStore | null = null;
  if (source.rows === null || source.rows <= budgetRows) {
    const slotRows = Math.min(o.chunkRows ?? Infinity, backend.maxChunkRows(d));
    store = await loadResident(backend, source, d, slotRows, budgetRows, hold, validation, stats, o.signal);
  }
  let stream: Stream | null = null;
  try {
    if (!store) {
      validation?.store.dispose();
      stats = newStats();
      validation = newValidation();
      stream = await prepareStream(backend, source, d, o, budgetRows, hold, validation, stats);
      store = stream.store;
    }
    if (!stream) checkTrainingRows(source, stats.y.n, validation?.rows ?? 0, spec);
    return await trainOn(backend, o, spec, targets, store, stats, validation, stream, now() - t0);
  } finally {
    store?.dispose();
    validation?.store.dispose();
    stream?.evalStore.dispose();
  }
}

async function trainOn(
  backend: Backend, o: TrainOptions, spec: TrainSpec, targets: Targets, store: ChunkStore, stats: RowStats,
  validation: ValidationSet | null, stream: Stream | null, uploadSeconds: number,
): Promise<TrainResult> {
  const { source } = targets;
  const d = source.features.length;
  const norm = stats.x ? standardization(stats.x, spec.fitBias) : undefined;
  const model = modelSpecOf(spec, d, targets.outputs, norm);
  const hold = spec.validation ? holdout(spec.validation, spec.seed) : null;
  const resume = o.resume;
  if (resume) {
    const facts = { features: [...source.features], target: source.target, rows: stats.y.n, classes: targets.classes, ...(o.fingerprint ?? {}) };
    const diff = checkpointMismatch(resume, spec, facts);
    if (diff.length) throw new Error(`the checkpoint does not match this run, so it cannot resume: ${diff.join('; ')}`);
  }
  const hooks = await solverHooks(source, spec, model, hold, o);
  o = hooks.options(o);
  const session = hooks.session(await backend.createSession(store, resume ? { ...model, standardize: resume.standardization ?? undefined } : model,
    resume?.params ?? (o.init && standardizeParams(o.init, norm))));
  try {
    const run = new RunState(spec, await stepsPerEpoch(source, stats, hold, spec, o.signal));
    if (resume) {
      session.writeState(resume.state);
      run.restore(resume.run);
    }
    const ctx: EpochContext = { backend, session, store, source, d, o, model: resume ? { ...model, standardize: resume.standardization ?? undefined } : model, hold, stats, validation, stream, run };
    return hooks.finish(await runEpochs(ctx, spec, targets.classes, uploadSeconds));
  } finally {
    session.dispose();
  }
}

/**
 * Steps in an epoch: the training rows over the batch size. Rows not known yet (a CSV streamed without a first
 * pass, or a holdout on streamed data) are counted in a pass when the spec needs the epoch's length (a schedule
 * period of one epoch, cosine's horizon, averaging from epoch 2).
 */
async function stepsPerEpoch(source: DataSource, stats: RowStats, hold: Holdout | null, spec: TrainSpec, signal?: AbortSignal): Promise<number> {
  let rows = stats.y.n;
  const needed = (['step', 'exponential'].includes(spec.lrSchedule) && spec.stepEvery === 0) || spec.lrSchedule === 'cosine' || (spec.average && spec.averageStart === 0);
  if (rows === 0 && needed) {
    for await (const c of trainRows(source.read({ signal }), source.features.length, hold, null)) rows += c.rows;
  }
  return rows === 0 ? 1 : Math.ceil(rows / Math.min(spec.batch, rows));
}
