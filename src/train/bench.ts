// Per-epoch timing of a backend on resident data: warm-up, then the median of several timed runs, each
// enqueueing whole epochs and waiting once (so readbacks are not counted, as in training without progress).
import type { Backend } from '../backend';
import { LOSSES, type LossKind } from '../core/losses';
import type { OptimizerKind } from '../core/optim';
import type { PenaltyKind } from '../core/penalties';
import { modelSpec } from '../core/model';
import { epochSteps, type Step } from '../core/schedule';
import type { DType } from '../core/f16';
import type { ResidentData } from './train';

/** What a benchmark measured for one batch size. */
export interface BenchResult {
  backend: string;
  device: string;
  rows: number;
  d: number;
  batch: number;
  stepsPerEpoch: number;
  /** Median seconds per epoch over the timed runs. */
  secondsPerEpoch: number;
  runs: number[];
  rowsPerSecond: number;
  /** Bytes of X read per second (rows × D × 4 per epoch; × 2 for f16 data). */
  xBytesPerSecond: number;
  /** The same figures in the units printed: milliseconds per epoch, GB/s of X. */
  msPerEpoch: number;
  gbPerSecond: number;
  /** Rows in a seeded permuted order (`shuffled`, as training does) or in storage order. */
  order: 'shuffled' | 'sequential';
  optimizer: OptimizerKind;
  /** The loss timed (a one-output loss: its targets are the data's values, which only the loss's math reads). */
  loss: LossKind;
  /** Median GPU time per epoch from timestamp queries, when the backend profiles (WebGPU `profile`). */
  gpuSecondsPerEpoch?: number;
  /**
   * Median host time per epoch spent inside `runSteps` (WebGPU: encoding and submitting the steps, not waiting for
   * them; the CPU backends: the steps themselves).
   */
  hostSecondsPerEpoch?: number;
  /** Outputs K of the model timed (softmax: the data's classes; 1 otherwise). */
  outputs?: number;
  /** How the store keeps features (f16: packed halves; xBytesPerSecond then counts 2 bytes per value). */
  dtype: DType;
  /** Wall, host (inside runSteps) and GPU (timestamp queries) microseconds per step. */
  usPerStep: number;
  hostUsPerStep?: number;
  gpuUsPerStep?: number;
  /**
   * Median CPU time per epoch of the whole process, every thread added (Node only): what the epoch costs in core
   * time, which other processes on a shared machine inflate far less than the wall time.
   */
  cpuSecondsPerEpoch?: number;
}

/** Options for `benchmark`. */
export interface BenchOptions {
  batch: number;
  runs?: number;
  /** Epochs per timed run (more amortizes the final wait; default: enough for ~0.2 s, at most 50). */
  epochsPerRun?: number;
  lr?: number;
  seed?: number;
  /** Default squared. */
  loss?: LossKind;
  /** Default sgd. */
  optimizer?: OptimizerKind;
  /** The penalty and its strength (default none). */
  penalty?: PenaltyKind;
  alpha?: number;
  /** Rows in a seeded permuted order (default) or in storage order. */
  shuffle?: boolean;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times SGD epochs (full-batch when batch ≥ rows) on resident data. */
export async function benchmark(backend: Backend, data: ResidentData, o: BenchOptions): Promise<BenchResult> {
  const batch = Math.min(o.batch, data.rows);
  const loss = o.loss ?? 'squared';
  const optimizer = o.optimizer ?? 'sgd';
  const shuffle = o.shuffle ?? true;
  const multi = LOSSES[loss].task === 'multiclass';
  if (multi && !data.classes) throw new Error(`bench times ${loss} on class data only (load it with uploadDataset(…, { loss: '${loss}' }))`);
  const outputs = multi ? data.classes!.length : 1;
  // A source with a sparse block (a ctr or svmlight cache) is timed with its block: D = dense + width.
  const width = data.source.sparse?.width ?? 0;
  const sparse = width ? { sparse: { dense: data.d, width } } : {};
  const session = await backend.createSession(data.store, modelSpec({ d: data.d + width, loss, optimizer, outputs, penalty: o.penalty, penaltyParams: { alpha: o.alpha }, ...sparse }));
  const steps: Step[] = [...epochSteps({ chunkRows: data.store.rowsIn, batch, lr: o.lr ?? 1e-3, seed: o.seed ?? 0, epoch: 0, shuffle })];
  const perEpoch = steps.length;
  // Step indices restart per runSteps call (the loss history's length); built once, outside the timed loop.
  const calls: Step[][] = [];
  for (let i = 0; i < steps.length; i += 65536) calls.push(steps.slice(i, i + 65536).map((s, k) => ({ ...s, index: k })));
  const hostRuns: number[] = [];
  const gpuSeconds = (session as { gpuSeconds?: () => Promise<number | null> }).gpuSeconds?.bind(session);
  const gpuRuns: number[] = [];
  const cpuRuns: number[] = [];
  const cpuClock = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? () => process.cpuUsage() : null;
  try {
    const timeEpochs = async (n: number): Promise<number> => {
      const c0 = cpuClock?.();
      const t0 = performance.now();
      let host = 0;
      for (let e = 0; e < n; e++) {
        for (const call of calls) {
          const h0 = performance.now();
          session.runSteps(call);
          host += performance.now() - h0;
        }
      }
      await session.sync();
      const wall = (performance.now() - t0) / 1000 / n;
      hostRuns.push(host / 1000 / n);
      if (c0) {
        const c = process.cpuUsage(c0);
        cpuRuns.push((c.user + c.system) / 1e6 / n);
      }
      const gpu = gpuSeconds ? await gpuSeconds() : null;
      if (gpu !== null) gpuRuns.push(gpu / n);
      return wall;
    };
    const probe = await timeEpochs(1); // warm-up: pipelines, first touches
    gpuRuns.length = 0;
    cpuRuns.length = 0;
    hostRuns.length = 0;
    // A profiling session records ≤ 2048 passes between reads: one per ≤ 256 steps, plus one per runSteps call.
    const passCap = gpuSeconds ? Math.max(1, Math.floor(2000 / (Math.ceil(perEpoch / 256) + Math.ceil(perEpoch / 65536)))) : Infinity;
    const epochsPerRun = Math.min(passCap, o.epochsPerRun ?? Math.max(1, Math.min(50, Math.ceil(0.2 / Math.max(probe, 1e-6)))));
    const runs: number[] = [];
    for (let r = 0; r < (o.runs ?? 5); r++) runs.push(await timeEpochs(epochsPerRun));
    const secondsPerEpoch = median(runs);
    const dtype: DType = (data.store as { dtype?: DType }).dtype ?? 'f32';
    const xBytes = data.rows * data.d * (dtype === 'f16' ? 2 : 4);
    const host = median(hostRuns);
    const gpu = gpuRuns.length ? median(gpuRuns) : undefined;
    return {
      backend: backend.kind, device: backend.device, rows: data.rows, d: data.d, batch, stepsPerEpoch: perEpoch, loss,
      optimizer, order: shuffle ? 'shuffled' : 'sequential', secondsPerEpoch, runs, rowsPerSecond: data.rows / secondsPerEpoch,
      xBytesPerSecond: xBytes / secondsPerEpoch, msPerEpoch: secondsPerEpoch * 1e3, gbPerSecond: xBytes / secondsPerEpoch / 1e9,
      ...(gpu !== undefined ? { gpuSecondsPerEpoch: gpu, gpuUsPerStep: (gpu / perEpoch) * 1e6 } : {}),
      ...(cpuRuns.length ? { cpuSecondsPerEpoch: median(cpuRuns) } : {}),
      hostSecondsPerEpoch: host, hostUsPerStep: (host / perEpoch) * 1e6, usPerStep: (secondsPerEpoch / perEpoch) * 1e6, outputs, dtype,
    };
  } finally {
    session.dispose();
  }
}

/** Host→device upload throughput of a backend's chunk store. */
export interface UploadBenchResult {
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
}

/** Uploads `total` bytes of rows (d features) in chunks of `chunkRows` through a 3-slot store, median of `runs`. */
export async function uploadBenchmark(backend: Backend, d: number, chunkRows: number, total: number, runs = 3): Promise<UploadBenchResult> {
  const x = new Float32Array(chunkRows * d).map((_, i) => (i % 97) / 97);
  const chunk = { rows: chunkRows, x, y: new Float32Array(chunkRows).fill(1) };
  const bytesPerChunk = chunkRows * (Math.ceil(d / 4) * 16 + 4);
  const chunks = Math.max(1, Math.round(total / bytesPerChunk));
  const store = backend.createStore(d, chunkRows);
  const session = await backend.createSession(store, modelSpec({ d }));
  try {
    for (let s = 0; s < 3; s++) await store.load(s, chunk); // allocate the slots and the staging ring
    await session.sync();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let i = 0; i < chunks; i++) await store.load(i % 3, chunk);
      await session.sync();
      times.push((performance.now() - t0) / 1000);
    }
    const seconds = median(times);
    return { bytes: chunks * bytesPerChunk, seconds, bytesPerSecond: (chunks * bytesPerChunk) / seconds };
  } finally {
    session.dispose();
    store.dispose();
  }
}
