// Chunk plumbing for the host loop: re-blocking an async stream into fixed-size chunks, reading ahead,
// and the order a streamed epoch reads a source in.
import { concatCsr, sliceCsr, type Csr } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import { chunkOrder } from '../core/schedule';
import type { DataSource } from '../data/source';

/** Re-blocks an async stream of chunks into chunks of exactly `capacity` rows (the last one shorter). */
export async function* rechunkAsync(chunks: AsyncIterable<HostChunk>, d: number, capacity: number): AsyncGenerator<HostChunk> {
  let x = new Float32Array(capacity * d);
  let y = new Float32Array(capacity);
  // Sample weights and offsets travel with their rows (allocated once the first chunk shows whether there are any).
  let w: Float32Array | null = null;
  let o: Float32Array | null = null;
  let filled = 0;
  let firstRow = 0;
  const extras = (n: number, copy: boolean) => ({ ...(w ? { w: copy ? w.slice(0, n) : w } : {}), ...(o ? { o: copy ? o.slice(0, n) : o } : {}) });
  let parts: Csr[] = [];
  const sparse = (): Partial<HostChunk> => (parts.length ? { sparse: concatCsr(parts) } : {});
  for await (const c of chunks) {
    if (filled === 0 && c.rows === capacity) {
      yield c; // already the right size: pass it through without a copy
      continue;
    }
    if (c.w && !w) w = new Float32Array(capacity);
    if (c.o && !o) o = new Float32Array(capacity);
    let at = 0;
    while (at < c.rows) {
      if (filled === 0) firstRow = (c.firstRow ?? 0) + at;
      const take = Math.min(c.rows - at, capacity - filled);
      x.set(c.x.subarray(at * d, (at + take) * d), filled * d);
      y.set(c.y.subarray(at, at + take), filled);
      if (w && c.w) w.set(c.w.subarray(at, at + take), filled);
      if (o && c.o) o.set(c.o.subarray(at, at + take), filled);
      if (c.sparse) parts.push(sliceCsr(c.sparse, at, take));
      at += take;
      filled += take;
      if (filled === capacity) {
        yield { rows: filled, x, y, firstRow, ...extras(filled, false), ...sparse() };
        parts = [];
        x = new Float32Array(capacity * d);
        y = new Float32Array(capacity);
        if (w) w = new Float32Array(capacity);
        if (o) o = new Float32Array(capacity);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield { rows: filled, x: x.slice(0, filled * d), y: y.slice(0, filled), firstRow, ...extras(filled, true), ...sparse() };
}

/** Reads `depth` items ahead of the consumer, so reading overlaps the consumer's work. */
export async function* readAhead<T>(it: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const iter = it[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  for (let i = 0; i < depth + 1; i++) queue.push(iter.next());
  try {
    for (;;) {
      const r = await queue.shift()!;
      if (r.done) return;
      queue.push(iter.next());
      yield r.value;
    }
  } finally {
    await iter.return?.();
  }
}

/** A chunk of a streamed epoch and its identity (its position in the source, which keys its permutation). */
export interface EpochChunk {
  id: number;
  chunk: HostChunk;
}

/** The ranges of rows of one streamed epoch over a source of `rows` rows with random access, in epochChunks' order. */
export function epochRanges(rows: number, slotRows: number, seed: number, epoch: number, shuffle: boolean): { id: number; start: number; count: number }[] {
  return chunkOrder(Math.ceil(rows / slotRows), seed, epoch, shuffle).map((id) => ({ id, start: id * slotRows, count: Math.min(slotRows, rows - id * slotRows) }));
}

/**
 * The chunks of one streamed epoch: in a seeded order when the source has random access and a known row
 * count, otherwise in file order (rows are still permuted inside each chunk).
 */
export async function* epochChunks(
  source: DataSource, d: number, slotRows: number, seed: number, epoch: number, shuffle: boolean,
): AsyncGenerator<EpochChunk> {
  const rows = source.rows;
  if (source.readRows && rows !== null) {
    for (const { id, start, count } of epochRanges(rows, slotRows, seed, epoch, shuffle)) yield { id, chunk: await source.readRows(start, count) };
    return;
  }
  let id = 0;
  for await (const chunk of rechunkAsync(source.read({ maxRows: slotRows }), d, slotRows)) yield { id: id++, chunk };
}
