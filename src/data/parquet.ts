// Apache Parquet as a DataSource, read with hyparquet (pure JavaScript, no native code; snappy built in, the
// other codecs through hyparquet-compressors): numeric columns are read by row range, so passes stream
// row group by row group and random access works. Browser-safe: the file is any hyparquet AsyncBuffer.
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { HostChunk } from '../core/dataset';
import { DataError } from './csv';
import { chunkRows } from './blocks';
import type { DataSource, ReadOptions } from './source';

/** Which columns to read. */
export interface ParquetOptions {
  /** Target column name. */
  target: string;
  /** Feature columns (default: every other top-level column). */
  features?: string[];
}

const NUMERIC = new Set(['FLOAT', 'DOUBLE', 'INT32', 'INT64', 'BOOLEAN']);

/** A Parquet file's numeric columns as a DataSource. */
export class ParquetSource implements DataSource {
  readonly rows: number;
  readonly features: string[];

  private constructor(
    readonly description: string, private readonly file: AsyncBuffer, private readonly meta: FileMetaData,
    readonly target: string, features: string[],
  ) {
    this.rows = Number(meta.num_rows);
    this.features = features;
  }

  /** Reads the footer and checks the columns. */
  static async open(name: string, file: AsyncBuffer, o: ParquetOptions): Promise<ParquetSource> {
    let meta: FileMetaData;
    try {
      meta = await parquetMetadataAsync(file);
    } catch (e) {
      throw new DataError(name, null, null, `not a readable Parquet file (${(e as Error).message})`);
    }
    const columns = parquetSchema(meta).children.map((c) => c.element);
    const names = columns.map((c) => c.name);
    const check = (n: string, what: string) => {
      const col = columns.find((c) => c.name === n);
      if (!col) throw new DataError(name, null, n, `${what} column "${n}" is not in the file; columns are: ${names.join(', ')}`);
      if (!col.type || !NUMERIC.has(col.type) || col.num_children) {
        throw new DataError(name, null, n, `expected a numeric column, found ${col.type ?? 'a nested column'}`);
      }
    };
    check(o.target, 'target');
    const features = o.features ?? names.filter((n) => n !== o.target);
    features.forEach((f) => check(f, 'feature'));
    if (features.includes(o.target)) throw new DataError(name, null, o.target, 'the target column cannot also be a feature');
    if (features.length === 0) throw new DataError(name, null, null, 'no feature columns: expected at least one column besides the target');
    return new ParquetSource(name, file, meta, o.target, features);
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    if (start < 0 || count < 0 || start + count > this.rows) throw new RangeError(`rows [${start}, ${start + count}) outside 0..${this.rows}`);
    const d = this.features.length;
    const x = new Float32Array(count * d);
    const y = new Float32Array(count);
    const slotOf = new Map(this.features.map((f, j) => [f, j] as const));
    const end = start + count;
    let bad: DataError | null = null; // errors thrown inside onChunk do not reach parquetRead's promise
    await parquetRead({
      file: this.file, metadata: this.meta, columns: [...this.features, this.target], rowStart: start, rowEnd: end, compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const j = slotOf.get(columnName);
        const lo = Math.max(start, rowStart);
        const hi = Math.min(end, rowStart + columnData.length);
        for (let r = lo; r < hi; r++) {
          const v = columnData[r - rowStart];
          if (v === null || v === undefined) {
            bad ??= new DataError(this.description, r + 1, columnName, 'missing value; expected a number');
            return;
          }
          const num = Number(v);
          if (j === undefined) y[r - start] = num;
          else x[(r - start) * d + j] = num;
        }
      },
    });
    if (bad) throw bad;
    return { rows: count, x, y, firstRow: start };
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const max = chunkRows(opts);
    for (let start = 0; start < this.rows; start += max) {
      opts.signal?.throwIfAborted();
      yield await this.readRows(start, Math.min(max, this.rows - start));
    }
  }
}

/** A hyparquet AsyncBuffer over a Blob (a browser File). */
export function blobAsyncBuffer(blob: Blob): AsyncBuffer {
  return { byteLength: blob.size, slice: (s: number, e?: number) => blob.slice(s, e).arrayBuffer() };
}
