// A layout-3 ".dh" cache (rows with a sparse block, cache_csr.ts) in a Blob as a DataSource: the browser's reader (a
// file picked, or the origin-private file system), its blocks read by CsrBlocks (cache_csr_blocks.ts). Browser-safe.
import type { HostChunk, RowEntries, RowRecords } from '../core/dataset';
import type { SparseSchema } from '../core/encoding';
import { checkRange, chunkRows } from './blocks';
import { CsrBlocks, type ReadAt } from './cache_csr_blocks';
import { cacheHeaderSize, CACHE_PREFIX_BYTES, decodeCacheHeader, type CacheHeader } from './cache_format';
import { DataError } from './csv';
import type { DataSource, ReadOptions } from './source';

/** A layout-3 cache in a Blob as a data source: rows with a sparse block, statistics known up front, random access. */
export class CsrBlobSource implements DataSource {
  readonly features: readonly string[];
  readonly target: string;
  readonly rows: number;
  readonly sparse: SparseSchema;
  private readonly readAt: ReadAt;

  private constructor(blob: Blob, private readonly blocks: CsrBlocks, readonly description: string, readonly targetLabels?: readonly string[]) {
    this.features = blocks.h.features;
    this.target = blocks.h.target;
    this.rows = blocks.h.rows;
    this.sparse = blocks.sparse;
    this.readAt = async (at, n) => new Uint8Array(await blob.slice(at, at + n).arrayBuffer());
  }

  /** Opens a layout-3 cache Blob whose header `h` was read (null: read it here); `labels`: the class labels its targets index. */
  static async open(blob: Blob, description: string, labels?: readonly string[], h?: CacheHeader): Promise<CsrBlobSource> {
    const readAt = async (at: number, n: number) => new Uint8Array(await blob.slice(at, at + n).arrayBuffer());
    h ??= decodeCacheHeader(description, await readAt(0, cacheHeaderSize(description, await readAt(0, CACHE_PREFIX_BYTES))), blob.size);
    if (!h.sparse) throw new DataError(description, null, null, 'not a cache with a sparse block');
    return new CsrBlobSource(blob, await CsrBlocks.open(description, h, readAt), description, labels);
  }

  readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    return this.blocks.rows(this.readAt, start, count);
  }

  rowEntries(start: number, count: number, select?: Uint8Array): Promise<RowEntries> {
    checkRange(start, count, this.rows);
    return this.blocks.entries(this.readAt, start, count, select);
  }

  readRecordsInto(start: number, count: number, into: RowRecords, select?: Uint8Array): Promise<void> {
    checkRange(start, count, this.rows);
    return this.blocks.records(this.readAt, start, count, into, select);
  }

  readTargets(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    return this.blocks.targets(this.readAt, opts.signal);
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const max = chunkRows(opts, this.features.length + Math.ceil(this.sparse.nnzPerRow));
    try {
      for (let start = 0; start < this.rows; start += max) {
        opts.signal?.throwIfAborted();
        yield await this.blocks.rows(this.readAt, start, Math.min(max, this.rows - start));
      }
    } finally {
      this.blocks.forget();
    }
  }
}
