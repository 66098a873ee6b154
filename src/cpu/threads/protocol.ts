// What the cpu-mt pool (../parallel.ts) and its threads (grad_thread.ts) share: the control words, the piece
// records and the layout of each thread's stripe of results.
import type { ModelSpec } from '../../core/model';

/** Indices of the shared control words. */
export const CTL = { seq: 0, done: 1, withGrad: 2, pieces: 3, stop: 4, session: 5, failed: 6 } as const;
/** Control words. */
export const CTL_WORDS = 8;
/** Ints per piece record: store, slot, start, count, key, shuffle. */
export const PIECE_INTS = 6;

/** Messages to a thread (drained before each command). */
export type ThreadMessage =
  | { type: 'slot'; store: number; slot: number; x: SharedArrayBuffer; y: SharedArrayBuffer; rows: number }
  | { type: 'session'; session: number; spec: ModelSpec; params: SharedArrayBuffer; results: SharedArrayBuffer }
  | { type: 'end'; session: number };

/** f64s per thread stripe: Σ gradient (K·D), Σ bias gradient (K), Σ loss, 4 metric sums, rows, confusion (C²). */
export function resultStride(d: number, k: number, classes: number): number {
  return k * d + k + 6 + classes * classes;
}
