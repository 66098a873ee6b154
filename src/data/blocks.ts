// Sequential passes over random-access sources (NPY, binary cache): read large blocks of rows (≥ 8 MiB, so
// the file streams at disk speed) and hand them out as chunks of at most maxRows rows. No I/O of its own.
import type { HostChunk } from '../core/dataset';
import type { ReadOptions } from './source';

/** Bytes per sequential read. */
export const BLOCK_BYTES = 8 << 20;

/** Default rows per chunk for every source. */
export const DEFAULT_MAX_ROWS = 65536;

/** The chunk size a pass should use: opts.maxRows rounded down, or the default when absent or infinite. */
export function chunkRows(opts: ReadOptions): number {
  const want = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!(want >= 1)) throw new RangeError(`maxRows must be ≥ 1, got ${want}`);
  return Number.isFinite(want) ? Math.floor(want) : DEFAULT_MAX_ROWS;
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
  const max = chunkRows(opts);
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
