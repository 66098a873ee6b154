// Sequential passes over random-access sources (NPY, binary cache): read large blocks of rows (≥ 8 MiB, so
// the file streams at disk speed) and hand them out as chunks of at most maxRows rows. No I/O of its own.
import type { HostChunk } from '../core/dataset';
import type { ReadOptions } from './source';

/** Bytes per sequential read. */
export const BLOCK_BYTES = 8 << 20;

/** Default rows per chunk for every source. */
export const DEFAULT_MAX_ROWS = 65536;

/** Most values (rows × D) in one chunk: 64 MiB of float32, so a very wide file still reads in bounded memory. */
export const MAX_CHUNK_VALUES = 1 << 24;

/**
 * The chunk size a pass over rows of `d` features should use: opts.maxRows rounded down, or the default when absent
 * or infinite — never more rows than MAX_CHUNK_VALUES values hold (one at least).
 */
export function chunkRows(opts: ReadOptions, d = 1): number {
  const want = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!(want >= 1)) throw new RangeError(`maxRows must be ≥ 1, got ${want}`);
  const rows = Number.isFinite(want) ? Math.floor(want) : DEFAULT_MAX_ROWS;
  return Math.max(1, Math.min(rows, Math.floor(MAX_CHUNK_VALUES / Math.max(1, d))));
}

/** Rows per block read: a whole number of chunks, at least BLOCK_BYTES of data. */
export function blockRows(rowBytes: number, maxRows: number): number {
  const chunks = Math.max(1, Math.ceil(BLOCK_BYTES / (rowBytes * maxRows)));
  return chunks * maxRows;
}

/** One pass over `rows` rows of `d` features, reading blocks with `readRows` and yielding chunk views of them. */
export async function* blockedPass(
  rows: number, d: number, rowBytes: number, opts: ReadOptions, readRows: (start: number, count: number) => Promise<HostChunk>,
): AsyncGenerator<HostChunk> {
  const max = chunkRows(opts, d);
  const per = blockRows(rowBytes, max);
  const fetch = (start: number) => (start < rows ? readRows(start, Math.min(per, rows - start)) : null);
  // The next block is read while the consumer works on this one.
  let pending = fetch(0);
  try {
    for (let start = 0; pending; start += per) {
      opts.signal?.throwIfAborted();
      const block = await pending;
      pending = fetch(start + per);
      for (let s = 0; s < block.rows; s += max) {
        const n = Math.min(max, block.rows - s);
        yield { rows: n, x: block.x.subarray(s * d, (s + n) * d), y: block.y.subarray(s, s + n), firstRow: start + s };
      }
    }
  } finally {
    // Let a read in flight finish before the caller closes its file.
    await pending?.catch(() => undefined);
  }
}

/** Throws a RangeError unless [start, start + count) lies within 0..rows. */
export function checkRange(start: number, count: number, rows: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows)) {
    throw new RangeError(`rows [${start}, ${start + count}) outside 0..${rows}`);
  }
}
