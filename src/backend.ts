// The one interface both backends (src/cpu, src/gpu) implement; the host loop (src/train) drives it.
import type { HostChunk, RowEntries, RowExtras, RowRecords } from './core/dataset';
import type { EvalSums } from './core/metrics';
import type { Gradient, ModelParams, ModelSpec } from './core/model';
import type { OptimizerKind } from './core/optim';
import type { OptimState } from './core/optim/apply';
import type { PenaltyHp, PenaltyKind } from './core/penalties';
import type { Step } from './core/schedule';

/** `cpu`: the fast f32 SIMD backend on every core; `reference`: the f64 single-thread oracle. */
export type BackendKind = 'cpu' | 'reference' | 'webgpu';

/** Which parameters a session reads or evaluates: the current iterate or the running average. */
export type Which = 'current' | 'average';

/**
 * Rows held by a backend in numbered slots of up to `slotRows` rows. Resident data fills one slot per
 * chunk once; streamed data reloads a few slots in turn. Steps name slots in `Piece.chunk`.
 */
export interface ChunkStore {
  readonly d: number;
  /** The per-row values it keeps beside y (sample weights, offsets): every chunk loaded must carry exactly these. */
  readonly extras: RowExtras;
  readonly slotRows: number;
  /** Rows now loaded in each slot. */
  readonly rowsIn: readonly number[];
  /** Copies a chunk into a slot; resolves when the caller may drop the chunk. Work enqueued before sees the old rows. */
  load(slot: number, chunk: HostChunk): Promise<void>;
  /**
   * Writable views of slot `slot` sized for `rows` rows in the backend's own memory, where its rows are laid out as a
   * chunk's (null otherwise): a source reads into them (DataSource.readRowsInto), and `load` of the views copies nothing.
   */
  slotView?(slot: number, rows: number): HostChunk | null;
  /**
   * Row records of slot `slot` for `rows` rows with a sparse block holding `entries`, where the store keeps such rows as
   * records (null otherwise): the slot then counts as loaded with them, and a source writes them (DataSource.readRecordsInto).
   */
  recordView?(slot: number, rows: number, entries: RowEntries): RowRecords | null;
  dispose(): void;
}

/** Rows a store reads again from their source at every pass (Backend.createPassStore). */
export interface RowFeed {
  readonly rows: number;
  /** Reads rows [start, start + count) into `into`: x, and y unless `featuresOnly` (values checked as the source's reads check them). */
  readInto(start: number, count: number, into: HostChunk, featuresOnly?: boolean): Promise<void>;
  /** readInto(…, featuresOnly) blocking, where the source can (false: it did not read; DataSource.readFeaturesSync). */
  readFeaturesSync?(start: number, count: number, into: HostChunk): boolean;
}

/** A store whose features stay in their source: laid out as resident slots, read again at every pass; the targets are kept. */
export interface PassStore extends ChunkStore {
  /** Reads every row once (its values checked), keeping the targets. */
  scan(signal?: AbortSignal): Promise<void>;
  /** The targets of a slot, once scanned. */
  targets(slot: number): Float32Array;
}

/**
 * What a run will ask of a session, so a backend can prepare (compile) exactly the kernels it will use before the
 * run's clock starts: rows per step, whether pieces are shuffled, averaged steps, gradient read-backs (host updates).
 */
export interface SessionUse {
  batch: number;
  shuffle: boolean;
  average: boolean;
  gradient: boolean;
}

/** A model being trained on a store's rows. */
export interface TrainSession {
  /** Seconds its creation spent compiling the backend's kernels for this model (0 when they were compiled before). */
  readonly compileSeconds?: number;
  /** Runs (CPU) or enqueues (GPU) SGD steps (with the spec's penalty); each records its batch loss at its step index. */
  runSteps(steps: readonly Step[]): void;
  /** The mean gradient and loss of one step's rows at the current parameters (no update). */
  gradient(step: Step): Promise<Gradient>;
  /**
   * The Hessian of the mean loss over one step's rows at the current parameters (a loss with d²L/dz², or softmax):
   * (K·(D + 1))² values, row-major, parameters ordered as K·D weights then K biases (bias rows and columns zero when the
   * model fits none). Newton's method asks for it; backends without it leave it undefined.
   */
  hessian?(step: Step): Promise<Float64Array>;
  /** The batch losses recorded by steps with indices 0..count-1. */
  readLosses(count: number): Promise<Float64Array>;
  /**
   * Parameters, K × D and K biases (in standardized units when the spec standardizes): the current ones, or their
   * running average (`which` = 'average', once a step has been averaged; the current ones before).
   */
  readModel(which?: Which): Promise<ModelParams>;
  /**
   * The parameters as readModel gives them but without a copy, where a session keeps a large model (a sparse block):
   * valid while nothing trains or writes the session again — the end of a run.
   */
  viewModel?(which?: Which): Promise<ModelParams>;
  writeModel(p: ModelParams): void;
  /** Loss and metric sums over every loaded row of `store` (default: the session's own), y shifted by `yShift`. */
  evaluate(store?: ChunkStore, yShift?: number, which?: Which): Promise<EvalSums>;
  /** The optimizer state and the running average, in f64 (for checkpoints). */
  readState(): Promise<OptimState>;
  /** Restores a state read by readState (resuming from a checkpoint). */
  writeState(s: OptimState): void;
  /** Resolves when all enqueued work has finished. */
  sync(): Promise<void>;
  /**
   * Host-update runs call it after each step's writeState (`end`: the epoch's steps are done). A session whose
   * gradients are its own rows' (a distributed run's local steps, --sync-every) agrees with its peers where an averaging
   * period ends (or at `end`) and returns the agreed batch losses of the steps since it last did, oldest first, in
   * place of the rank-local ones its gradients gave; null in between. Sessions without it report agreed losses as they go.
   */
  agree?(end: boolean): Promise<readonly number[] | null>;
  dispose(): void;
}

/**
 * A Gram pass over rows a store holds: Σ zzᵀ of the shifted rows z = (x − shift, y − yShift, 1), added in f64 — the
 * exact solver's one-pass fast path. A capability: backends that have no faster way than the solver's own streamed QR
 * leave `Backend.gramPass` undefined.
 */
export interface GramPass {
  /** Relative error of the entries against √(G_ii·G_jj) (f32 arithmetic on the device), which decides whether the result is kept. */
  readonly relError: number;
  /**
   * The Gram of `rows` rows loaded in slot `slot`: (d + 2)² values, columns in the order x (d), y, 1 — weighted
   * (Σ w·zzᵀ) and with y − o when the store's rows carry sample weights and offsets.
   */
  run(slot: number, rows: number, shift: ArrayLike<number>, yShift: number): Promise<Float64Array>;
  dispose(): void;
}

/** What the memory budget reads of a model with a sparse block: its width, outputs and update rule. */
export interface SparseShape {
  width: number;
  outputs: number;
  optimizer: OptimizerKind;
  penalty: PenaltyKind;
  penaltyHp: PenaltyHp;
  clipNorm: number;
}

/** A compute backend: WebGPU, the fast CPU backend or the f64 reference. */
export interface Backend {
  readonly kind: BackendKind;
  /** What runs the math: the adapter's description, or the CPU. */
  readonly device: string;
  /** The largest slot, in rows, this backend holds for d features. */
  maxChunkRows(d: number): number;
  /** Bytes a session of this backend keeps for a model's sparse block (default: train/plan.ts's sparseModelBytes). */
  sparseModelBytes?(s: SparseShape): number;
  /**
   * A store with slots of `slotRows` rows; `exact` sizes each slot to its first chunk (resident data); `extras`: the
   * per-row sample weights and offsets its chunks carry (default none).
   */
  createStore(d: number, slotRows: number, exact?: boolean, extras?: RowExtras): ChunkStore;
  /** Starts training a model on a store's rows, from `init` or zeros; `use` (default: a bit of everything) says what to prepare. */
  createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams, use?: SessionUse): Promise<TrainSession>;
  /**
   * A store of `feed`'s rows in slots of `slotRows` that reads them again at every pass of a session instead of holding
   * them (sessions on it take gradients and evaluations of whole slots, no steps), where the backend has one.
   */
  createPassStore?(d: number, slotRows: number, feed: RowFeed): PassStore;
  /** A Gram pass over a store's slots (see GramPass), where the backend has one. */
  gramPass?(store: ChunkStore): Promise<GramPass>;
  dispose(): void;
}
