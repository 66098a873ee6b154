// The one adapter between the page and user files: what a file is (sniffed from its first bytes, so a PNG, a
// gzip archive, JSON or UTF-16 text gets a clear message instead of being parsed as a one-column CSV), the
// column preview for choosing the target (from the first 64 KiB), and opening a file as a streaming DataSource.
// CSV streams through src/data's Blob reader; a 2-D NPY array is read in row blocks with Blob.slice, so neither
// is ever held whole.
import type { HostChunk } from '../../core/dataset';
import { parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { csvSourceFromBlob } from '../../data/blob_source';
import { blobAsyncBuffer, ParquetSource } from '../../data/parquet';
import { decodeNpyDict, itemSize, npyHeaderEnd, parseNpyDict, type NpyHeader } from '../../data/npy_format';
import type { DataSource, ReadOptions } from '../../data/source';

const PREVIEW_BYTES = 65_536;
const SNIFF_BYTES = 4096;
const NPY_BLOCK_ROWS = 65_536;

/** A file the page can read: a browser File, or any Blob with a name. */
export type NamedBlob = Blob & { readonly name: string };

/** What the page shows to choose a target column. */
export interface FilePreview {
  format: 'csv' | 'npy' | 'parquet';
  columns: string[];
  /** Rows, when the format states them (NPY, Parquet). */
  rows: number | null;
  /** Rows estimated from the first 64 KiB and the file's size (CSV), or the stated rows. */
  approxRows: number | null;
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

/** Reads and checks a 2-D NPY header from the start of a file. */
export async function npyHeader(file: NamedBlob): Promise<NpyHeader> {
  const prefix = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const { start, end, version } = npyHeaderEnd(file.name, prefix);
  const dict = decodeNpyDict(new Uint8Array(await file.slice(start, end).arrayBuffer()), version);
  const h = parseNpyDict(file.name, dict, version, end);
  if (h.shape.length !== 2 || h.shape[1] < 2) {
    throw new Error(`${file.name}: expected a 2-D array with a target and at least one feature column, got shape (${h.shape.join(', ')})`);
  }
  if (end + h.shape[0] * h.shape[1] * itemSize(h.dtype) > file.size) {
    throw new Error(`${file.name}: the file is shorter than its shape (${h.shape.join(' × ')}) says`);
  }
  return h;
}

/** NPY columns are named by index. */
const npyColumn = (i: number) => `column ${i}`;

/** Lists a file's columns from its first 64 KiB (the NPY header, or the CSV header row). */
export async function previewFile(file: NamedBlob): Promise<FilePreview> {
  const format = await fileFormat(file);
  if (format === 'parquet') {
    const meta = await parquetMetadataAsync(blobAsyncBuffer(file));
    const columns = parquetSchema(meta).children.map((c) => c.element.name);
    return { format: 'parquet', columns, rows: Number(meta.num_rows), approxRows: Number(meta.num_rows) };
  }
  if (format === 'npy') {
    const h = await npyHeader(file);
    return { format: 'npy', columns: Array.from({ length: h.shape[1] }, (_, i) => npyColumn(i)), rows: h.shape[0], approxRows: h.shape[0] };
  }
  const head = await file.slice(0, PREVIEW_BYTES).text();
  const columns = csvHeader(head);
  if (columns.length < 2) throw new Error(`${file.name}: the header row has one column; expected a target and at least one feature`);
  return { format: 'csv', columns, rows: null, approxRows: csvRowsEstimate(head, file.size) };
}

/** A C-order 2-D NPY array in a Blob as a source: one column is the target, the others are features. */
class NpyBlobSource implements DataSource {
  readonly features: string[];
  readonly target: string;
  readonly rows: number;

  constructor(private readonly file: NamedBlob, private readonly h: NpyHeader, private readonly targetCol: number) {
    const cols = h.shape[1];
    this.rows = h.shape[0];
    this.target = npyColumn(targetCol);
    this.features = Array.from({ length: cols }, (_, i) => npyColumn(i)).filter((_, i) => i !== targetCol);
  }

  get description(): string {
    return this.file.name;
  }

  async *read(opts: ReadOptions = {}): AsyncGenerator<HostChunk> {
    const cols = this.h.shape[1];
    const size = itemSize(this.h.dtype);
    const block = Math.max(1, Math.min(opts.maxRows ?? NPY_BLOCK_ROWS, NPY_BLOCK_ROWS));
    for (let start = 0; start < this.rows; start += block) {
      opts.signal?.throwIfAborted();
      const n = Math.min(block, this.rows - start);
      const at = this.h.dataOffset + start * cols * size;
      const buf = await this.file.slice(at, at + n * cols * size).arrayBuffer();
      yield { ...this.split(size === 4 ? new Float32Array(buf) : new Float64Array(buf), n), firstRow: start };
    }
  }

  private split(v: Float32Array | Float64Array, n: number): HostChunk {
    const cols = this.h.shape[1];
    const d = cols - 1;
    const x = new Float32Array(n * d);
    const y = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let j = 0;
      for (let c = 0; c < cols; c++) {
        if (c === this.targetCol) y[r] = v[r * cols + c];
        else x[r * d + j++] = v[r * cols + c];
      }
    }
    return { rows: n, x, y };
  }
}

/**
 * Opens a CSV, NPY or Parquet file as a streaming source with `target` as the target column (a column name from
 * the preview); `labels` asks CSV and Parquet to read the target as class labels (text or numbers).
 */
export async function loadFile(file: NamedBlob, target: string, labels = false): Promise<DataSource> {
  // `labels` is passed only when wanted, so a reader without the option still reads numeric labels.
  const which = labels ? { target, labels: true } : { target };
  const format = await fileFormat(file);
  if (format === 'csv') return csvSourceFromBlob(file, which, file.name);
  if (format === 'parquet') return ParquetSource.open(file.name, blobAsyncBuffer(file), which);
  const h = await npyHeader(file);
  const col = Number(/^column (\d+)$/.exec(target)?.[1] ?? target);
  if (!(Number.isInteger(col) && col >= 0 && col < h.shape[1])) throw new Error(`${file.name}: no column "${target}"; columns are 0..${h.shape[1] - 1}`);
  return new NpyBlobSource(file, h, col);
}
