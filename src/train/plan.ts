// A run's options resolved once into a typed, read-only plan (as Vite's resolveConfig turns a user config into a
// ResolvedConfig): the spec with every default filled and checked, the holdout rule, the memory budget and chunk
// sizes, the hooks, and the checkpoint policy. train() builds it; the epoch loop, the solvers and the checkpoint code
// read only the plan, never the caller's options.
import type { Backend, SparseShape } from '../backend';
import type { Holdout } from '../core/holdout';
import { OPTIMIZERS } from '../core/optim';
import { holdout } from '../core/holdout';
import type { ModelParams } from '../core/model';
import type { Iteration } from '../core/solver/newton';
import { didYouMean, OptionError } from '../core/options';
import { applies, notApplying, parseTrainSpec, TRAIN_ALIASES, TRAIN_OPTIONS, type TrainSpec } from '../core/spec';
import type { F64Rows } from '../data/csv_f64';
import type { RowColumns } from '../data/row_columns';
import type { Checkpoint, DataFingerprint, RankRecord } from './checkpoint';
import type { Collective } from './collective';
import type { EpochReport, PathStep, Progress } from './report';

/** Hooks and sizes of one run that are not training settings. */
export interface RunOptions {
  /**
   * The feature column that holds each row's sample weight (≥ 0): the objective becomes Σ w·L / Σ w (+ penalty) and
   * the metrics weighted means. The column is removed from the features (data/row_columns.ts).
   */
  weight?: string;
  /** The feature column that holds each row's offset o, added to every output: z = x·w + b + o (e.g. log exposure). */
  offset?: string;
  /** The training rows in f64 for --solver exact (a CSV read without rounding to float32; src/data/csv_f64.ts). */
  f64Rows?: F64Rows;
  /** Also read the batch losses back every k steps (progress); otherwise once per epoch. */
  lossEvery?: number;
  /** Rows per chunk (default: the backend's largest for resident data, a budget share when streaming). */
  chunkRows?: number;
  /** Bytes of rows the backend may hold (default 1 GiB); larger data is streamed every epoch. */
  memoryBudget?: number;
  /**
   * L-BFGS on a file with positioned reads (NPY): read the features again at every pass instead of holding them, where
   * the backend can (the fast CPU backend; the same model bit for bit). Default: from 64 MiB of rows (train/load.ts).
   */
  passReads?: boolean;
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
  /** Told when a phase before the epochs starts: 'compiling' (the backend's kernels for this model), then 'training'. */
  onPhase?: (phase: RunPhase) => void;
  /** An iterative solver's report after each iteration (--solver newton, lbfgs, …). */
  onIteration?: (it: Iteration) => void;
  /** A regularization path's report after each α (--alpha-path; `fold` set while cross-validating). */
  onPathStep?: (s: PathStep) => void;
  /** Called with a checkpoint every `checkpointEpochs` epochs or `checkpointSteps` steps, at the end and when stopped. */
  onCheckpoint?: (c: Checkpoint) => Promise<void>;
  checkpointEpochs?: number;
  checkpointSteps?: number;
  /** Continue the run a checkpoint recorded (same spec and data, else an error says what differs). */
  resume?: Checkpoint;
  /** Facts about the data a checkpoint records and a resume compares (the CLI adds file size and mtime). */
  fingerprint?: DataFingerprint;
  /** Return a run whose objective ended above where it started (result.endedWorse says so) instead of throwing. */
  keepDiverged?: boolean;
  /**
   * The ranks of a data-parallel run (src/dist/ makes them from a launcher's environment): each reads its share of
   * the source's rows and the ranks sum their gradients every step. Every rank passes the same source and options.
   */
  collective?: Collective;
  /** With `collective`: local steps, the ranks' models averaged every this many steps (default 1: sum every step). */
  syncEvery?: number;
}

/** What a run is doing before and between its epochs. */
export type RunPhase = 'compiling' | 'training';

/** Training settings (core/spec.ts; each defaults) and the run's hooks. */
export type TrainOptions = Partial<TrainSpec> & RunOptions;

/** The run options' keys (what a TrainOptions may hold besides the spec's). */
const RUN_KEYS: readonly (keyof RunOptions)[] = [
  'weight', 'offset', 'f64Rows', 'lossEvery', 'chunkRows', 'memoryBudget', 'passReads', 'init', 'skipFinalMetrics', 'evaluateEachEpoch', 'signal', 'pause',
  'onEpoch', 'onProgress', 'onPhase', 'onIteration', 'onPathStep', 'onCheckpoint', 'checkpointEpochs', 'checkpointSteps', 'resume', 'fingerprint', 'keepDiverged',
  'collective', 'syncEvery',
];

/** When checkpoints are written, where a run resumes from, and what identifies its data. */
export interface CheckpointPolicy {
  readonly write: ((c: Checkpoint) => Promise<void>) | null;
  /** Every this many epochs (0: only at the end and when stopped). */
  readonly everyEpochs: number;
  /** Every this many steps (0: not by steps). */
  readonly everySteps: number;
  readonly resume: Checkpoint | null;
  readonly fingerprint: DataFingerprint;
  /** A distributed run's ranks and their shares, recorded in its checkpoints (null for one process). */
  readonly ranks: RankRecord | null;
}

/** A run's options, resolved once. */
export interface TrainPlan {
  /** Every training setting, defaults filled in and checked. */
  readonly spec: TrainSpec;
  /** The columns of the rows' sample weights and offsets (data/row_columns.ts). */
  readonly columns: RowColumns;
  /** Which rows are held out for validation (null: none). */
  readonly hold: Holdout | null;
  /** Bytes of rows the backend may hold. */
  readonly memoryBudget: number;
  /** The largest chunk the caller allows (Infinity: the backend's largest). */
  readonly chunkRows: number;
  /** Whether L-BFGS reads the rows again at every pass (null: by their size; RunOptions.passReads). */
  readonly passReads: boolean | null;
  /** Steps between loss read-backs (null: once per epoch). */
  readonly lossEvery: number | null;
  readonly init: ModelParams | null;
  readonly f64Rows: F64Rows | null;
  readonly skipFinalMetrics: boolean;
  readonly evaluateEachEpoch: boolean;
  /** Whether steps read the gradient back and update in TypeScript (asked for, or needed by a preconditioner). */
  readonly hostUpdate: boolean;
  readonly signal: AbortSignal | null;
  readonly pause: (() => Promise<void>) | null;
  readonly onEpoch: ((e: EpochReport) => void) | null;
  readonly onProgress: ((p: Progress) => void) | null;
  readonly onPhase: ((phase: RunPhase) => void) | null;
  readonly onIteration: ((it: Iteration) => void) | null;
  readonly onPathStep: ((s: PathStep) => void) | null;
  readonly checkpoint: CheckpointPolicy;
  /** Keep a run that ended worse than it started (see RunOptions.keepDiverged). */
  readonly keepDiverged: boolean;
  /** The ranks of a data-parallel run (null: one process). */
  readonly collective: Collective | null;
  /** Steps between the ranks' model averages (1: gradients summed every step). */
  readonly syncEvery: number;
}

/** The default memory budget: 1 GiB of rows. */
export const DEFAULT_BUDGET = 2 ** 30;

/** Bytes a row takes on a backend: features padded to 4 floats, plus the target, plus 8 per sparse entry (index, value) and its row offset. */
export function rowBytes(d: number, nnzPerRow = 0): number {
  return Math.ceil(d / 4) * 16 + 4 + (nnzPerRow > 0 ? Math.ceil(8 * nnzPerRow) + 4 : 0);
}

/** TRAIN_ALIASES by spec key (the library's names) instead of CLI name. */
const KEY_ALIASES = Object.fromEntries(Object.entries(TRAIN_ALIASES).map(([a, n]) => [a, TRAIN_OPTIONS.find((o) => o.name === n)?.key ?? n]));

/**
 * The spec of a run's options: the settings given, the rest at their defaults, each value checked. An unknown key is
 * an error naming the nearest valid one; a setting that does not apply to the chosen loss, penalty, optimizer or solver
 * is an error when it differs from its default (a whole spec — every field, as the page passes — carries defaults there).
 */
export function specOf(o: TrainOptions): TrainSpec {
  const keys = [...TRAIN_OPTIONS.map((x) => x.key as string), ...RUN_KEYS];
  for (const k of Object.keys(o)) {
    if (!keys.includes(k) && (o as Record<string, unknown>)[k] !== undefined) {
      throw new OptionError(k, `unknown training option "${k}"${didYouMean(k, keys, KEY_ALIASES)}`);
    }
  }
  const record: Record<string, unknown> = {};
  for (const opt of TRAIN_OPTIONS) record[opt.key] = o[opt.key];
  const spec = parseTrainSpec(record, { strict: false });
  for (const opt of TRAIN_OPTIONS) {
    if (o[opt.key] !== undefined && spec[opt.key] !== opt.default && !applies(opt, spec)) throw notApplying(opt, spec);
  }
  return spec;
}

/** Resolves a run's options into its plan. */
export function resolvePlan(o: TrainOptions): TrainPlan {
  const spec = specOf(o);
  for (const k of ['weight', 'offset'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new OptionError(k, `--${k} names a column; got ${JSON.stringify(v)}`);
  }
  return {
    spec,
    columns: { ...(o.weight !== undefined ? { weight: o.weight } : {}), ...(o.offset !== undefined ? { offset: o.offset } : {}) },
    hold: spec.validation ? holdout(spec.validation, spec.seed) : null,
    memoryBudget: o.memoryBudget ?? DEFAULT_BUDGET,
    chunkRows: o.chunkRows ?? Infinity,
    passReads: o.passReads ?? null,
    lossEvery: o.lossEvery ?? null,
    init: o.init ?? null,
    f64Rows: o.f64Rows ?? null,
    skipFinalMetrics: !!o.skipFinalMetrics,
    evaluateEachEpoch: !!o.evaluateEachEpoch,
    hostUpdate: spec.hostUpdate,
    signal: o.signal ?? null,
    pause: o.pause ?? null,
    onEpoch: o.onEpoch ?? null,
    onProgress: o.onProgress ?? null,
    onPhase: o.onPhase ?? null,
    onIteration: o.onIteration ?? null,
    onPathStep: o.onPathStep ?? null,
    checkpoint: {
      write: o.onCheckpoint ?? null, everyEpochs: o.checkpointEpochs ?? 0, everySteps: o.checkpointSteps ?? 0,
      resume: o.resume ?? null, fingerprint: o.fingerprint ?? {}, ranks: null,
    },
    keepDiverged: !!o.keepDiverged,
    collective: o.collective ?? null,
    syncEvery: syncEveryOf(o),
  };
}

/** The checked --sync-every: a whole number ≥ 1, and more than 1 only for a distributed run. */
function syncEveryOf(o: TrainOptions): number {
  const k = o.syncEvery ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new OptionError('syncEvery', `--sync-every must be a whole number of steps ≥ 1, got ${k}`);
  if (k > 1 && !o.collective) throw new OptionError('syncEvery', '--sync-every averages the models of a distributed run\'s ranks; this run has one process');
  if (k > 1 && o.solver === 'exact') throw new OptionError('syncEvery', '--sync-every applies to gradient descent, not --solver exact');
  if (k > 1 && o.checkpointSteps && o.checkpointSteps % k !== 0) {
    throw new OptionError('syncEvery', `--checkpoint-every ${o.checkpointSteps}steps must be a multiple of --sync-every ${k}, so checkpoints hold the ranks' averaged model`);
  }
  return k;
}

/**
 * Bytes a model's sparse block of `width` columns keeps in memory, per column and output: the f64 weight and its
 * optimizer slots, the step's scatter accumulator (an f64 sum and a mark), the lazy update's last step, and the f32
 * copy the kernels read (the CPU arena's, or WebGPU's host mirror) — 2^24 hashed buckets under SGD: about 470 MB.
 */
export function sparseModelBytes(width: number, outputs: number, optimizerSlots: number): number {
  return width * (outputs * (8 + 8 * optimizerSlots + 8 + 4) + 4 + 4);
}

/**
 * What a run with a sparse model keeps besides its rows, so that its peak memory stays within --memory-budget: the
 * block (as the backend keeps it: `backend.sparseModelBytes`, else the layout above) and the program itself — Node,
 * the code, the reader's buffers while streaming — at RUNTIME_BYTES (measured: 66 MB idle, about 110 MB streaming
 * 2^24 buckets on the reference). The model handed back is the session's own, not a copy.
 */
export const RUNTIME_BYTES = 128 * 2 ** 20;

/** Bytes a sparse model keeps on a backend, without the program's share. */
export function sparseBlockBytes(backend: Pick<Backend, 'sparseModelBytes'>, s: SparseShape): number {
  return backend.sparseModelBytes ? backend.sparseModelBytes(s) : sparseModelBytes(s.width, s.outputs, OPTIMIZERS[s.optimizer].slots);
}

/** Rows of d features (and nnzPerRow sparse entries) that fit the plan's memory budget, less `reserved` bytes (a sparse model's and the program's). */
export function budgetRows(plan: TrainPlan, d: number, nnzPerRow = 0, reserved = 0): number {
  const left = plan.memoryBudget - reserved;
  const row = rowBytes(d, nnzPerRow);
  if (reserved > 0 && left < 16 * row) {
    const mb = (b: number) => `${Number((b / 2 ** 20).toPrecision(3))} MiB`;
    throw new OptionError('memory-budget', `the model's sparse block keeps about ${mb(reserved - RUNTIME_BYTES)} in memory and the program about ` +
      `${mb(RUNTIME_BYTES)}, which leaves ${left > 0 ? `only ${mb(left)}` : 'nothing'} ` +
      `of --memory-budget ${mb(plan.memoryBudget)} for rows: raise --memory-budget, or lower --hash-bits (each bit halves the block)`);
  }
  return Math.max(1, Math.floor(left / row));
}
