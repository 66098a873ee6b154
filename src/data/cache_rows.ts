// Decoding the rows of a ".dh" cache (cache_format.ts), shared by the Node reader (cache.ts) and the Blob reader
// (cache_blob.ts): f32 or f16 rows split into features and targets, every value checked to be finite and within its
// column's [min, max] recorded in the header (a flipped sign or exponent bit is refused with its row and column);
// and the interleaving of a chunk's rows for writing. No I/O.
import type { HostChunk } from '../core/dataset';
import type { DType } from '../core/f16';
import { decodeF16Rows } from './cache_f16';
import type { CacheHeader } from './cache_format';
import { DataError } from './csv';
import { checkValues } from './values';

/** Copies rows [r, r + n) of a chunk into `out` at `at` as rows of d features followed by y. */
export function interleave(c: HostChunk, r: number, n: number, d: number, out: Float32Array, at: number): void {
  for (let k = r * d, end = r + n; r < end; r++) {
    for (let j = 0; j < d; j++) out[at++] = c.x[k++];
    out[at++] = c.y[r];
  }
}

/** Each column's recorded [min, max] (features, then y). */
export function cacheBounds(h: CacheHeader): { lo: Float64Array; hi: Float64Array } {
  const all = [...h.featureStats, h.targetStats];
  return { lo: Float64Array.from(all, (s) => s.min), hi: Float64Array.from(all, (s) => s.max) };
}

/** Rows [start, start + count) of a cache from their bytes, each value checked; `bounds` is cacheBounds(h). */
export function decodeCacheRows(
  file: string, h: CacheHeader, bytes: Uint8Array, start: number, count: number, bounds: { lo: Float64Array; hi: Float64Array },
): HostChunk {
  const d = h.features.length;
  const w = d + 1;
  const dtype: DType = h.dtype ?? 'f32';
  const m = dtype === 'f16' ? decodeF16Rows(bytes, count, d) : new Float32Array(bytes.buffer, bytes.byteOffset, count * w);
  checkValues(file, m, w, start, (j) => (j < d ? h.features[j] : h.target));
  const x = new Float32Array(count * d);
  const y = new Float32Array(count);
  const { lo, hi } = bounds;
  let bad = -1;
  for (let r = 0, i = 0, o = 0; r < count; r++) {
    for (let j = 0; j < d; j++, i++) {
      const v = (x[o++] = m[i]);
      if (!(v >= lo[j] && v <= hi[j])) bad = i;
    }
    const v = (y[r] = m[i]);
    if (!(v >= lo[d] && v <= hi[d])) bad = i;
    i++;
  }
  if (bad >= 0) {
    const j = bad % w;
    const s = j < d ? h.featureStats[j] : h.targetStats;
    throw new DataError(file, start + Math.floor(bad / w) + 1, `${j + 1} "${j < d ? h.features[j] : h.target}"`,
      `the value ${m[bad]} is outside the column's range recorded when the cache was written [${s.min}, ${s.max}]: the file changed after it was written (corrupt); convert the data again`, 'row');
  }
  return { rows: count, x, y, firstRow: start };
}
