// Layout-3 ".dh" caches on disk (format in cache_csr.ts): a streaming, atomic writer that gathers the dense columns'
// statistics and cuts rows into blocks, and a reader that is a DataSource with sparse rows and random access (one
// positioned read per block, the last block decoded kept for the next request). Node only.
import { open, type FileHandle } from 'node:fs/promises';
import { concatCsr, sliceCsr, valuedCsr, type Csr } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import type { Encoding, SparseSchema } from '../core/encoding';
import { F16_MAX } from '../core/f16';
import { accumulateChunk, emptyStats, type ColumnStats } from '../core/stats';
import { AtomicFile } from './atomic';
import { checkRange, chunkRows } from './blocks';
import { decodeBlock, encodeBlock, CSR_BLOCK_ROWS, type CsrInfo, type CsrValues } from './cache_csr';
import { cacheHeaderBytes, encodeCacheHeader, type CacheHeader } from './cache_format';
import { DataError } from './csv';
import { FileWatch } from './fingerprint';
import { readExact } from './node_files';
import type { DataSource, ReadOptions } from './source';

/** Rows [start, start + n) of a chunk as a chunk (views where possible). */
function rowsOf(c: HostChunk, d: number, start: number, n: number): HostChunk {
  return { rows: n, x: c.x.subarray(start * d, (start + n) * d), y: c.y.subarray(start, start + n), firstRow: (c.firstRow ?? 0) + start, sparse: sliceCsr(c.sparse!, start, n) };
}

/** Chunks one after another as one. */
function joined(parts: HostChunk[], d: number): HostChunk {
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

/** Writes a layout-3 cache block by block into a temp file that close() renames into place. */
export class CsrCacheWriter {
  private rows = 0;
  private nnz = 0;
  private readonly stats: ColumnStats[];
  private pending: HostChunk[] = [];
  private pendingRows = 0;
  private readonly offsets: number[];
  private at: number;

  private constructor(private readonly out: AtomicFile, readonly features: string[], readonly target: string,
    private readonly sparse: { width: number; encoding: Encoding; values: CsrValues }, private readonly blockRows: number, headerBytes: number) {
    this.stats = Array.from({ length: features.length + 1 }, emptyStats);
    this.at = headerBytes;
    this.offsets = [headerBytes];
  }

  /** Starts a cache of rows with these dense columns, this target and a sparse block of `sparse.width` columns. */
  static async create(path: string, features: readonly string[], target: string, sparse: { width: number; encoding: Encoding; values: CsrValues },
    blockRows = CSR_BLOCK_ROWS): Promise<CsrCacheWriter> {
    const info: CsrInfo = { ...sparse, blockRows, nnz: 0, indexAt: 0 };
    const headerBytes = cacheHeaderBytes(features, target, info);
    const out = await AtomicFile.create(path);
    try {
      await out.write(new Uint8Array(headerBytes));
    } catch (e) {
      await out.abort();
      throw e;
    }
    return new CsrCacheWriter(out, [...features], target, sparse, blockRows, headerBytes);
  }

  /** The chunk's sparse block as this cache stores it (indicators, or values that fit). */
  private checked(c: HostChunk): Csr {
    const s = c.sparse;
    if (!s) throw new Error(`${this.out.path}: a chunk without a sparse block`);
    if (this.sparse.values === 'indicator') {
      if (s.val) throw new Error(`${this.out.path}: a chunk with sparse values in a cache of ±1 indicators`);
      return s;
    }
    const v = valuedCsr(s);
    if (this.sparse.values === 'f16') {
      const bad = v.val!.findIndex((x) => !(Math.abs(x) < 65520));
      if (bad >= 0) throw new DataError(this.out.path, (c.firstRow ?? 0) + 1, null, `${v.val![bad]} does not fit float16 (|x| ≤ ${F16_MAX}); keep --dtype f32`, 'row');
    }
    return v;
  }

  /** Appends a chunk's rows (full blocks are written as they fill). */
  async write(c: HostChunk): Promise<void> {
    const d = this.features.length;
    try {
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
    } catch (e) {
      await this.out.abort();
      throw e;
    }
  }

  private async flush(): Promise<void> {
    if (this.pendingRows === 0) return;
    const block = joined(this.pending, this.features.length);
    const bytes = encodeBlock(block, this.features.length, this.sparse.values);
    this.nnz += block.sparse!.ptr[block.rows] - block.sparse!.ptr[0];
    await this.out.write(bytes);
    this.at += bytes.length;
    this.offsets.push(this.at);
    this.pending = [];
    this.pendingRows = 0;
  }

  /** Writes the last block, the block index and the header, leaving the rename to the caller (or close()). */
  async finish(): Promise<CacheHeader> {
    const d = this.features.length;
    try {
      await this.flush();
      const index = new BigUint64Array(this.offsets.map((o) => BigInt(o)));
      await this.out.write(new Uint8Array(index.buffer));
      const sparse: CsrInfo = { ...this.sparse, blockRows: this.blockRows, nnz: this.nnz, indexAt: this.at };
      const h = { rows: this.rows, features: this.features, target: this.target, featureStats: this.stats.slice(0, d), targetStats: this.stats[d], sparse };
      await this.out.write(encodeCacheHeader(h), 0);
      return { ...h, dataOffset: this.offsets[0], dtype: 'f32' };
    } catch (e) {
      await this.out.abort();
      throw e;
    }
  }

  async close(): Promise<CacheHeader> {
    const h = await this.finish();
    await this.out.commit();
    return h;
  }

  get file(): AtomicFile {
    return this.out;
  }

  abort(): Promise<void> {
    return this.out.abort();
  }
}

/** A layout-3 cache as a source of rows with a sparse block: rows and statistics known up front, random access. */
export class CsrCacheSource implements DataSource {
  readonly description: string;
  readonly features: readonly string[];
  readonly target: string;
  readonly rows: number;
  readonly stats: { features: readonly ColumnStats[]; target: ColumnStats };
  readonly sparse: SparseSchema;
  readonly files: readonly string[];
  readonly dtype = 'f32' as const;
  private handle: FileHandle | null = null;
  private cached: { block: number; chunk: HostChunk } | null = null;

  constructor(readonly file: string, private readonly h: CacheHeader, private readonly index: number[], private readonly watch: FileWatch) {
    const s = h.sparse!;
    this.description = file;
    this.files = [file];
    this.features = h.features;
    this.target = h.target;
    this.rows = h.rows;
    this.stats = { features: h.featureStats, target: h.targetStats };
    this.sparse = { width: s.width, encoding: s.encoding, nnzPerRow: s.nnz / Math.max(1, h.rows) };
  }

  /** Opens a layout-3 cache whose header has been decoded: reads and checks its block index. */
  static async open(file: string, h: CacheHeader): Promise<CsrCacheSource> {
    const watch = await FileWatch.of([file]);
    const s = h.sparse!;
    const blocks = Math.ceil(h.rows / s.blockRows);
    const fh = await open(file, 'r');
    try {
      const raw = new Uint8Array((blocks + 1) * 8);
      await readExact(fh, file, raw, raw.length, s.indexAt);
      const index = Array.from(new BigUint64Array(raw.buffer), Number);
      const ok = index[0] === h.dataOffset && index[blocks] === s.indexAt && index.every((o, b) => b === 0 || o > index[b - 1]);
      if (!ok) throw new DataError(file, null, null, 'corrupt cache (its block index does not fit the file); convert the data again');
      return new CsrCacheSource(file, h, index, watch);
    } finally {
      await fh.close();
    }
  }

  private async block(fh: FileHandle, b: number): Promise<HostChunk> {
    if (this.cached?.block === b) return this.cached.chunk;
    const B = this.h.sparse!.blockRows;
    const bytes = new Uint8Array(this.index[b + 1] - this.index[b]);
    await this.watch.check();
    await readExact(fh, this.file, bytes, bytes.length, this.index[b]);
    const chunk = decodeBlock(this.file, bytes, Math.min(B, this.rows - b * B), this.features.length, b * B, this.h.sparse!);
    this.cached = { block: b, chunk };
    return chunk;
  }

  private async rowsFrom(fh: FileHandle, start: number, count: number): Promise<HostChunk> {
    const B = this.h.sparse!.blockRows;
    const d = this.features.length;
    const parts: HostChunk[] = [];
    for (let r = start; r < start + count; ) {
      const b = Math.floor(r / B);
      const c = await this.block(fh, b);
      const n = Math.min(start + count, (b + 1) * B) - r;
      parts.push(rowsOf(c, d, r - b * B, n));
      r += n;
    }
    return parts.length ? joined(parts, d) : { rows: 0, x: new Float32Array(0), y: new Float32Array(0), firstRow: start, sparse: { ptr: new Uint32Array(1), idx: new Uint32Array(0), val: null } };
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const max = chunkRows(opts, this.features.length + Math.ceil(this.sparse.nnzPerRow));
    const fh = await open(this.file, 'r');
    try {
      for (let start = 0; start < this.rows; start += max) {
        opts.signal?.throwIfAborted();
        yield await this.rowsFrom(fh, start, Math.min(max, this.rows - start));
      }
    } finally {
      this.cached = null;
      await fh.close();
    }
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    this.handle ??= await open(this.file, 'r');
    return this.rowsFrom(this.handle, start, count);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    this.cached = null;
    await h?.close();
  }
}
