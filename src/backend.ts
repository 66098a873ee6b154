// The one interface both backends (src/cpu, src/gpu) implement; the host loop (src/train) drives it.
import type { HostChunk } from './core/dataset';
import type { MetricSums } from './core/metrics';
import type { Gradient, ModelParams, ModelSpec } from './core/model';
import type { Step } from './core/schedule';

export type BackendKind = 'cpu' | 'webgpu';

/** Data made resident on a backend, in chunks of `chunkRows` rows (all full but the last). */
export interface ResidentData {
  readonly d: number;
  readonly rows: number;
  readonly chunkRows: readonly number[];
  /** Mean of y (used to keep R² accurate). */
  readonly yMean: number;
  dispose(): void;
}

/** A model being trained on resident data. */
export interface TrainSession {
  /** Runs (CPU) or enqueues (GPU) SGD steps; each records its batch loss at its step index. */
  runSteps(steps: readonly Step[]): void;
  /** The mean gradient and loss of one step's rows at the current parameters (no update). */
  gradient(step: Step): Promise<Gradient>;
  /** The batch losses recorded by steps with indices 0..count-1 since the last read. */
  readLosses(count: number): Promise<Float64Array>;
  readModel(): Promise<ModelParams>;
  writeModel(p: ModelParams): void;
  /** Loss and metric sums over all resident rows at the current parameters. */
  evaluate(): Promise<MetricSums>;
  /** Resolves when all enqueued work has finished. */
  sync(): Promise<void>;
  dispose(): void;
}

/** A compute backend: the CPU f64 reference or WebGPU. */
export interface Backend {
  readonly kind: BackendKind;
  /** What runs the math: the adapter's description, or the CPU. */
  readonly device: string;
  /** The largest chunk, in rows, this backend holds for d features. */
  maxChunkRows(d: number): number;
  /** Makes rows resident, re-blocked into chunks of `chunkRows` rows. */
  upload(chunks: Iterable<HostChunk>, d: number, rows: number, chunkRows: number): Promise<ResidentData>;
  /** Starts training a model on resident data, from `init` or zeros. */
  createSession(data: ResidentData, spec: ModelSpec, init?: ModelParams): Promise<TrainSession>;
  dispose(): void;
}
