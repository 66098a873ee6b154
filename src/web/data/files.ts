// The one adapter between the page and user files: what a file is (sniffed from its first bytes, so a PNG, a
// gzip archive, JSON or UTF-16 text gets a clear message instead of being parsed as a one-column CSV), the
// column preview for choosing the target and the features (a CSV's first 256 KiB profiled: csv_profile.ts), and
// opening a file (a File, or a URL: src/data/http_file.ts) as a streaming DataSource with the columns panel's
// choices. CSV streams through src/data's Blob reader (with hashed text columns, the CLI's encoded reader:
// src/data/csv_encoded.ts); Parquet is read by row range (one-hot text columns as "column=level" indicators, hashed
// ones through the CLI's encoded reader, src/data/parquet_encoded.ts); NPY (one matrix, or the CLI's X.npy with X.y.npy) is read in row blocks
// (src/data/npy_blob.ts), so neither is ever held whole.
import { asyncBufferFromUrl, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { csvSourceFromBlob } from '../../data/blob_source';
import { encodedCsvSourceFromStream, encodingOf } from '../../data/csv_encoded';
import { CsvProfiler, profileCsv, type CsvProfile } from '../../data/csv_profile';
import { HttpFile, type ByteFile } from '../../data/http_file';
import { npyBlobHeader, NpyBlobSource, npyColumn } from '../../data/npy_blob';
import { blobAsyncBuffer, ParquetSource } from '../../data/parquet';
import { encodedParquetSource } from '../../data/parquet_encoded';
import type { DataSource } from '../../data/source';
import type { Encoding } from '../../core/encoding';
import type { TableOptions } from './columns';

/** Bytes of a CSV read to list and profile its columns (the whole file when it is smaller). */
const PROFILE_BYTES = 262_144;
const SNIFF_BYTES = 4096;

/** A file the page can read: a browser File, any Blob with a name, or a file on an HTTP server. */
export type NamedBlob = ByteFile;

/** What the page shows to choose a target column and the features. */
export interface FilePreview {
  format: 'csv' | 'npy' | 'parquet' | 'npy-pair';
  columns: string[];
  /** Rows, when the format states them (NPY, Parquet). */
  rows: number | null;
  /** Rows estimated from the first bytes and the file's size (CSV), or the stated rows. */
  approxRows: number | null;
  /** What each column holds: from a CSV's first 256 KiB (the whole file when smaller), or a binary file's first rows. */
  profile: CsvProfile;
}

/** The file format, by name. */
export function formatOf(name: string): 'csv' | 'npy' | 'parquet' {
  return /\.npy$/i.test(name) ? 'npy' : /\.parquet$/i.test(name) ? 'parquet' : 'csv';
}

/** A file the page cannot read, with what it is and what to do. */
export class FileKindError extends Error {
  override name = 'FileKindError';
}

const startsWith = (b: Uint8Array, ...sig: number[]) => sig.every((v, i) => b[i] === v);
const ascii = (b: Uint8Array, text: string) => startsWith(b, ...[...text].map((c) => c.charCodeAt(0)));

const UTF16 = 'is UTF-16 text: save it as UTF-8 (most editors and spreadsheets offer “CSV UTF-8”)';

/** Formats recognized by their first bytes that the page does not read, and what to do about each. */
const NOT_A_TABLE: [(b: Uint8Array) => boolean, string][] = [
  [(b) => startsWith(b, 0x1f, 0x8b), 'is gzip-compressed: decompress it first (gunzip), then choose the CSV'],
  [(b) => startsWith(b, 0x28, 0xb5, 0x2f, 0xfd), 'is zstd-compressed: decompress it first (unzstd), then choose the CSV'],
  [(b) => ascii(b, 'BZh'), 'is bzip2-compressed: decompress it first (bunzip2), then choose the CSV'],
  [(b) => startsWith(b, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), 'is xz-compressed: decompress it first (unxz), then choose the CSV'],
  [(b) => ascii(b, 'PK\x03\x04'), 'is a ZIP archive (or an Excel workbook): extract the CSV, or save the sheet as CSV'],
  [(b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47), 'is a PNG image, not a table of numbers'],
  [(b) => startsWith(b, 0xff, 0xd8, 0xff), 'is a JPEG image, not a table of numbers'],
  [(b) => ascii(b, 'GIF8'), 'is a GIF image, not a table of numbers'],
  [(b) => ascii(b, '%PDF'), 'is a PDF document, not a table of numbers'],
  [(b) => ascii(b, 'DOWNHILL'), 'is a downhill cache (.dh), which only the command line reads: convert it to CSV or NPY, or train it with the CLI'],
  [(b) => ascii(b, 'ARROW1'), 'is an Arrow file: save it as Parquet or CSV'],
  [(b) => startsWith(b, 0xff, 0xfe) || startsWith(b, 0xfe, 0xff), UTF16],
];

/**
 * What a file is, from its first bytes (and its name where the bytes say nothing): NPY and Parquet by their
 * magic, text as CSV; anything else throws a FileKindError saying what the file is and what to do.
 */
export function sniffFormat(head: Uint8Array, name: string): 'csv' | 'npy' | 'parquet' {
  if (head.length === 0) throw new FileKindError(`${name} is empty`);
  if (ascii(head, 'PAR1')) return 'parquet';
  if (startsWith(head, 0x93, ...[...'NUMPY'].map((c) => c.charCodeAt(0)))) return 'npy';
  const known = NOT_A_TABLE.find(([test]) => test(head));
  if (known) throw new FileKindError(`${name} ${known[1]}`);
  const byName = formatOf(name);
  if (byName !== 'csv') throw new FileKindError(`${name} is named .${byName} but is not ${byName === 'npy' ? 'an NPY' : 'a Parquet'} file (its first bytes say otherwise)`);
  // UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
  const zeros = head.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
  if (zeros > 0) {
    const odd = head.filter((v, i) => i % 2 === 1 && v === 0).length;
    const even = head.filter((v, i) => i % 2 === 0 && v === 0).length;
    if (head.length >= 4 && (odd >= head.length / 2 - 2 || even >= head.length / 2 - 2)) throw new FileKindError(`${name} ${UTF16}`);
    throw new FileKindError(`${name} is a binary file, not text: the page reads CSV (text), NPY or Parquet`);
  }
  const controls = head.filter((v) => v < 0x20 && v !== 0x09 && v !== 0x0a && v !== 0x0d && v !== 0x0c).length;
  if (controls > 8) throw new FileKindError(`${name} is a binary file, not text: the page reads CSV (text), NPY or Parquet`);
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '').trimStart();
  if (/^[{[]/.test(text)) throw new FileKindError(`${name} is JSON, not CSV: save the table as CSV (a header row, then one row per line)`);
  if (/^<(\?xml|!doctype|html|svg)/i.test(text)) throw new FileKindError(`${name} is XML or HTML, not CSV`);
  return 'csv';
}

/** Sniffs a file's format from its first bytes. */
export async function fileFormat(file: NamedBlob): Promise<'csv' | 'npy' | 'parquet'> {
  return sniffFormat(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()), file.name);
}

/** Splits a CSV header line into trimmed, unquoted names (comma, semicolon or tab, as the reader detects). */
export function csvHeader(text: string): string[] {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const [delim, count] = [',', ';', '\t'].map((c) => [c, line.split(c).length] as const).sort((a, b) => b[1] - a[1])[0];
  return line.split(count > 1 ? delim : ',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"'));
}

/** The rows of a CSV file from its first bytes: counted when they are the whole file, else scaled by its size. */
export function csvRowsEstimate(head: string, size: number): number | null {
  const enc = new TextEncoder();
  if (enc.encode(head).length >= size) return Math.max(0, head.split('\n').filter((l) => l.trim()).length - 1);
  const lines = head.split('\n');
  const data = lines.slice(1, -1); // whole data lines (the last one may be cut off)
  if (data.length < 1) return null;
  const bytes = enc.encode(data.join('\n')).length + 1;
  return Math.round(((size - enc.encode(lines[0]).length - 1) / bytes) * data.length);
}

/** Whether two chosen files are the CLI's NPY pair (X.npy with X.y.npy); returns [X, y] in that order. */
export function npyPair<T extends { name: string }>(files: readonly T[]): [T, T] | null {
  if (files.length !== 2) return null;
  const [a, b] = files;
  const stem = (f: T) => f.name.replace(/\.npy$/i, '');
  if (/\.y\.npy$/i.test(b.name) && stem(b) === `${stem(a)}.y`) return [a, b];
  if (/\.y\.npy$/i.test(a.name) && stem(a) === `${stem(b)}.y`) return [b, a];
  return null;
}

/** Rows read from a Parquet or NPY file to profile its columns. */
const SAMPLE_ROWS = 1000;

/** A cell as the profiler reads it: numbers as written by String, booleans as 1 and 0, a missing value blank. */
function cellText(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

/** The profile of a file's first rows (all of them when it has no more than SAMPLE_ROWS). */
function sampleProfile(name: string, columns: string[], rows: readonly (readonly unknown[])[], total: number): CsvProfile {
  const p = new CsvProfiler(name, columns);
  for (const r of rows) p.addFields(r.map(cellText));
  return p.result(total <= rows.length);
}

/** Rows of a Parquet file profiled at a time (a whole-file pass reads it in slices). */
const PARQUET_SLICE = 65_536;

/**
 * The profile of a Parquet file's first `rows` rows (default: every row, read in slices; onRows told the rows read so far),
 * its cells as the CSV profiler reads them, so that a text column's levels are those the one-hot reader matches.
 */
export async function parquetProfile(
  name: string, file: AsyncBuffer, o: { metadata?: FileMetaData; rows?: number; onRows?: (rows: number) => void } = {},
): Promise<CsvProfile> {
  const meta = o.metadata ?? await parquetMetadataAsync(file);
  const columns = parquetSchema(meta).children.map((c) => c.element.name);
  const total = Number(meta.num_rows);
  const end = Math.min(total, o.rows ?? total);
  const p = new CsvProfiler(name, columns);
  for (let start = 0; start < end; start += PARQUET_SLICE) {
    const objects = await parquetReadObjects({ file, metadata: meta, rowStart: start, rowEnd: Math.min(end, start + PARQUET_SLICE), compressors });
    for (const r of objects) p.addFields(columns.map((c) => cellText((r as Record<string, unknown>)[c])));
    o.onRows?.(start + objects.length);
  }
  return p.result(end >= total);
}

/** An NPY source's first rows as cells, features then the target (the order of its columns). */
async function npyRows(src: NpyBlobSource): Promise<number[][]> {
  const n = Math.min(src.rows, SAMPLE_ROWS);
  const c = await src.readRows(0, n);
  const d = src.features.length;
  return Array.from({ length: n }, (_, r) => [...c.x.subarray(r * d, (r + 1) * d), c.y[r]]);
}

/**
 * Lists a file's columns and profiles them: a CSV's first 256 KiB, or the first 1,000 rows of an NPY (or the CLI's
 * pair) or Parquet file.
 */
export async function previewFile(file: NamedBlob, yFile?: NamedBlob): Promise<FilePreview> {
  const format = await fileFormat(file);
  if (yFile) {
    if (format !== 'npy') throw new FileKindError(`${file.name} is not an NPY file: the pair is X.npy with X.y.npy`);
    const src = await NpyBlobSource.pair(file, yFile);
    const columns = [...src.features, src.target];
    return { format: 'npy-pair', columns, rows: src.rows, approxRows: src.rows, profile: sampleProfile(file.name, columns, await npyRows(src), src.rows) };
  }
  if (format === 'parquet') {
    const buffer = blobAsyncBuffer(file);
    const meta = await parquetMetadataAsync(buffer);
    const columns = parquetSchema(meta).children.map((c) => c.element.name);
    const rows = Number(meta.num_rows);
    const profile = await parquetProfile(file.name, buffer, { metadata: meta, rows: SAMPLE_ROWS });
    return { format: 'parquet', columns, rows, approxRows: rows, profile };
  }
  if (format === 'npy') {
    const h = await npyBlobHeader(file);
    const src = await NpyBlobSource.open(file, npyColumn(h.shape[1] - 1));
    const columns = Array.from({ length: h.shape[1] }, (_, i) => npyColumn(i));
    return { format: 'npy', columns, rows: h.shape[0], approxRows: h.shape[0], profile: sampleProfile(file.name, columns, await npyRows(src), h.shape[0]) };
  }
  const head = await file.slice(0, PROFILE_BYTES).text();
  const columns = csvHeader(head);
  if (columns.length < 2) throw new Error(`${file.name}: the header row has one column; expected a target and at least one feature`);
  const profile = profileCsv(file.name, head, file.size <= PROFILE_BYTES);
  return { format: 'csv', columns: profile.columns.map((c) => c.name), rows: null, approxRows: csvRowsEstimate(head, file.size), profile };
}

/** How a file's table is read (the columns panel's choices): features, blank cells, decimal commas. */
export type FileTable = TableOptions;

/**
 * Opens a CSV, NPY or Parquet file (or an NPY pair) as a streaming source with `target` as the target column (a
 * column name from the preview); `labels` asks CSV and Parquet to read the target as class labels (text or
 * numbers); `table` picks the features and how blanks and decimal commas are read.
 */
export async function loadFile(file: NamedBlob, target: string, labels = false, table?: FileTable, yFile?: NamedBlob): Promise<DataSource> {
  // `labels` is passed only when wanted, so a reader without the option still reads numeric labels.
  const which = { target, ...(labels ? { labels: true } : {}), ...(table ? { features: table.features } : {}) };
  if (yFile) return NpyBlobSource.pair(file, yFile, table?.features);
  const format = await fileFormat(file);
  if (format === 'csv') {
    const csv = table ? { missing: table.missing, ...(table.fill ? { fill: table.fill } : {}), decimalComma: table.decimalComma } : {};
    if (table?.hashed?.length) return hashedCsv(file, { ...which, ...csv }, table.features, table.hashed, table.hashBits);
    return csvSourceFromBlob(file, { ...which, ...csv }, file.name);
  }
  if (format === 'parquet') {
    const buffer = await parquetBuffer(file);
    if (!table?.hashed?.length) return ParquetSource.open(file.name, buffer, which);
    // Hashed text columns: the CLI's encoded Parquet reader, its dense features (numbers, "column=level") as the table's.
    return encodedParquetSource(file.name, buffer, { ...which, fixed: { features: table.features, encoding: hashEncoding(file.name, table.hashed, table.hashBits) } });
  }
  return NpyBlobSource.open(file, target, table?.features);
}

/** A Parquet file as hyparquet reads it: a Blob's slices, or a URL's byte ranges. */
export async function parquetBuffer(file: NamedBlob): Promise<AsyncBuffer> {
  return file instanceof HttpFile ? asyncBufferFromUrl({ url: file.url, byteLength: file.size }) : blobAsyncBuffer(file);
}

/**
 * A CSV with hashed text columns: the dense features as the table reads them, and the hashed columns as the CLI's
 * `--hashed … --hash-bits b` encodes them (one encoding function for both; nothing to count first, so no first pass).
 */
function hashedCsv(file: NamedBlob, o: Parameters<typeof csvSourceFromBlob>[1], features: string[], hashed: string[], bits?: number): Promise<DataSource> {
  return encodedCsvSourceFromStream(file.name, () => file.stream(), { ...o, fixed: { features, encoding: hashEncoding(file.name, hashed, bits) } });
}

/** The encoding of the columns panel's hashed columns: the CLI's `--hashed … --hash-bits b`. */
function hashEncoding(file: string, hashed: string[], bits?: number): Encoding {
  return encodingOf(file, hashed, hashed.map(() => 'hash' as const), hashed.map(() => null), { hashBits: bits });
}
