// A Parquet file with text (categorical) columns as a source of dense numeric columns plus a sparse block. String
// columns are categorical by their schema (named in a note); numeric columns may be named categorical. The first pass
// reads only the categorical columns and counts their levels; rows are then encoded by the one RowEncoder. hyparquet
// turns a dictionary-encoded page into references to the dictionary's strings, so each distinct string is looked up or
// hashed once per chunk (a memo by string), not once per row. Browser-safe: the file is any hyparquet AsyncBuffer.
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { CsrBuilder } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import { RowEncoder, type CategoricalColumn, type Encoding, type SparseSchema } from '../core/encoding';
import type { EncodingParams } from '../core/encoding_options';
import { columnLabel, DataError, nameList, quoteValue } from './csv';
import { encodingOf, namedKinds, textNote } from './csv_encoded';
import { checkColumn, groupedPass, labelError, labelIndices, labelText, pieces, type ParquetOptions } from './parquet';
import { ParquetDense } from './parquet_dense';
import type { DataSource, ReadOptions } from './source';
import { TargetLabels } from './target_labels';
import { badValueReason, isF32 } from './values';

/** How to read a Parquet file with categorical columns. */
export type EncodedParquetOptions = ParquetOptions & Partial<EncodingParams> & { fixed?: { features: readonly string[]; encoding: Encoding } };

const TEXT = new Set(['BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY']);

/** A categorical cell's text: strings as they are, numbers as labels, missing as the empty level. */
const cellText = (v: unknown): string => (typeof v === 'string' ? v : labelText(v));

/** Reads rows [start, end) of the named columns, handing each decoded piece to onChunk (errors in it are rethrown). */
async function readColumns(name: string, file: AsyncBuffer, meta: FileMetaData, columns: string[], start: number, end: number,
  onChunk: (column: string, data: ArrayLike<unknown>, rowStart: number) => void): Promise<void> {
  let bad: unknown = null;
  await parquetRead({
    file, metadata: meta, columns, rowStart: start, rowEnd: end, compressors,
    onChunk: ({ columnName, columnData, rowStart }) => {
      try {
        if (bad === null) onChunk(columnName, columnData, rowStart);
      } catch (e) {
        bad = e;
      }
    },
  }).catch((e: unknown) => {
    throw e instanceof DataError ? e : new DataError(name, null, null, `corrupt Parquet data in rows ${start + 1}…${end} (${(e as Error).message})`);
  });
  if (bad !== null) throw bad;
}

/** A Parquet file with categorical columns as a DataSource with a sparse block (open with encodedParquetSource). */
export class EncodedParquetSource implements DataSource {
  readonly rows: number;
  readonly features: string[];
  readonly sparse: SparseSchema;
  private readonly encoder: RowEncoder;
  private readonly cats: string[];

  constructor(readonly description: string, private readonly file: AsyncBuffer, private readonly meta: FileMetaData, readonly target: string,
    readonly encoding: Encoding, private readonly dense: ParquetDense, private readonly labels: TargetLabels | null, readonly hasTarget: boolean, readonly notes: readonly string[]) {
    this.rows = Number(meta.num_rows);
    this.features = [...dense.features];
    this.cats = encoding.categorical.map((c) => c.name);
    this.encoder = new RowEncoder(encoding);
    this.sparse = { width: encoding.width, encoding, nnzPerRow: this.encoder.perRow };
  }

  get targetLabels(): readonly string[] | undefined {
    return this.labels?.list;
  }

  async readRows(start: number, count: number): Promise<HostChunk> {
    if (start < 0 || count < 0 || start + count > this.rows) throw new RangeError(`rows [${start}, ${start + count}) outside 0..${this.rows}`);
    const x = new Float32Array(count * this.features.length);
    const y = new Float32Array(count);
    const cells = this.cats.map(() => new Array<string>(count));
    const catAt = new Map(this.cats.map((c, i) => [c, i] as const));
    const end = start + count;
    const { dense } = this;
    const columns = [...dense.columns, ...this.cats, ...(this.hasTarget ? [this.target] : [])];
    await readColumns(this.description, this.file, this.meta, columns, start, end, (column, data, rowStart) => {
      const lo = Math.max(start, rowStart);
      const hi = Math.min(end, rowStart + data.length);
      const c = catAt.get(column);
      if (c !== undefined) {
        for (let r = lo; r < hi; r++) cells[c][r - start] = cellText(data[r - rowStart]);
        return;
      }
      if (dense.has(column)) return dense.fill(column, data, rowStart, lo, hi, start, x);
      if (this.labels) {
        const k = labelIndices(this.labels, data, rowStart, lo, hi, y.subarray(lo - start));
        if (k >= 0) throw labelError(this.description, k + 1, column, data[k - rowStart]);
        return;
      }
      for (let r = lo; r < hi; r++) {
        const v = data[r - rowStart];
        const num = v === null || v === undefined ? NaN : Number(v);
        if (!isF32(num)) throw new DataError(this.description, r + 1, columnLabel(column), v == null ? 'missing value; expected a number' : badValueReason(num), 'row');
        y[r - start] = num;
      }
    });
    return { rows: count, x, y, firstRow: start, sparse: this.encode(cells, count) };
  }

  private encode(cells: string[][], count: number) {
    const enc = this.encoder;
    const csr = new CsrBuilder(false, count, count * enc.perRow);
    const row = new Array<string>(cells.length);
    csr.reserve(count * enc.perRow);
    for (let r = 0; r < count; r++) {
      for (let c = 0; c < cells.length; c++) row[c] = cells[c][r];
      csr.n += enc.encode(row, csr.idx, csr.n);
      csr.endRow();
    }
    return csr.take();
  }

  /** Rows of each row group. */
  get rowGroups(): readonly number[] {
    return this.meta.row_groups.map((g) => Number(g.num_rows));
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    yield* groupedPass(this.rowGroups, this.features.length, this.encoder.perRow, opts, (start, count) => this.readRows(start, count));
  }
}

/** Counts the levels of the one-hot columns in one pass over those columns only. */
async function countLevels(name: string, file: AsyncBuffer, meta: FileMetaData, names: string[], kinds: (CategoricalColumn['kind'] | null)[]) {
  const counts = kinds.map((k) => (k === 'onehot' ? new Map<string, number>() : null));
  const cols = names.filter((_, k) => counts[k]);
  // Whole row groups where they hold at most 2^18 rows (a group's page is decoded once), else equal pieces of one.
  for (const [start, end] of cols.length ? pieces(meta.row_groups.map((g) => Number(g.num_rows)), 1 << 18) : []) {
    await readColumns(name, file, meta, cols, start, end, (column, data) => {
      const m = counts[names.indexOf(column)]!;
      for (let i = 0; i < data.length; i++) {
        const v = cellText(data[i]);
        m.set(v, (m.get(v) ?? 0) + 1);
      }
    });
  }
  return counts;
}

/** Opens a Parquet file with categorical columns: the schema decides text columns; one pass counts one-hot levels. */
export async function encodedParquetSource(name: string, file: AsyncBuffer, o: EncodedParquetOptions): Promise<EncodedParquetSource> {
  const meta = await parquetMetadataAsync(file).catch((e: Error) => {
    throw new DataError(name, null, null, `not a readable Parquet file (${e.message})`);
  });
  const schema = new Map<string, SchemaElement>(parquetSchema(meta).children.map((c) => [c.element.name, c.element]));
  const all = [...schema.keys()];
  const hasTarget = !(o.targetOptional && !schema.has(o.target));
  // A model's dense features may be "column=level" indicators (the page's one-hot): ParquetDense resolves them.
  const names = o.fixed ? o.fixed.encoding.categorical.map((c) => c.name) : o.features ?? all.filter((n) => n !== o.target);
  for (const n of [...names, ...(hasTarget ? [o.target] : [])]) {
    if (!schema.has(n)) throw new DataError(name, null, columnLabel(n), `column ${quoteValue(n)} is not in the file; columns are: ${nameList(all)}`);
  }
  if (hasTarget) checkColumn(name, schema.get(o.target)!, true, o.labels === true);
  const kinds = namedKinds(name, names, o);
  const notes: string[] = [];
  names.forEach((n, k) => {
    const col = schema.get(n)!;
    if (kinds[k] || !TEXT.has(col.type ?? '')) return;
    kinds[k] = o.encoding ?? 'onehot';
    notes.push(textNote(name, n, 'a string column', '', kinds[k]!));
  });
  const encoding = o.fixed?.encoding ?? encodingOf(name, names, kinds, await countLevels(name, file, meta, names, kinds), o);
  const dense = new ParquetDense(name, schema, o.fixed ? o.fixed.features : names.filter((_, k) => !kinds[k]));
  return new EncodedParquetSource(name, file, meta, o.target, encoding, dense, o.labels === true ? new TargetLabels() : null, hasTarget, notes);
}

/** Whether a Parquet file has string columns among `features` (default all but the target): they need the encoded reader. */
export async function parquetTextColumns(file: AsyncBuffer, target: string, features?: readonly string[]): Promise<string[]> {
  const meta = await parquetMetadataAsync(file);
  const cols = parquetSchema(meta).children.map((c) => c.element);
  return cols.filter((c) => c.name !== target && (!features || features.includes(c.name)) && TEXT.has(c.type ?? '')).map((c) => c.name);
}

