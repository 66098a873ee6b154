// Layout-3 ".dh" caches (format in cache_csr.ts) without Node: the block writer, through any positioned sink (a
// file, or a browser's origin-private file system whose sync access handle writes at an offset), which gathers the
// dense columns' statistics, cuts rows into blocks and writes the header last (a cache whose writing stopped midway
// has no valid header); and the block reader, over any positioned read (a file, or a Blob's slices), the last block
// decoded kept for the next request (a cache in a Blob as a DataSource: cache_csr_blob.ts). Browser-safe.
import { concatCsr, sliceCsr, valuedCsr, type Csr } from '../core/csr';
import type { HostChunk, RowEntries, RowRecords } from '../core/dataset';
import type { Encoding, SparseSchema } from '../core/encoding';
import { F16_MAX } from '../core/f16';
import { accumulateChunk, emptyStats, type ColumnStats } from '../core/stats';
import type { CacheSink } from './cache_blob';
import { encodeBlock, CSR_BLOCK_ROWS, type CsrInfo, type CsrValues } from './cache_csr';
import { addEntries, blockTargets, checkBlock, decodeRecords, fitsBlock, ptrAt, VALUE_KINDS, writeRows, type CheckedBlock } from './cache_csr_records';
import { cacheHeaderBytes, encodeCacheHeader, type CacheHeader } from './cache_format';
import { DataError } from './csv';

/** Rows [start, start + n) of a chunk as a chunk (views where possible). */
export function rowsOf(c: HostChunk, d: number, start: number, n: number): HostChunk {
  return { rows: n, x: c.x.subarray(start * d, (start + n) * d), y: c.y.subarray(start, start + n), firstRow: (c.firstRow ?? 0) + start, sparse: sliceCsr(c.sparse!, start, n) };
}

/** Chunks one after another as one. */
export function joined(parts: HostChunk[], d: number): HostChunk {
  if (parts.length === 1) return parts[0];
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const x = new Float32Array(rows * d);
  const y = new Float32Array(rows);
  let r = 0;
  for (const p of parts) {
    x.set(p.x.subarray(0, p.rows * d), r * d);
    y.set(p.y.subarray(0, p.rows), r);
    r += p.rows;
  }
  return { rows, x, y, firstRow: parts[0].firstRow, sparse: concatCsr(parts.map((p) => p.sparse!)) };
}

/** What a layout-3 cache's sparse block is: its width, encoding and how values are stored. */
export type CsrSparse = { width: number; encoding: Encoding; values: CsrValues };

/** Writes a layout-3 cache block by block through a positioned sink, the block index and the header last. */
export class CsrBlockWriter {
  private rows = 0;
  private nnz = 0;
  private readonly stats: ColumnStats[];
  private pending: HostChunk[] = [];
  private pendingRows = 0;
  private readonly offsets: number[];
  private at: number;

  /** `name` names the cache in errors. */
  constructor(private readonly sink: CacheSink, private readonly name: string, readonly features: readonly string[], readonly target: string,
    private readonly sparse: CsrSparse, private readonly blockRows = CSR_BLOCK_ROWS) {
    this.stats = Array.from({ length: features.length + 1 }, emptyStats);
    this.at = cacheHeaderBytes(features, target, { ...sparse, blockRows, nnz: 0, indexAt: 0 });
    this.offsets = [this.at];
  }

  /** The chunk's sparse block as this cache stores it (indicators, or values that fit). */
  private checked(c: HostChunk): Csr {
    const s = c.sparse;
    if (!s) throw new Error(`${this.name}: a chunk without a sparse block`);
    if (this.sparse.values === 'indicator') {
      if (s.val) throw new Error(`${this.name}: a chunk with sparse values in a cache of ±1 indicators`);
      return s;
    }
    const v = valuedCsr(s);
    if (this.sparse.values === 'f16') {
      const bad = v.val!.findIndex((x) => !(Math.abs(x) < 65520));
      if (bad >= 0) throw new DataError(this.name, (c.firstRow ?? 0) + 1, null, `${v.val![bad]} does not fit float16 (|x| ≤ ${F16_MAX}); keep --dtype f32`, 'row');
    }
    return v;
  }

  /** Appends a chunk's rows (full blocks are written as they fill). */
  async write(c: HostChunk): Promise<void> {
    const d = this.features.length;
    const chunk = { ...c, sparse: this.checked(c) };
    accumulateChunk(this.stats, c.x, c.y, c.rows, d);
    for (let r = 0; r < c.rows; ) {
      const n = Math.min(c.rows - r, this.blockRows - this.pendingRows);
      this.pending.push(rowsOf(chunk, d, r, n));
      this.pendingRows += n;
      r += n;
      if (this.pendingRows === this.blockRows) await this.flush();
    }
    this.rows += c.rows;
  }

  private async flush(): Promise<void> {
    if (this.pendingRows === 0) return;
    const block = joined(this.pending, this.features.length);
    const bytes = encodeBlock(block, this.features.length, this.sparse.values);
    this.nnz += block.sparse!.ptr[block.rows] - block.sparse!.ptr[0];
    await this.sink.write(bytes, this.at);
    this.at += bytes.length;
    this.offsets.push(this.at);
    this.pending = [];
    this.pendingRows = 0;
  }

  /** Writes the last block, the block index and the header; returns the header. */
  async finish(): Promise<CacheHeader> {
    const d = this.features.length;
    await this.flush();
    const index = new BigUint64Array(this.offsets.map((o) => BigInt(o)));
    await this.sink.write(new Uint8Array(index.buffer), this.at);
    const sparse: CsrInfo = { ...this.sparse, blockRows: this.blockRows, nnz: this.nnz, indexAt: this.at };
    const h = { rows: this.rows, features: [...this.features], target: this.target, featureStats: this.stats.slice(0, d), targetStats: this.stats[d], sparse };
    await this.sink.write(encodeCacheHeader(h), 0);
    return { ...h, dataOffset: this.offsets[0], dtype: 'f32' };
  }
}

/** Reads `length` bytes at `offset` (into `into`'s first bytes where given and large enough, if the reader can). */
export type ReadAt = (offset: number, length: number, into?: Uint8Array) => Promise<Uint8Array>;

/** How many rows a selection takes (its bytes that are not 0). */
const taken = (select: Uint8Array): number => select.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);

/** Bytes at a 4-byte aligned offset of their buffer (copied when they are not). */
const aligned = (b: Uint8Array): Uint8Array => (b.byteOffset % 4 === 0 ? b : b.slice());

/** The blocks of a layout-3 cache whose header is decoded: its checked block index, and rows read block by block. */
export class CsrBlocks {
  /** The last block read and checked (its bytes in readBuffer), for a request that starts where the last ended. */
  private cached: { block: number; checked: CheckedBlock } | null = null;
  private readBuffer = new Uint8Array(0);
  /** Requests of rows in flight: only one at a time uses the kept buffer and block. */
  private busy = 0;

  private constructor(private readonly file: string, readonly h: CacheHeader, private readonly index: number[]) {}

  /** Reads and checks the block index. */
  static async open(file: string, h: CacheHeader, readAt: ReadAt): Promise<CsrBlocks> {
    const s = h.sparse!;
    const blocks = Math.ceil(h.rows / s.blockRows);
    const raw = await readAt(s.indexAt, (blocks + 1) * 8);
    const index = Array.from(new BigUint64Array(raw.slice().buffer), Number);
    const ok = index.length === blocks + 1 && index[0] === h.dataOffset && index[blocks] === s.indexAt && index.every((o, b) => b === 0 || o > index[b - 1]);
    if (!ok) throw new DataError(file, null, null, 'corrupt cache (its block index does not fit the file); convert the data again');
    return new CsrBlocks(file, h, index);
  }

  /** The sparse block's schema. */
  get sparse(): SparseSchema {
    const s = this.h.sparse!;
    return { width: s.width, encoding: s.encoding, nnzPerRow: s.nnz / Math.max(1, this.h.rows) };
  }

  /** Forgets the block kept and its buffer (at the end of a pass). */
  forget(): void {
    this.cached = null;
    this.readBuffer = new Uint8Array(0);
  }

  /**
   * Block b (of n rows) read and checked: into the kept buffer, and kept for the next request (or the one kept from
   * the last), when `shared`; else into a buffer of its own (a request made while another is in flight).
   */
  private async block(readAt: ReadAt, b: number, n: number, shared: boolean): Promise<CheckedBlock> {
    if (shared && this.cached?.block === b) return this.cached.checked;
    const length = this.index[b + 1] - this.index[b];
    if (shared) {
      this.cached = null;
      if (this.readBuffer.length < length) this.readBuffer = new Uint8Array(length);
    }
    const bytes = aligned(await readAt(this.index[b], length, shared ? this.readBuffer : undefined));
    const checked = checkBlock(this.file, bytes, n, this.h.features.length, b * this.h.sparse!.blockRows, this.h.sparse!);
    if (shared) this.cached = { block: b, checked };
    return checked;
  }

  /** Calls `each(block, rows in it, from, to)` for the part [from, to) of each block that rows [start, start + count) cover. */
  private async eachBlock(start: number, count: number, each: (b: number, n: number, from: number, to: number) => Promise<void>): Promise<void> {
    const B = this.h.sparse!.blockRows;
    for (let r = start; r < start + count; ) {
      const b = Math.floor(r / B);
      const n = Math.min(B, this.h.rows - b * B);
      const to = Math.min(start + count - b * B, n);
      await each(b, n, r - b * B, to);
      r = b * B + to;
    }
  }

  /** How many entries rows [start, start + count) hold, from their blocks' row offsets alone (checked against each block's size). */
  async entries(readAt: ReadAt, start: number, count: number, select?: Uint8Array): Promise<RowEntries> {
    const s = this.h.sparse!;
    const d = this.h.features.length;
    const acc: RowEntries = { most: 0, nnz: 0, valued: s.values !== 'indicator' };
    const buf = new Uint8Array((Math.min(s.blockRows, this.h.rows) + 1) * 4);
    await this.eachBlock(start, count, async (b, n, from, to) => {
      const raw = aligned(await readAt(this.index[b] + ptrAt(n, d), (n + 1) * 4, buf));
      const sel = select?.subarray(b * s.blockRows + from - start, b * s.blockRows + to - start);
      addEntries(this.file, new Uint32Array(raw.buffer, raw.byteOffset, n + 1), n, d, this.index[b + 1] - this.index[b], b * s.blockRows, s, from, to, acc, sel);
    });
    return acc;
  }

  /**
   * Rows [start, start + count) decoded straight into row records: by the records' own decoder where they have one
   * (each block read into its buffer, freed at the end), else here (one read buffer for all the blocks).
   */
  async records(readAt: ReadAt, start: number, count: number, into: RowRecords, select?: Uint8Array): Promise<void> {
    const read = { row: 0, buf: new Uint8Array(0) };
    const B = this.h.sparse!.blockRows;
    try {
      await this.eachBlock(start, count, async (b, n, from, to) => {
        const sel = select?.subarray(b * B + from - start, b * B + to - start);
        await this.blockRecords(readAt, b, n, from, to, into, read, sel);
        read.row += sel ? taken(sel) : to - from;
      });
    } finally {
      into.blocks?.release();
    }
  }

  /** Block b's rows [from, to) into records from record read.row on (read.buf: the read buffer, grown as needed). */
  private async blockRecords(
    readAt: ReadAt, b: number, n: number, from: number, to: number, into: RowRecords, read: { row: number; buf: Uint8Array }, select?: Uint8Array,
  ): Promise<void> {
    const s = this.h.sparse!;
    const d = this.h.features.length;
    const first = b * s.blockRows;
    const length = this.index[b + 1] - this.index[b];
    const dec = into.blocks;
    if (!dec) {
      if (read.buf.length < length) read.buf = new Uint8Array(length);
      decodeRecords(this.file, aligned(await readAt(this.index[b], length, read.buf)), n, d, first, s, from, to, into, read.row, select);
      return;
    }
    const view = dec.buffer(length);
    const got = await readAt(this.index[b], length, view);
    if (got.buffer !== view.buffer || got.byteOffset !== view.byteOffset) view.set(got);
    if (fitsBlock(view, n, d, s) && dec.decode(n, d, VALUE_KINDS[s.values], s.width, from, to, read.row, select) === 0) return;
    // The twin words the error (it throws where the kernel stopped).
    decodeRecords(this.file, view, n, d, first, s, from, to, into, read.row, select);
    throw new DataError(this.file, first + 1, null, 'a block the backend could not decode (corrupt); convert the data again', 'row');
  }

  /** One pass over the targets alone, a block a chunk (chunks with an empty x): the blocks' dense parts are read, nothing else. */
  async *targets(readAt: ReadAt, signal?: AbortSignal): AsyncGenerator<HostChunk> {
    const B = this.h.sparse!.blockRows;
    const d = this.h.features.length;
    const buf = new Uint8Array(ptrAt(Math.min(B, this.h.rows), d));
    for (let b = 0; b * B < this.h.rows; b++) {
      signal?.throwIfAborted();
      const n = Math.min(B, this.h.rows - b * B);
      const raw = aligned(await readAt(this.index[b], ptrAt(n, d), buf));
      const y = blockTargets(this.file, new Float32Array(raw.buffer, raw.byteOffset, n * (d + 1)), n, d, b * B);
      yield { rows: n, x: new Float32Array(0), y, firstRow: b * B };
    }
  }

  /**
   * Rows [start, start + count) as one chunk whose arrays are its own: sized from the blocks' row offsets (read alone,
   * as `entries`), then each block read once into one buffer, checked and its rows written in place (checkBlock and
   * writeRows, the checks the records' path makes); the last block read is kept checked for the next request.
   */
  async rows(readAt: ReadAt, start: number, count: number): Promise<HostChunk> {
    const s = this.h.sparse!;
    const d = this.h.features.length;
    const { nnz } = await this.entries(readAt, start, count);
    const sparse = { ptr: new Uint32Array(count + 1), idx: new Uint32Array(nnz), val: s.values === 'indicator' ? null : new Float32Array(nnz) };
    const chunk: HostChunk = { rows: count, x: new Float32Array(count * d), y: new Float32Array(count), firstRow: start, sparse, owned: true };
    let row = 0;
    const shared = this.busy++ === 0;
    try {
      await this.eachBlock(start, count, async (b, n, from, to) => {
        writeRows(await this.block(readAt, b, n, shared), d, from, to, chunk, row);
        row += to - from;
      });
    } finally {
      this.busy--;
    }
    return chunk;
  }
}
