// Holdout validation for streams: a row is held out by a seeded hash of its index in the source, so the
// split is the same in every epoch, every run and every chunking, without storing a list of rows.
import { selectCsr } from './csr';
import type { HostChunk } from './dataset';
import { deriveKey, mix32 } from './rng';

/** A holdout rule: the fraction of rows held out and the key of the hash; with `fold`, a cross-validation split. */
export interface Holdout {
  fraction: number;
  key: number;
  /**
   * Cross-validation: the rows not held out by `fraction` fall into k folds by the same hash; fold `index` is held out
   * (the fold's validation rows) and the rows `fraction` holds out are dropped (kept for the final validation).
   */
  fold?: { k: number; index: number };
}

/** What a row is under a holdout rule: trained on, held out, or (cross-validation) left out of both. */
export type RowRole = 'train' | 'held' | 'drop';

/** The holdout rule for a seed (fraction in [0, 1)). */
export function holdout(fraction: number, seed: number): Holdout {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`--validation must be a fraction in [0, 1), got ${fraction}`);
  return { fraction, key: deriveKey(seed, 0x7a11d) };
}

/** The rule of fold `index` of k (0-based) under a holdout rule's hash (null: no outer holdout). */
export function foldRule(base: Holdout | null, seed: number, k: number, index: number): Holdout {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`--cv must be an integer ≥ 2, got ${k}`);
  return { ...(base ?? holdout(0, seed)), fold: { k, index } };
}

/** The row's place in [0, 1) by the seeded hash of its index. */
function place(row: number, key: number): number {
  const lo = row >>> 0;
  const hi = Math.floor(row / 2 ** 32) >>> 0;
  return mix32(mix32(lo ^ key) ^ hi) / 2 ** 32;
}

/** The role of the row with this index in its source. */
export function rowRole(row: number, h: Holdout): RowRole {
  const u = place(row, h.key);
  if (!h.fold) return u < h.fraction ? 'held' : 'train';
  if (u < h.fraction) return 'drop';
  const fold = Math.min(h.fold.k - 1, Math.floor(((u - h.fraction) / (1 - h.fraction)) * h.fold.k));
  return fold === h.fold.index ? 'held' : 'train';
}

/** Whether the row with this index in its source is held out. */
export function isHeldOut(row: number, h: Holdout): boolean {
  return rowRole(row, h) === 'held';
}

/** Whether the row with this index in its source is trained on. */
export function isTrained(row: number, h: Holdout): boolean {
  return rowRole(row, h) === 'train';
}

/** Splits a chunk into its training rows and its held-out rows (both keep source order, weights and offsets; dropped rows in neither). */
export function splitChunk(c: HostChunk, d: number, h: Holdout): { train: HostChunk; held: HostChunk } {
  const first = c.firstRow ?? 0;
  const keep: number[] = [];
  const out: number[] = [];
  let dropped = 0;
  for (let i = 0; i < c.rows; i++) {
    const role = rowRole(first + i, h);
    if (role === 'drop') dropped++;
    else (role === 'held' ? out : keep).push(i);
  }
  const column = (v: Float32Array | undefined, idx: number[]) => v && Float32Array.from(idx, (r) => v[r]);
  const take = (idx: number[]): HostChunk => {
    const x = new Float32Array(idx.length * d);
    const y = new Float32Array(idx.length);
    idx.forEach((r, k) => {
      x.set(c.x.subarray(r * d, (r + 1) * d), k * d);
      y[k] = c.y[r];
    });
    const w = column(c.w, idx);
    const o = column(c.o, idx);
    return { rows: idx.length, x, y, firstRow: first, ...(w ? { w } : {}), ...(o ? { o } : {}), ...(c.sparse ? { sparse: selectCsr(c.sparse, idx) } : {}) };
  };
  return out.length === 0 && dropped === 0 ? { train: c, held: take([]) } : { train: take(keep), held: take(out) };
}
