// The ".dh" cache (cache_format.ts) without Node: written through any positioned sink (a browser's origin-private
// file system, whose sync access handle writes at an offset) and read back from a Blob (what such a file's
// getFile() gives) as a DataSource with random access. The rows go first, then the header with the counts and
// statistics at offset 0, so a file whose writing stopped midway has no valid header. Rows are checked as the Node
// reader checks them (cache_rows.ts). Browser-safe.
import type { HostChunk } from '../core/dataset';
import { accumulateChunk, emptyStats, type ColumnStats } from '../core/stats';
import { blockedPass, BLOCK_BYTES, checkRange } from './blocks';
import { cacheRowBytes } from './cache_f16';
import { cacheHeaderBytes, cacheHeaderSize, CACHE_PREFIX_BYTES, decodeCacheHeader, encodeCacheHeader, type CacheHeader } from './cache_format';
import { cacheBounds, decodeCacheRows, interleave } from './cache_rows';
import type { DataSource, ReadOptions } from './source';

/** Where a cache is written: bytes at an offset (a FileSystemSyncAccessHandle's write(…, { at }) is one). */
export interface CacheSink {
  write(bytes: Uint8Array, at: number): void | Promise<void>;
}

/** Writes float32 rows into a sink, the header last; returns what was written. */
export class BlobCacheWriter {
  private rows = 0;
  private readonly stats: ColumnStats[];
  private readonly buf: Float32Array;
  private filled = 0;
  private at: number;

  constructor(private readonly sink: CacheSink, readonly features: readonly string[], readonly target: string) {
    this.stats = Array.from({ length: features.length + 1 }, emptyStats);
    this.buf = new Float32Array(Math.max(1, Math.floor(BLOCK_BYTES / (4 * (features.length + 1)))) * (features.length + 1));
    this.at = cacheHeaderBytes(features, target);
  }

  /** Appends a chunk's rows and folds them into the statistics. */
  async write(c: HostChunk): Promise<void> {
    const d = this.features.length;
    const w = d + 1;
    accumulateChunk(this.stats, c.x, c.y, c.rows, d);
    for (let r = 0; r < c.rows; ) {
      if (this.filled === this.buf.length) await this.flush();
      const n = Math.min(c.rows - r, (this.buf.length - this.filled) / w);
      interleave(c, r, n, d, this.buf, this.filled);
      this.filled += n * w;
      r += n;
    }
    this.rows += c.rows;
  }

  private async flush(): Promise<void> {
    const b = this.buf.subarray(0, this.filled);
    await this.sink.write(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), this.at);
    this.at += b.byteLength;
    this.filled = 0;
  }

  /** Writes the remaining rows, then the header; returns the file's size. */
  async finish(): Promise<number> {
    await this.flush();
    const d = this.features.length;
    await this.sink.write(encodeCacheHeader({
      rows: this.rows, features: [...this.features], target: this.target, featureStats: this.stats.slice(0, d), targetStats: this.stats[d],
    }), 0);
    return this.at;
  }
}

/** A cache in a Blob as a data source: rows and statistics known up front, sequential passes, random access. */
export class CacheBlobSource implements DataSource {
  readonly features: readonly string[];
  readonly target: string;
  readonly rows: number;
  private readonly bounds: { lo: Float64Array; hi: Float64Array };

  private constructor(private readonly blob: Blob, private readonly h: CacheHeader, readonly description: string, readonly targetLabels?: readonly string[]) {
    this.features = h.features;
    this.target = h.target;
    this.rows = h.rows;
    this.bounds = cacheBounds(h);
  }

  /** Opens a cache Blob and checks its header; `labels`: the class labels its targets index (a label target). */
  static async open(blob: Blob, description: string, labels?: readonly string[]): Promise<CacheBlobSource> {
    const prefix = new Uint8Array(await blob.slice(0, CACHE_PREFIX_BYTES).arrayBuffer());
    const size = cacheHeaderSize(description, prefix);
    const h = decodeCacheHeader(description, new Uint8Array(await blob.slice(0, size).arrayBuffer()), blob.size);
    return new CacheBlobSource(blob, h, description, labels);
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    checkRange(start, count, this.rows);
    const rowBytes = cacheRowBytes(this.features.length, this.h.dtype ?? 'f32');
    const at = this.h.dataOffset + start * rowBytes;
    const bytes = new Uint8Array(await this.blob.slice(at, at + count * rowBytes).arrayBuffer());
    return decodeCacheRows(this.description, this.h, bytes, start, count, this.bounds);
  }

  read(opts: ReadOptions = {}): AsyncIterable<HostChunk> {
    return blockedPass(this.rows, this.features.length, cacheRowBytes(this.features.length, this.h.dtype ?? 'f32'), opts, (s, c) => this.readRows(s, c));
  }
}
