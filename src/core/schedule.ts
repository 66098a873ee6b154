// The epoch plan: which rows each step reads. Both backends follow the same plan, so a seed fixes the
// order everywhere. Data arrives in chunks; an epoch visits the chunks in a seeded order (when the source
// allows random access) and each chunk's rows through a keyed permutation (core/permute.ts). A batch may
// span two or more chunks; each run of its rows inside one chunk is a "piece".
import { deriveKey, permutation } from './rng';

/** A contiguous run of a step's rows inside one chunk, in that chunk's permuted order. */
export interface Piece {
  /** Which chunk (for a streamed epoch: which slot the chunk was loaded into). */
  chunk: number;
  start: number;
  count: number;
  /** Whether rows are read through the keyed permutation. */
  shuffle: boolean;
  /** Permutation key for this chunk this epoch (0 when not shuffling). */
  key: number;
}

/** One optimizer step. */
export interface Step {
  /** Index of the step within its loss-recording window (where its batch loss is recorded). */
  index: number;
  /** Global step number, 0-based, counted across epochs and windows (Adam's bias correction uses t + 1). */
  t: number;
  rows: number;
  lr: number;
  /** n > 0: this step's parameters are the n-th iterate of the running average; 0: not averaged. */
  average: number;
  pieces: Piece[];
}

/** What a step gets from its global number: its learning rate and its place in the running average. */
export type StepRuleOf = (t: number) => { lr: number; average: number };

/** What an epoch's plan depends on. */
export interface EpochOptions {
  chunkRows: readonly number[];
  batch: number;
  /** A constant rate, or each step's rate and averaging from its global number. */
  lr: number | StepRuleOf;
  seed: number;
  epoch: number;
  shuffle: boolean;
  /** Global number of the epoch's first step (default 0). */
  firstStep?: number;
}

/** Steps in one epoch of `rows` rows with batch size `batch` (the last batch may be short). */
export function stepsPerEpoch(rows: number, batch: number): number {
  return Math.ceil(rows / batch);
}

/** The chunk visiting order of one epoch (seeded when shuffling). */
export function chunkOrder(chunks: number, seed: number, epoch: number, shuffle: boolean): number[] {
  return shuffle ? permutation(chunks, deriveKey(seed, epoch, 0xc0de)) : Array.from({ length: chunks }, (_, i) => i);
}

/** The permutation key of chunk `id` (its index in the source) in one epoch. */
export function chunkKey(seed: number, epoch: number, id: number): number {
  return deriveKey(seed, epoch, id);
}

/** Cuts a stream of chunks into batches: feed chunks in visiting order, collect finished steps. */
export class BatchPlanner {
  private pieces: Piece[] = [];
  private filled = 0;
  private index = 0;
  private readonly rule: StepRuleOf;

  constructor(private readonly batch: number, lr: number | StepRuleOf, private readonly shuffle: boolean, private readonly firstStep = 0) {
    if (!(batch >= 1)) throw new Error(`batch size must be ≥ 1, got ${batch}`);
    this.rule = typeof lr === 'number' ? () => ({ lr, average: 0 }) : lr;
  }

  /** Adds a chunk of `rows` rows held as `chunk`; returns the steps it completes. */
  add(chunk: number, rows: number, key: number): Step[] {
    const done: Step[] = [];
    let at = 0;
    while (at < rows) {
      const take = Math.min(rows - at, this.batch - this.filled);
      this.pieces.push({ chunk, start: at, count: take, shuffle: this.shuffle, key: this.shuffle ? key : 0 });
      at += take;
      this.filled += take;
      if (this.filled === this.batch) done.push(this.take());
    }
    return done;
  }

  /** The last, short batch, if any rows are left. */
  finish(): Step[] {
    return this.filled > 0 ? [this.take()] : [];
  }

  private take(): Step {
    const t = this.firstStep + this.index;
    const step = { index: this.index++, t, rows: this.filled, ...this.rule(t), pieces: this.pieces };
    this.pieces = [];
    this.filled = 0;
    return step;
  }
}

/** Yields the steps of one epoch over chunks that are all held at once. */
export function* epochSteps(o: EpochOptions): Generator<Step> {
  const planner = new BatchPlanner(o.batch, o.lr, o.shuffle, o.firstStep);
  for (const chunk of chunkOrder(o.chunkRows.length, o.seed, o.epoch, o.shuffle)) {
    yield* planner.add(chunk, o.chunkRows[chunk], chunkKey(o.seed, o.epoch, chunk));
  }
  yield* planner.finish();
}
