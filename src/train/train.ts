// The host loop: epochs × mini-batches on any Backend, over any DataSource. Data that fits the memory
// budget is read once into GPU (or CPU) memory; larger data is streamed, chunk by chunk, every epoch.
// Batch losses are recorded by the backend and read back once per window (an epoch, or every
// `lossEvery` steps), never inside the step loop; host-update mode applies w ← w − α·g in TypeScript.
import type { Backend, ChunkStore, TrainSession } from '../backend';
import type { Dataset } from '../core/dataset';
import { holdout } from '../core/holdout';
import { metricsFromSums, type Metrics } from '../core/metrics';
import { unstandardize, type LossKind, type ModelParams, type Standardization } from '../core/model';
import { ColumnSet } from '../core/stats';
import { memorySource, type DataSource } from '../data/source';
import { loadResident, ValidationSet, type RowStats } from './load';
import { prepareStream, residentEpoch, streamedEpoch, streamedMetrics, type EpochContext, type Stream } from './epochs';

/** Training options; every field has a default but `epochs`, `batch` and `lr`. */
export interface TrainOptions {
  epochs: number;
  /** Rows per step; Infinity or ≥ rows means full-batch gradient descent. */
  batch: number;
  lr: number;
  seed?: number;
  /** Seeded per-epoch shuffling (default true). */
  shuffle?: boolean;
  fitBias?: boolean;
  loss?: LossKind;
  /** Read the gradient back every step and update in TypeScript (the literal loop, for teaching). */
  hostUpdate?: boolean;
  /** Also read the batch losses back every k steps (progress); otherwise once per epoch. */
  lossEvery?: number;
  /** Rows per chunk (default: the backend's largest for resident data, a budget share when streaming). */
  chunkRows?: number;
  /** Bytes of rows the backend may hold (default 1 GiB); larger data is streamed every epoch. */
  memoryBudget?: number;
  /** Fraction of rows held out by a seeded hash of the row index (default 0). */
  validation?: number;
  /** Train on standardized features; weights are reported in original units. */
  standardize?: boolean;
  /** Starting parameters, in original units. */
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
}

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
  /** Parameters in original units. */
  params: ModelParams;
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
}

const now = (): number => performance.now() / 1000;
const DEFAULT_BUDGET = 2 ** 30;

/** Bytes a row takes on a backend: features padded to 4 floats, plus the target. */
export function rowBytes(d: number): number {
  return Math.ceil(d / 4) * 16 + 4;
}

function checkOptions(o: TrainOptions): void {
  if (!(o.epochs >= 0 && Number.isInteger(o.epochs))) throw new Error(`--epochs must be a non-negative integer, got ${o.epochs}`);
  if (!(o.lr > 0 && Number.isFinite(o.lr))) throw new Error(`--lr must be a positive number, got ${o.lr}`);
  if (!(o.batch >= 1)) throw new Error(`--batch must be ≥ 1, got ${o.batch}`);
}

function standardization(s: ColumnSet): Standardization {
  const invStd = Float64Array.from({ length: s.columns }, (_, j) => (s.std(j) > 0 ? 1 / s.std(j) : 1));
  return { mean: Float64Array.from({ length: s.columns }, (_, j) => s.mean(j)), invStd };
}

/** Maps original-unit parameters into the standardized space the backend trains in. */
function toTrained(p: ModelParams, s?: Standardization): ModelParams {
  if (!s) return p;
  let bias = p.bias;
  p.weights.forEach((w, j) => (bias += w * s.mean[j]));
  return { weights: p.weights.map((w, j) => w / s.invStd[j]), bias };
}

/** Data read once into a backend's memory, to train on repeatedly (benchmarks, the web page). */
export interface ResidentData {
  readonly store: ChunkStore;
  readonly d: number;
  readonly rows: number;
  readonly source: DataSource;
  readonly stats: RowStats;
  dispose(): void;
}

/** Reads a source (or dataset) into a backend's memory in chunks of `chunkRows` (default: the largest). */
export async function uploadDataset(backend: Backend, input: DataSource | Dataset, chunkRows?: number): Promise<ResidentData> {
  const source = 'read' in input ? input : memorySource(input);
  const d = source.features.length;
  const stats: RowStats = { x: new ColumnSet(d), y: new ColumnSet(1) };
  const slotRows = Math.min(chunkRows ?? Infinity, backend.maxChunkRows(d));
  const store = (await loadResident(backend, source, d, slotRows, Infinity, null, null, stats))!;
  return { store, d, rows: stats.y.n, source, stats, dispose: () => store.dispose() };
}

/** Trains on resident data (no holdout; the data stays loaded for the next call). */
export async function trainResident(backend: Backend, data: ResidentData, o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  if (o.validation) throw new Error('trainResident: a validation split needs train() (the split happens while reading)');
  const stats: RowStats = { x: o.standardize ? data.stats.x : null, y: data.stats.y };
  return trainOn(backend, o, data.source, data.store, stats, null, null, 0);
}

/** Trains a linear model on a source (or an in-memory dataset). */
export async function train(backend: Backend, input: DataSource | Dataset, o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  const source = 'read' in input ? input : memorySource(input);
  const d = source.features.length;
  const budgetRows = Math.max(1, Math.floor((o.memoryBudget ?? DEFAULT_BUDGET) / rowBytes(d)));
  const hold = o.validation ? holdout(o.validation, o.seed ?? 0) : null;
  const newStats = (): RowStats => ({ x: o.standardize ? new ColumnSet(d) : null, y: new ColumnSet(1) });
  const newValidation = () => (hold ? new ValidationSet(backend, d, backend.maxChunkRows(d), Math.floor(budgetRows / 2)) : null);
  const t0 = now();
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
    return await trainOn(backend, o, source, store, stats, validation, stream, now() - t0);
  } finally {
    store?.dispose();
    validation?.store.dispose();
    stream?.evalStore.dispose();
  }
}

async function trainOn(
  backend: Backend, o: TrainOptions, source: DataSource, store: ChunkStore, stats: RowStats,
  validation: ValidationSet | null, stream: Stream | null, uploadSeconds: number,
): Promise<TrainResult> {
  const d = source.features.length;
  const norm = stats.x ? standardization(stats.x) : undefined;
  const fitBias = o.fitBias ?? true;
  const hold = o.validation ? holdout(o.validation, o.seed ?? 0) : null;
  const session = await backend.createSession(store, { d, fitBias, loss: o.loss ?? 'mse', standardize: norm }, o.init && toTrained(o.init, norm));
  try {
    return await run({ backend, session, store, source, d, o, fitBias, hold, stats, validation, stream }, norm, uploadSeconds);
  } finally {
    session.dispose();
  }
}

async function run(ctx: EpochContext, norm: Standardization | undefined, uploadSeconds: number): Promise<TrainResult> {
  const { o, session, store, validation, stream } = ctx;
  const epochs: EpochReport[] = [];
  let trainSeconds = 0;
  for (let epoch = 0; epoch < o.epochs && !o.signal?.aborted; epoch++) {
    const t0 = now();
    const losses = stream ? await streamedEpoch(ctx, epoch, t0) : await residentEpoch(ctx, epoch, t0);
    await session.sync();
    const seconds = now() - t0;
    trainSeconds += seconds;
    const report: EpochReport = { epoch, loss: losses.reduce((a, b) => a + b, 0) / losses.length, seconds, steps: losses.length };
    if (losses.length && !Number.isFinite(report.loss)) {
      throw new Error(`training diverged in epoch ${epoch + 1} (mean batch loss ${report.loss}): lower the learning rate ` +
        `(--lr ${o.lr})${norm ? '' : ' or standardize the features (--standardize)'}`);
    }
    if (o.evaluateEachEpoch && !stream) report.metrics = await evaluate(session, store, ctx.stats.y.mean(0));
    if (validation && validation.rows > 0) report.validation = await evaluate(session, validation.store, validation.y.mean(0));
    epochs.push(report);
    if (o.onEpoch) {
      const p = await session.readModel();
      report.params = norm ? unstandardize(p, norm) : p;
      o.onEpoch(report);
    }
  }
  const final = o.skipFinalMetrics
    ? { rows: ctx.stats.y.n, mse: NaN, mae: NaN, r2: NaN }
    : stream ? await streamedMetrics(ctx) : await evaluate(session, store, ctx.stats.y.mean(0));
  const trained = await session.readModel();
  return {
    params: norm ? unstandardize(trained, norm) : trained,
    standardization: norm,
    epochs, final,
    // The last epoch already measured the held-out rows at the final parameters.
    validation: epochs.at(-1)?.validation ?? (validation && validation.rows > 0 ? await evaluate(session, validation.store, validation.y.mean(0)) : undefined),
    secondsPerEpoch: epochs.length ? trainSeconds / epochs.length : 0, uploadSeconds,
    backend: ctx.backend.kind, device: ctx.backend.device, rows: ctx.stats.y.n, validationRows: validation?.rows ?? 0,
    d: ctx.d, features: [...ctx.source.features], target: ctx.source.target, streamed: !!stream,
    chunkRows: stream ? [stream.slotRows] : [...store.rowsIn], skipped: ctx.source.skipped ?? 0,
  };
}

async function evaluate(session: TrainSession, store: ChunkStore, yShift: number): Promise<Metrics> {
  return metricsFromSums(await session.evaluate(store, yShift));
}
