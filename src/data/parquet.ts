// Apache Parquet as a DataSource, read with hyparquet (pure JavaScript, no native code; snappy built in, the
// other codecs through hyparquet-compressors): numeric columns (and "column=level" indicators: parquet_dense.ts) are
// read by row range, so passes stream row group by row group and random access works; a target of class labels (strings, integers, booleans) is
// mapped to indices of the source's targetLabels. Browser-safe: the file is any hyparquet AsyncBuffer.
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { HostChunk } from '../core/dataset';
import { columnLabel, DataError, nameList, quoteValue } from './csv';
import { sliceCsr } from '../core/csr';
import { chunkRows } from './blocks';
import type { DataSource, ReadOptions } from './source';
import { badValueReason, isF32 } from './values';
import { TargetLabels } from './target_labels';
import { checkColumn, labelText, ParquetDense } from './parquet_dense';

export { checkColumn, labelText, NUMERIC } from './parquet_dense';

/** Which columns to read. */
export interface ParquetOptions {
  /** Target column name. */
  target: string;
  /** Feature columns (default: every other top-level column). */
  features?: string[];
  /** Read the target as class labels (text, integer, boolean or float columns; see DataSource.targetLabels). */
  labels?: boolean;
  /** Accept a file without the target column when the features are named (predictions): y is then zeros. */
  targetOptional?: boolean;
}

/** Writes the label indices of rows [lo, hi) (column data starting at row `first`) to out; returns the first bad row or −1. */
export function labelIndices(labels: TargetLabels, data: ArrayLike<unknown>, first: number, lo: number, hi: number, out: Float32Array): number {
  for (let r = lo; r < hi; r++) {
    const v = data[r - first];
    const k = typeof v === 'number' && !Number.isFinite(v) ? -1 : labels.index(labelText(v));
    if (k < 0) return r;
    out[r - lo] = k;
  }
  return -1;
}

/** The error for a value that is no class label. */
export function labelError(file: string, row: number, column: string, v: unknown): DataError {
  const why = typeof v === 'number' ? `a class label must be a finite number or text, got ${v}` : 'missing value; expected a class label';
  return new DataError(file, row, columnLabel(column), why, 'row');
}

/** A Parquet file's numeric columns as a DataSource. */
export class ParquetSource implements DataSource {
  readonly rows: number;
  readonly features: string[];

  private constructor(
    readonly description: string, private readonly file: AsyncBuffer, private readonly meta: FileMetaData,
    readonly target: string, private readonly dense: ParquetDense, private readonly labels: TargetLabels | null, readonly hasTarget = true,
  ) {
    this.rows = Number(meta.num_rows);
    this.features = [...dense.features];
  }

  /** Reads the footer and checks the columns. */
  static async open(name: string, file: AsyncBuffer, o: ParquetOptions): Promise<ParquetSource> {
    let meta: FileMetaData;
    try {
      meta = await parquetMetadataAsync(file);
    } catch (e) {
      throw new DataError(name, null, null, `not a readable Parquet file (${(e as Error).message})`);
    }
    let columns: SchemaElement[];
    try {
      columns = parquetSchema(meta).children.map((c) => c.element);
    } catch (e) {
      throw new DataError(name, null, null, `not a readable Parquet file (its schema: ${(e as Error).message})`);
    }
    const names = columns.map((c) => c.name);
    const byName = new Map<string, SchemaElement>();
    for (const c of columns) byName.set(c.name, byName.has(c.name) ? { ...c, num_children: -1 } : c);
    const hasTarget = !(o.targetOptional && o.features && !byName.has(o.target));
    if (hasTarget) {
      const col = byName.get(o.target);
      if (!col) throw new DataError(name, null, columnLabel(o.target), `target column ${quoteValue(o.target)} is not in the file; columns are: ${nameList(names)}`);
      if (col.num_children === -1) throw new DataError(name, null, columnLabel(o.target), `duplicate column name: the file has more than one column named ${quoteValue(o.target)}`);
      checkColumn(name, col, true, o.labels === true);
    }
    const features = o.features ?? names.filter((n) => n !== o.target);
    if (features.length === 0) throw new DataError(name, null, null, 'no feature columns: expected at least one column besides the target');
    const dense = new ParquetDense(name, byName, features);
    if (dense.has(o.target)) throw new DataError(name, null, o.target, 'the target column cannot also be a feature');
    return new ParquetSource(name, file, meta, o.target, dense, o.labels === true ? new TargetLabels() : null, hasTarget);
  }

  /** Label mode: the labels found so far, in order of first appearance (y holds indices into it). */
  get targetLabels(): readonly string[] | undefined {
    return this.labels?.list;
  }

  /** Rows of each row group. */
  get rowGroups(): readonly number[] {
    return this.meta.row_groups.map((g) => Number(g.num_rows));
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    if (start < 0 || count < 0 || start + count > this.rows) throw new RangeError(`rows [${start}, ${start + count}) outside 0..${this.rows}`);
    const x = new Float32Array(count * this.features.length);
    const y = new Float32Array(count);
    const end = start + count;
    const { labels, dense } = this;
    let bad: DataError | null = null; // errors thrown inside onChunk do not reach parquetRead's promise
    await parquetRead({
      file: this.file, metadata: this.meta, columns: this.hasTarget ? [...dense.columns, this.target] : [...dense.columns], rowStart: start, rowEnd: end, compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const lo = Math.max(start, rowStart);
        const hi = Math.min(end, rowStart + columnData.length);
        if (bad) return;
        if (dense.has(columnName)) {
          try {
            dense.fill(columnName, columnData, rowStart, lo, hi, start, x);
          } catch (e) {
            bad = e as DataError;
          }
          return;
        }
        if (labels) {
          const k = labelIndices(labels, columnData, rowStart, lo, hi, y.subarray(lo - start));
          if (k >= 0) bad ??= labelError(this.description, k + 1, columnName, columnData[k - rowStart]);
          return;
        }
        for (let r = lo; r < hi; r++) {
          const v = columnData[r - rowStart];
          const num = v === null || v === undefined ? NaN : Number(v);
          if (!isF32(num)) {
            bad ??= new DataError(this.description, r + 1, columnLabel(columnName), v == null ? 'missing value; expected a number' : badValueReason(num), 'row');
            return;
          }
          y[r - start] = num;
        }
      },
    }).catch((e: unknown) => {
      // A failure to decode (corrupt pages, a truncated file) names the file and the rows.
      if (e instanceof DataError) throw e;
      throw new DataError(this.description, null, null, `corrupt Parquet data in rows ${start + 1}…${end} (${(e as Error).message})`);
    });
    if (bad) throw bad;
    return { rows: count, x, y, firstRow: start };
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    yield* groupedPass(this.rowGroups, this.features.length, 0, opts, (start, count) => this.readRows(start, count));
  }
}

/** Most values (rows × (features + target)) a pass decodes at once: 8 MiB of float32 and hyparquet's arrays for them. */
export const PIECE_VALUES = 1 << 21;

/**
 * A pass over a Parquet file's rows (`groups`: rows per row group; `d` dense and `perRow` sparse values a row), read
 * with `readRows` in pieces of at least a chunk (a whole group when it holds at most PIECE_VALUES values) and handed
 * out as chunks of at most maxRows rows, views of a piece. hyparquet decodes whole pages, and a writer may put a row
 * group's column in one page: read chunk by chunk, such a page was decoded once a chunk (3M flights rows in 11 groups
 * of one page each: 5× the work).
 */
export async function* groupedPass(
  groups: readonly number[], d: number, perRow: number, opts: ReadOptions, readRows: (start: number, count: number) => Promise<HostChunk>,
): AsyncGenerator<HostChunk> {
  const max = chunkRows(opts, d + perRow);
  for (const [first, end] of pieces(groups, Math.max(max, Math.floor(PIECE_VALUES / (d + perRow + 1))))) {
    opts.signal?.throwIfAborted();
    const piece = await readRows(first, end - first);
    for (let s = 0; s < piece.rows; s += max) {
      const n = Math.min(max, piece.rows - s);
      yield {
        rows: n, x: piece.x.subarray(s * d, (s + n) * d), y: piece.y.subarray(s, s + n), firstRow: first + s,
        ...(piece.sparse ? { sparse: n === piece.rows ? piece.sparse : sliceCsr(piece.sparse, s, n) } : {}),
      };
    }
  }
}

/** Row ranges [first, end) that cover the row groups in order, each within one group and at most `most` rows. */
export function pieces(groups: readonly number[], most: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let first = 0;
  for (const rows of groups) {
    const n = Math.ceil(rows / most);
    for (let k = 0; k < n; k++) out.push([first + Math.floor((k * rows) / n), first + Math.floor(((k + 1) * rows) / n)]);
    first += rows;
  }
  return out;
}

/** A hyparquet AsyncBuffer over a Blob (a browser File). */
export function blobAsyncBuffer(blob: { readonly size: number; slice(start: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> } }): AsyncBuffer {
  return { byteLength: blob.size, slice: (s: number, e?: number) => blob.slice(s, e).arrayBuffer() };
}
