// The ".dh" binary cache on disk (format in cache_format.ts): a streaming, atomic writer that gathers
// per-column statistics as rows go by, and a reader that is a DataSource with random access. Node only.
import { open, type FileHandle } from 'node:fs/promises';
import type { HostChunk } from '../core/dataset';
import { blockedPass, BLOCK_BYTES, checkRange } from './blocks';
import { cacheHeaderBytes, cacheHeaderSize, CACHE_PREFIX_BYTES, decodeCacheHeader, encodeCacheHeader, type CacheHeader } from './cache_format';
import { FileWatch } from './fingerprint';
import { AtomicFile } from './atomic';
import { fileSize, readExact } from './node_files';
import type { DataSource, ReadOptions } from './source';
import { roundF16Array, type DType } from '../core/f16';
import { cacheRowBytes, encodeF16Rows } from './cache_f16';
import { cacheBounds, decodeCacheRows, interleave } from './cache_rows';
import { accumulateChunk, emptyStats, type ColumnStats } from '../core/stats';
import { CsrCacheSource, CsrCacheWriter } from './cache_csr_io';

/** What a finished cache holds, apart from the rows. */
export type CacheInfo = Omit<CacheHeader, 'dataOffset'>;

/** Writes a cache row chunk by row chunk into a temp file that close() renames into place. */
export class CacheWriter {
  private rows = 0;
  private readonly stats: ColumnStats[];
  private readonly buf: Float32Array;
  private filled = 0;
  /** Rows flushed so far (for messages). */
  private flushed = 0;

  private constructor(private readonly out: AtomicFile, readonly features: string[], readonly target: string, readonly dtype: DType = 'f32') {
    this.stats = Array.from({ length: features.length + 1 }, emptyStats);
    this.buf = new Float32Array(Math.max(1, Math.floor(BLOCK_BYTES / (4 * (features.length + 1)))) * (features.length + 1));
  }

  /** Starts a cache for rows with these feature names and target name. */
  static async create(path: string, features: readonly string[], target: string, dtype: DType = 'f32'): Promise<CacheWriter> {
    if (features.length === 0) throw new Error(`${path}: a cache needs at least one feature`);
    const out = await AtomicFile.create(path);
    try {
      await out.write(new Uint8Array(cacheHeaderBytes(features, target)));
    } catch (e) {
      await out.abort();
      throw e;
    }
    return new CacheWriter(out, [...features], target, dtype);
  }

  /** Appends a chunk's rows (interleaving x and y) and folds them into the statistics. */
  async write(c: HostChunk): Promise<void> {
    const d = this.features.length;
    const w = d + 1;
    try {
      if (c.x.length !== c.rows * d || c.y.length !== c.rows) throw new Error(`${this.out.path}: chunk of ${c.rows} rows has ${c.x.length} x values for ${d} features and ${c.y.length} y values`);
      // f16: the statistics are those of the stored (rounded) values, like every reader's.
      accumulateChunk(this.stats, this.dtype === 'f16' ? roundF16Array(c.x.slice(0, c.rows * d)) : c.x, c.y, c.rows, d);
      for (let r = 0; r < c.rows; ) {
        if (this.filled === this.buf.length) await this.flush();
        const n = Math.min(c.rows - r, (this.buf.length - this.filled) / w);
        interleave(c, r, n, d, this.buf, this.filled);
        this.filled += n * w;
        r += n;
      }
      this.rows += c.rows;
    } catch (e) {
      await this.out.abort();
      throw e;
    }
  }

  private async flush(): Promise<void> {
    const b = this.buf.subarray(0, this.filled);
    const d = this.features.length;
    await this.out.write(this.dtype === 'f16' ? encodeF16Rows(b, d, this.out.path, this.flushed, this.features) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    this.flushed += this.filled / (d + 1);
    this.filled = 0;
  }

  /** Writes the remaining rows and the header (with counts and statistics) and renames the file into place. */
  async close(): Promise<CacheInfo> {
    const info = await this.finish();
    await this.out.commit();
    return info;
  }

  /** Writes the remaining rows and the header, leaving the rename to the caller (`file.commit()` or commitAll). */
  async finish(): Promise<CacheInfo> {
    const d = this.features.length;
    const info: CacheInfo = { rows: this.rows, features: this.features, target: this.target, featureStats: this.stats.slice(0, d), targetStats: this.stats[d], dtype: this.dtype };
    try {
      await this.flush();
      await this.out.write(encodeCacheHeader(info), 0);
    } catch (e) {
      await this.out.abort();
      throw e;
    }
    return info;
  }

  /** The temp file being written. */
  get file(): AtomicFile {
    return this.out;
  }

  /** Discards the temp file; the destination is untouched. */
  abort(): Promise<void> {
    return this.out.abort();
  }
}

/** Streams every row of a source into a cache at `path`, atomically; returns what was written (layout 3 for sparse rows). */
export async function writeCache(path: string, src: DataSource, opts: ReadOptions = {}, dtype: DType = 'f32'): Promise<CacheInfo> {
  const s = src.sparse;
  const values = s?.encoding.format === 'columns' ? 'indicator' : dtype;
  const w = s ? await CsrCacheWriter.create(path, src.features, src.target, { width: s.width, encoding: s.encoding, values })
    : await CacheWriter.create(path, src.features, src.target, dtype);
  try {
    for await (const c of src.read(opts)) await w.write(c);
  } catch (e) {
    await w.abort();
    throw e;
  }
  return w.close();
}

/** A cache file as a data source: rows and statistics known up front, sequential passes, random access. */
export class CacheSource implements DataSource {
  readonly description: string;
  readonly features: readonly string[];
  readonly target: string;
  readonly rows: number;
  /** Statistics of each feature (in order) and of the target, as stored. */
  readonly stats: { features: readonly ColumnStats[]; target: ColumnStats };
  /** How the rows' features are stored: f32, or f16 (read as the halves' values). */
  readonly dtype: DType;
  private handle: FileHandle | null = null;

  readonly files: readonly string[];

  private constructor(readonly file: string, private readonly h: CacheHeader, private readonly watch: FileWatch) {
    if (h.sparse) throw new Error(`${file}: a cache of sparse rows (layout 3) opens with cacheSource()`);
    this.files = [file];
    this.description = file;
    this.features = h.features;
    this.target = h.target;
    this.rows = h.rows;
    this.stats = { features: h.featureStats, target: h.targetStats };
    this.dtype = h.dtype ?? 'f32';
  }

  /** Opens a cache file and checks its header against its size. */
  static async open(file: string): Promise<CacheSource> {
    const watch = await FileWatch.of([file]);
    return new CacheSource(file, await readCacheHeader(file), watch);
  }

  private async rowsFrom(fh: FileHandle, start: number, count: number): Promise<HostChunk> {
    const rowBytes = cacheRowBytes(this.features.length, this.dtype);
    const bytes = new Uint8Array(count * rowBytes);
    await this.watch.check();
    await readExact(fh, this.file, bytes, bytes.length, this.h.dataOffset + start * rowBytes);
    await this.watch.check();
    this.bounds ??= cacheBounds(this.h);
    return decodeCacheRows(this.file, this.h, bytes, start, count, this.bounds);
  }

  private bounds: { lo: Float64Array; hi: Float64Array } | null = null;

  /** One pass over every row in order, reading ≥ 8 MiB at a time. */
  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const fh = await open(this.file, 'r');
    try {
      yield* blockedPass(this.rows, this.features.length, cacheRowBytes(this.features.length, this.dtype), opts, (s, c) => this.rowsFrom(fh, s, c));
    } finally {
      await fh.close();
    }
  }

  /** Rows [start, start + count) by one positioned read (the file stays open until close()). */
  async readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    this.handle ??= await open(this.file, 'r');
    return this.rowsFrom(this.handle, start, count);
  }

  /** Closes the file opened by readRows. */
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }
}

/** Reads and checks a cache file's header (against the file's size). */
export async function readCacheHeader(file: string): Promise<CacheHeader> {
  const size = await fileSize(file);
  const fh = await open(file, 'r');
  try {
    const prefix = new Uint8Array(Math.min(size, CACHE_PREFIX_BYTES));
    await readExact(fh, file, prefix, prefix.length, 0);
    const headerSize = cacheHeaderSize(file, prefix);
    const bytes = new Uint8Array(Math.min(size, headerSize));
    await readExact(fh, file, bytes, bytes.length, 0);
    return decodeCacheHeader(file, bytes, size);
  } finally {
    await fh.close();
  }
}

/** Opens a ".dh" cache as a data source (rows with a sparse block for layout 3, cache_csr_io.ts). */
export async function cacheSource(file: string): Promise<CacheSource | CsrCacheSource> {
  const h = await readCacheHeader(file);
  return h.sparse ? CsrCacheSource.open(file, h) : CacheSource.open(file);
}
