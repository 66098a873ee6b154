// Which rows each rank of a distributed run reads. The source's rows are cut into chunks at fixed global row indices
// (multiples of the chunk size, which depends on the data alone, never on the number of ranks) and each rank holds a
// contiguous run of whole chunks, so the seeded batch order — defined on chunks and their rows — is the same for
// any number of ranks, and the chunks cover every row exactly once. A rank reads its rows by random access (memory,
// NPY, .dh, Parquet) or, for text files, through the source's byte-range parts (CSV cut at line starts).
import type { HostChunk } from '../core/dataset';
import type { DataSource, ReadOptions } from '../data/source';
import type { Collective } from './collective';
import type { RankRecord } from './checkpoint';

/** Default chunks: this share of the rows (so up to 64 ranks get at least one), within [MIN, MAX] rows. */
const CHUNKS_FOR = 64;
const MIN_CHUNK_ROWS = 256;
const MAX_CHUNK_ROWS = 1 << 20;

/** One rank's share: chunks [firstChunk, endChunk) = rows [firstRow, endRow) of `rows`. */
export interface ShardLayout {
  readonly rows: number;
  readonly chunkRows: number;
  readonly chunks: number;
  readonly rank: number;
  readonly size: number;
  readonly firstChunk: number;
  readonly endChunk: number;
  readonly firstRow: number;
  readonly endRow: number;
}

/**
 * The chunk size of a distributed run over `rows` rows: `asked` (--chunk-rows) when given, else rows/64 within
 * [256, 2^20] — rounded to whole row groups when the source has row groups of one size (Parquet), so each rank
 * decodes only its own; never above the backend's largest slot.
 */
export function distChunkRows(rows: number, backendMax: number, asked: number, groups?: readonly number[]): number {
  if (Number.isFinite(asked)) return Math.max(1, Math.min(backendMax, asked));
  const fair = Math.min(MAX_CHUNK_ROWS, Math.max(MIN_CHUNK_ROWS, Math.ceil(rows / CHUNKS_FOR)));
  const g = groups?.[0] ?? 0;
  if (g > 0 && g <= backendMax && groups!.slice(0, -1).every((n) => n === g)) {
    return g * Math.min(Math.max(1, Math.round(fair / g)), Math.floor(backendMax / g));
  }
  return Math.max(1, Math.min(backendMax, fair));
}

/** Rank `rank`'s chunks and rows; throws when a rank would hold none. */
export function shardLayout(rows: number, chunkRows: number, rank: number, size: number): ShardLayout {
  const chunks = Math.ceil(rows / chunkRows);
  const cut = (r: number) => Math.floor((r * chunks) / size);
  if (chunks < size) {
    throw new Error(`${size} ranks need at least ${size} chunks, but the data's ${rows} rows make ${chunks} chunk(s) of ${chunkRows} rows: ` +
      `use at most ${Math.max(1, chunks)} rank(s), or --chunk-rows ${Math.max(1, Math.floor(rows / size))} or less`);
  }
  const firstChunk = cut(rank);
  const endChunk = cut(rank + 1);
  return {
    rows, chunkRows, chunks, rank, size, firstChunk, endChunk,
    firstRow: firstChunk * chunkRows, endRow: Math.min(rows, endChunk * chunkRows),
  };
}

/** The record a checkpoint keeps of the ranks' shares. */
export function rankRecord(rows: number, chunkRows: number, size: number, syncEvery: number): RankRecord {
  const shards = Array.from({ length: size }, (_, r) => {
    const l = shardLayout(rows, chunkRows, r, size);
    return { rank: r, firstRow: l.firstRow, rows: l.endRow - l.firstRow };
  });
  return { size, syncEvery, chunkRows, shards };
}

/** A source that can be read in parts (a text file cut at line starts; DataSource.part). */
type PartedSource = DataSource & Required<Pick<DataSource, 'part'>>;

/** The global row count, agreed by every rank: the source's own, or for a parted source the sum of the parts' rows. */
export async function globalRows(source: DataSource, c: Collective, signal?: AbortSignal): Promise<{ rows: number; partRows: number[] | null }> {
  if (source.rows !== null && source.readRows) {
    const mine = new Float64Array(c.size);
    mine[c.rank] = source.rows;
    const seen = await c.allreduce(mine);
    const other = seen.findIndex((n) => n !== source.rows);
    if (other >= 0) throw new Error(`the ranks read different data: ${source.description} has ${source.rows} rows on rank ${c.rank}, ${seen[other]} on rank ${other}`);
    return { rows: source.rows, partRows: null };
  }
  if (!source.part) {
    throw new Error(`${source.description}: a distributed run needs a source it can share out (random access by row, or parts by byte range)`);
  }
  let n = 0;
  for await (const ch of source.part(c.rank, c.size).read({ signal })) n += ch.rows;
  const counts = new Float64Array(c.size);
  counts[c.rank] = n;
  const all = Array.from(await c.allreduce(counts));
  return { rows: all.reduce((a, b) => a + b, 0), partRows: all };
}

/**
 * The rank's rows as a source: chunks of exactly `chunkRows` rows (the last one shorter), each with its global
 * `firstRow`, read by random access or from the parts the rows lie in.
 */
export function shardSource(source: DataSource, l: ShardLayout, partRows: number[] | null): DataSource {
  const read = partRows ? partsReader(source as PartedSource, partRows, l) : randomReader(source, l);
  return {
    description: `${source.description} (rows ${l.firstRow + 1}…${l.endRow} on rank ${l.rank} of ${l.size})`,
    features: source.features,
    target: source.target,
    rows: l.endRow - l.firstRow,
    read,
    ...(source.extras ? { extras: source.extras } : {}),
    get targetLabels() {
      return source.targetLabels;
    },
    get skipped() {
      return source.skipped;
    },
  };
}

function randomReader(source: DataSource, l: ShardLayout): (o?: ReadOptions) => AsyncIterable<HostChunk> {
  return async function* (o: ReadOptions = {}) {
    const max = Math.min(o.maxRows ?? l.chunkRows, l.chunkRows);
    for (let at = l.firstRow; at < l.endRow;) {
      o.signal?.throwIfAborted();
      const chunkEnd = Math.min(l.endRow, (Math.floor(at / l.chunkRows) + 1) * l.chunkRows);
      const n = Math.min(max, chunkEnd - at);
      yield { ...(await source.readRows!(at, n)), firstRow: at };
      at += n;
    }
  };
}

/** Reads rows [firstRow, endRow) from the parts they lie in, regrouped into chunks aligned to chunkRows. */
function partsReader(source: PartedSource, partRows: number[], l: ShardLayout): (o?: ReadOptions) => AsyncIterable<HostChunk> {
  return async function* (o: ReadOptions = {}) {
    const d = source.features.length;
    const max = Math.min(o.maxRows ?? l.chunkRows, l.chunkRows);
    const { weight = false, offset = false } = source.extras ?? {};
    let start = 0;
    let at = l.firstRow;
    const fresh = () => ({
      x: new Float32Array(max * d), y: new Float32Array(max), w: weight ? new Float32Array(max) : null, o: offset ? new Float32Array(max) : null, rows: 0, firstRow: at,
    });
    let buf = fresh();
    for (let p = 0; p < partRows.length && at < l.endRow; start += partRows[p], p++) {
      if (start + partRows[p] <= at) continue;
      let row = start;
      for await (const c of source.part(p, partRows.length).read({ signal: o.signal, maxRows: max })) {
        for (let i = 0; i < c.rows && at < l.endRow; i++, row++) {
          if (row < at) continue;
          buf.x.set(c.x.subarray(i * d, (i + 1) * d), buf.rows * d);
          if (buf.w) buf.w[buf.rows] = c.w![i];
          if (buf.o) buf.o[buf.rows] = c.o![i];
          buf.y[buf.rows++] = c.y[i];
          at++;
          if (buf.rows === max || at === l.endRow || at % l.chunkRows === 0) {
            const n = buf.rows;
            yield {
              rows: n, x: buf.x.slice(0, n * d), y: buf.y.slice(0, n), firstRow: buf.firstRow,
              ...(buf.w ? { w: buf.w.slice(0, n) } : {}), ...(buf.o ? { o: buf.o.slice(0, n) } : {}),
            };
            buf = fresh();
          }
        }
        if (at >= l.endRow) break;
      }
    }
    if (at < l.endRow) throw new Error(`${source.description}: rank ${l.rank} expected rows up to ${l.endRow}, but the file ended at row ${at} (did it change?)`);
  };
}
