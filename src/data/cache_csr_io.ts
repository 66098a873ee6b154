// Layout-3 ".dh" caches on disk (format in cache_csr.ts): the block writer (cache_csr_blocks.ts) into an atomic file,
// and a reader that is a DataSource with sparse rows and random access (one positioned read per block, checked against
// the file's fingerprint; the block logic is cache_csr_blocks.ts'). Node only.
import { open, type FileHandle } from 'node:fs/promises';
import type { HostChunk, RowEntries, RowRecords } from '../core/dataset';
import type { SparseSchema } from '../core/encoding';
import type { ColumnStats } from '../core/stats';
import { AtomicFile } from './atomic';
import { checkRange, chunkRows } from './blocks';
import { CSR_BLOCK_ROWS } from './cache_csr';
import { CsrBlocks, CsrBlockWriter, type CsrSparse, type ReadAt } from './cache_csr_blocks';
import type { CacheHeader } from './cache_format';
import { FileWatch } from './fingerprint';
import { readExact } from './node_files';
import type { DataSource, ReadOptions } from './source';

/** Writes a layout-3 cache block by block into a temp file that close() renames into place. */
export class CsrCacheWriter {
  private constructor(private readonly out: AtomicFile, private readonly w: CsrBlockWriter) {}

  /** Starts a cache of rows with these dense columns, this target and a sparse block of `sparse.width` columns. */
  static async create(path: string, features: readonly string[], target: string, sparse: CsrSparse, blockRows = CSR_BLOCK_ROWS): Promise<CsrCacheWriter> {
    const out = await AtomicFile.create(path);
    return new CsrCacheWriter(out, new CsrBlockWriter({ write: (b, at) => out.write(b, at) }, path, features, target, sparse, blockRows));
  }

  get features(): readonly string[] {
    return this.w.features;
  }

  get target(): string {
    return this.w.target;
  }

  /** Appends a chunk's rows (full blocks are written as they fill). */
  async write(c: HostChunk): Promise<void> {
    try {
      await this.w.write(c);
    } catch (e) {
      await this.out.abort();
      throw e;
    }
  }

  /** Writes the last block, the block index and the header, leaving the rename to the caller (or close()). */
  async finish(): Promise<CacheHeader> {
    try {
      return await this.w.finish();
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

  constructor(readonly file: string, private readonly h: CacheHeader, private readonly blocks: CsrBlocks, private readonly watch: FileWatch) {
    this.description = file;
    this.files = [file];
    this.features = h.features;
    this.target = h.target;
    this.rows = h.rows;
    this.stats = { features: h.featureStats, target: h.targetStats };
    this.sparse = blocks.sparse;
  }

  /** Opens a layout-3 cache whose header has been decoded: reads and checks its block index. */
  static async open(file: string, h: CacheHeader): Promise<CsrCacheSource> {
    const watch = await FileWatch.of([file]);
    const fh = await open(file, 'r');
    try {
      return new CsrCacheSource(file, h, await CsrBlocks.open(file, h, readerOf(file, fh)), watch);
    } finally {
      await fh.close();
    }
  }

  /** Positioned reads of the open file, checked against the file's fingerprint first. */
  private readAt(fh: FileHandle): ReadAt {
    const read = readerOf(this.file, fh);
    return async (at, n, into) => {
      await this.watch.check();
      return read(at, n, into);
    };
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const max = chunkRows(opts, this.features.length + Math.ceil(this.sparse.nnzPerRow));
    const fh = await open(this.file, 'r');
    const readAt = this.readAt(fh);
    try {
      for (let start = 0; start < this.rows; start += max) {
        opts.signal?.throwIfAborted();
        yield await this.blocks.rows(readAt, start, Math.min(max, this.rows - start));
      }
    } finally {
      this.blocks.forget();
      await fh.close();
    }
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    this.handle ??= await open(this.file, 'r');
    return this.blocks.rows(this.readAt(this.handle), start, count);
  }

  async rowEntries(start: number, count: number, select?: Uint8Array): Promise<RowEntries> {
    checkRange(start, count, this.rows);
    this.handle ??= await open(this.file, 'r');
    return this.blocks.entries(this.readAt(this.handle), start, count, select);
  }

  async readRecordsInto(start: number, count: number, into: RowRecords, select?: Uint8Array): Promise<void> {
    checkRange(start, count, this.rows);
    this.handle ??= await open(this.file, 'r');
    return this.blocks.records(this.readAt(this.handle), start, count, into, select);
  }

  async *readTargets(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const fh = await open(this.file, 'r');
    try {
      yield* this.blocks.targets(this.readAt(fh), opts.signal);
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    this.blocks.forget();
    await h?.close();
  }
}

/** Positioned reads of an open file. */
function readerOf(file: string, fh: FileHandle): ReadAt {
  return async (at, n, into) => {
    const bytes = into && into.length >= n ? into.subarray(0, n) : new Uint8Array(n);
    await readExact(fh, file, bytes, n, at);
    return bytes;
  };
}
