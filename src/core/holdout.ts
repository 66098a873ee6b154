// Holdout validation for streams: a row is held out by a seeded hash of its index in the source, so the
// split is the same in every epoch, every run and every chunking, without storing a list of rows.
import { emptyCsr, selectCsr } from './csr';
import type { HostChunk } from './dataset';
import { deriveKey, mix32 } from './rng';

/** A holdout rule: the fraction of rows held out and the key of the hash. */
export interface Holdout {
  fraction: number;
  key: number;
}

/** The holdout rule for a seed (fraction in [0, 1)). */
export function holdout(fraction: number, seed: number): Holdout {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`--validation must be a fraction in [0, 1), got ${fraction}`);
  return { fraction, key: deriveKey(seed, 0x7a11d) };
}

/** Whether the row with this index in its source is held out. */
export function isHeldOut(row: number, h: Holdout): boolean {
  const lo = row >>> 0;
  const hi = Math.floor(row / 2 ** 32) >>> 0;
  return mix32(mix32(lo ^ h.key) ^ hi) / 2 ** 32 < h.fraction;
}

/** Splits a chunk into its training rows and its held-out rows (both keep source order). */
export function splitChunk(c: HostChunk, d: number, h: Holdout): { train: HostChunk; held: HostChunk } {
  const first = c.firstRow ?? 0;
  const keep: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < c.rows; i++) (isHeldOut(first + i, h) ? out : keep).push(i);
  const take = (idx: number[]): HostChunk => {
    const x = new Float32Array(idx.length * d);
    const y = new Float32Array(idx.length);
    idx.forEach((r, k) => {
      x.set(c.x.subarray(r * d, (r + 1) * d), k * d);
      y[k] = c.y[r];
    });
    return { rows: idx.length, x, y, firstRow: first, ...(c.sparse ? { sparse: selectCsr(c.sparse, idx) } : {}) };
  };
  const none = { rows: 0, x: new Float32Array(0), y: new Float32Array(0), ...(c.sparse ? { sparse: emptyCsr(0, !c.sparse.val) } : {}) };
  return out.length === 0 ? { train: c, held: none } : { train: take(keep), held: take(out) };
}
