// The epoch plan: which rows each step reads. Both backends follow the same plan, so a seed fixes the
// order everywhere. Data lives in chunks; an epoch visits the chunks in a seeded order and each chunk's
// rows through a keyed permutation (core/permute.ts); a batch may span two or more chunks ("pieces").
import { deriveKey, permutation } from './rng';

/** A contiguous run of a step's rows inside one chunk, in that chunk's permuted order. */
export interface Piece {
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
  /** Index of the step within its epoch (where its loss is recorded). */
  index: number;
  rows: number;
  lr: number;
  pieces: Piece[];
}

/** What an epoch's plan depends on. */
export interface EpochOptions {
  chunkRows: readonly number[];
  batch: number;
  lr: number;
  seed: number;
  epoch: number;
  shuffle: boolean;
}

/** Steps in one epoch of `rows` rows with batch size `batch` (the last batch may be short). */
export function stepsPerEpoch(rows: number, batch: number): number {
  return Math.ceil(rows / batch);
}

/** The chunk visiting order of one epoch. */
export function chunkOrder(o: EpochOptions): number[] {
  const n = o.chunkRows.length;
  return o.shuffle ? permutation(n, deriveKey(o.seed, o.epoch, 0xc0de)) : Array.from({ length: n }, (_, i) => i);
}

/** Yields the steps of one epoch in order. */
export function* epochSteps(o: EpochOptions): Generator<Step> {
  if (!(o.batch >= 1)) throw new Error(`batch size must be ≥ 1, got ${o.batch}`);
  const order = chunkOrder(o);
  let index = 0;
  let pieces: Piece[] = [];
  let filled = 0;
  for (const chunk of order) {
    const n = o.chunkRows[chunk];
    const key = o.shuffle ? deriveKey(o.seed, o.epoch, chunk) : 0;
    let at = 0;
    while (at < n) {
      const take = Math.min(n - at, o.batch - filled);
      pieces.push({ chunk, start: at, count: take, shuffle: o.shuffle, key });
      at += take;
      filled += take;
      if (filled === o.batch) {
        yield { index: index++, rows: filled, lr: o.lr, pieces };
        pieces = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield { index, rows: filled, lr: o.lr, pieces };
}
