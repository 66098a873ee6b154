// The host loop: epochs × mini-batches on any Backend. Steps are enqueued in windows; the batch losses
// the GPU records are read back once per window (one epoch, or every `lossEvery` steps if asked), never
// inside the step loop. Host-update mode reads each step's gradient and applies w ← w − α·g in TypeScript.
import type { Backend, ResidentData, TrainSession } from '../backend';
import type { Dataset } from '../core/dataset';
import { metricsFromSums, type Metrics } from '../core/metrics';
import { sgdUpdate, type LossKind, type ModelParams } from '../core/model';
import { epochSteps, stepsPerEpoch, type Step } from '../core/schedule';

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
  /** Rows per resident chunk (default: the backend's largest). */
  chunkRows?: number;
  init?: ModelParams;
  /** Evaluate metrics over all rows after every epoch (one extra pass each). */
  evaluateEachEpoch?: boolean;
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
  /** Metrics over all rows after the epoch, when `evaluateEachEpoch`. */
  metrics?: Metrics;
}

/** Progress inside an epoch. */
export interface Progress {
  epoch: number;
  rowsDone: number;
  rowsTotal: number;
  loss: number;
  elapsed: number;
}

/** The outcome of a training run. */
export interface TrainResult {
  params: ModelParams;
  epochs: EpochReport[];
  /** Metrics over all rows at the final parameters. */
  final: Metrics;
  secondsPerEpoch: number;
  uploadSeconds: number;
  backend: string;
  device: string;
  rows: number;
  d: number;
  chunkRows: number[];
}

// Steps handed to the backend at a time: large enough to amortize a submit, small enough that the GPU
// starts while the host is still encoding the rest of the window.
const ENQUEUE_STEPS = 256;

const now = (): number => performance.now() / 1000;

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : NaN;
}

/** Uploads a dataset to a backend in chunks of `chunkRows` (default: the backend's largest). */
export async function uploadDataset(backend: Backend, ds: Dataset, chunkRows?: number): Promise<ResidentData> {
  const d = ds.features.length;
  const cap = Math.min(chunkRows ?? Infinity, backend.maxChunkRows(d), Math.max(1, ds.rows));
  return backend.upload(ds.chunks, d, ds.rows, cap);
}

async function runEpoch(
  session: TrainSession, steps: Iterable<Step>, o: TrainOptions, fitBias: boolean, epoch: number, rowsTotal: number,
  t0: number, window: number,
): Promise<{ losses: number[]; count: number }> {
  const losses: number[] = [];
  let batch: Step[] = [];
  let enqueued = 0;
  let rowsDone = 0;
  const flush = async () => {
    if (!batch.length) return;
    const read = await session.readLosses(batch.length);
    for (const v of read) losses.push(v);
    rowsDone += batch.reduce((s, st) => s + st.rows, 0);
    o.onProgress?.({ epoch, rowsDone, rowsTotal, loss: read[read.length - 1], elapsed: now() - t0 });
    batch = [];
    enqueued = 0;
  };
  for (const step of steps) {
    if (o.hostUpdate) {
      const g = await session.gradient(step);
      const p = await session.readModel();
      sgdUpdate(p, g, step.lr, fitBias);
      session.writeModel(p);
      losses.push(g.loss);
      rowsDone += step.rows;
      if (o.lossEvery && losses.length % o.lossEvery === 0) {
        o.onProgress?.({ epoch, rowsDone, rowsTotal, loss: g.loss, elapsed: now() - t0 });
      }
      continue;
    }
    batch.push({ ...step, index: batch.length });
    if (batch.length - enqueued >= ENQUEUE_STEPS) {
      session.runSteps(batch.slice(enqueued));
      enqueued = batch.length;
    }
    if (batch.length >= window) {
      session.runSteps(batch.slice(enqueued));
      await flush();
    }
  }
  session.runSteps(batch.slice(enqueued));
  await flush();
  return { losses, count: losses.length };
}

/** Trains a linear model on resident data; returns the parameters, per-epoch losses and timings. */
export async function trainResident(backend: Backend, data: ResidentData, o: TrainOptions, uploadSeconds = 0): Promise<TrainResult> {
  if (!(o.epochs >= 0 && Number.isInteger(o.epochs))) throw new Error(`--epochs must be a non-negative integer, got ${o.epochs}`);
  if (!(o.lr > 0 && Number.isFinite(o.lr))) throw new Error(`--lr must be a positive number, got ${o.lr}`);
  if (!(o.batch >= 1)) throw new Error(`--batch must be ≥ 1, got ${o.batch}`);
  if (data.rows === 0) throw new Error('no rows to train on');
  const fitBias = o.fitBias ?? true;
  const batch = Math.min(o.batch, data.rows);
  const session = await backend.createSession(data, { d: data.d, fitBias, loss: o.loss ?? 'mse' }, o.init);
  try {
    const perEpoch = stepsPerEpoch(data.rows, batch);
    const window = Math.min(o.lossEvery ?? perEpoch, perEpoch, 65536);
    const epochs: EpochReport[] = [];
    let trainSeconds = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = now();
      const steps = epochSteps({
        chunkRows: data.chunkRows, batch, lr: o.lr, seed: o.seed ?? 0, epoch, shuffle: o.shuffle ?? true,
      });
      const { losses } = await runEpoch(session, steps, o, fitBias, epoch, data.rows, t0, window);
      await session.sync();
      const seconds = now() - t0;
      trainSeconds += seconds;
      const report: EpochReport = { epoch, loss: mean(Float64Array.from(losses)), seconds, steps: losses.length };
      if (o.evaluateEachEpoch) report.metrics = metricsFromSums(await session.evaluate());
      epochs.push(report);
      o.onEpoch?.(report);
    }
    const final = metricsFromSums(await session.evaluate());
    return {
      params: await session.readModel(), epochs, final,
      secondsPerEpoch: o.epochs ? trainSeconds / o.epochs : 0, uploadSeconds,
      backend: backend.kind, device: backend.device, rows: data.rows, d: data.d, chunkRows: [...data.chunkRows],
    };
  } finally {
    session.dispose();
  }
}

/** Uploads a dataset and trains on it (the data is released afterwards). */
export async function train(backend: Backend, ds: Dataset, o: TrainOptions): Promise<TrainResult> {
  const t0 = now();
  const data = await uploadDataset(backend, ds, o.chunkRows);
  const uploadSeconds = now() - t0;
  try {
    return await trainResident(backend, data, o, uploadSeconds);
  } finally {
    data.dispose();
  }
}
