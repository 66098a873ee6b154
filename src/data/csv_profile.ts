// What each column of a CSV file holds, for choosing what to train on (the page's columns panel): numbers, text
// (with its levels), a constant, mostly blank cells, or an identifier (named like one, counting 1, 2, 3…, or text
// unique in every row); numbers written with a decimal comma are recognised in a file not separated by commas.
// One profiler reads lines one at a time: from the first bytes of a file (a quick look) or from a whole pass
// (profileCsvStream: exact levels and means, the first pass before filling blanks with means). No I/O of its own.
import { DataError } from './csv';
import { detectDelimiter, splitFields } from './csv_plan';

/** What a column holds. */
export type ColumnKind = 'number' | 'text' | 'constant' | 'missing' | 'id';

/** Distinct values kept per column (a column with more is reported as having more). */
export const LEVEL_CAP = 1000;
/** A column with more than this share of blank cells is mostly missing. */
export const MOSTLY_MISSING = 0.5;

/** What one column holds. */
export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  /** Every non-blank cell is a number (with the file's decimal comma): read as a number, else as text. */
  numeric: boolean;
  /** Cells read, and the blank ones among them. */
  cells: number;
  blank: number;
  /** Distinct non-blank values in order of first appearance (at most LEVEL_CAP), and whether there are more. */
  levels: string[];
  moreLevels: boolean;
  /** Rows per level (parallel to `levels`). */
  counts: number[];
  /** Over the cells that are numbers: their count, mean, min and max. */
  numbers: number;
  mean: number;
  min: number;
  max: number;
  /** Why the page leaves it out by default (an identifier, a constant, mostly blank), or null. */
  why: string | null;
}

/** What a file's columns hold. */
export interface CsvProfile {
  delimiter: string;
  /** Numbers are written with a decimal comma ("1,5"). */
  decimalComma: boolean;
  columns: ColumnProfile[];
  /** Data lines read (blank lines aside), and those with the wrong number of fields. */
  rows: number;
  ragged: number;
  /** Whether every line of the file was read (else levels, counts and means are from the first lines). */
  complete: boolean;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const COMMA_NUMBER = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;

/** A name people give identifiers: id, uuid, user_id, userId, "order ID". */
export const idName = (name: string): boolean => /^(id|uuid|guid)$/i.test(name) || /[_\s.-]id$/i.test(name) || /[a-z]I[dD]$/.test(name);

/** Per-column tallies while lines are read. */
class Tally {
  cells = 0;
  blank = 0;
  numbers = 0;
  commaNumbers = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Integers counting up by one from the first row (an index column). */
  counting = true;
  last = NaN;
  readonly levels = new Map<string, number>();
  more = false;

  add(raw: string): void {
    const s = raw.trim();
    this.cells++;
    if (s === '') {
      this.blank++;
      return;
    }
    const n = this.levels.get(s);
    if (n !== undefined) this.levels.set(s, n + 1);
    else if (this.levels.size < LEVEL_CAP) this.levels.set(s, 1);
    else this.more = true;
    const plain = NUMBER.test(s);
    const comma = !plain && COMMA_NUMBER.test(s);
    if (!plain && !comma) return;
    const v = Number(comma ? s.replace(',', '.') : s);
    if (comma) this.commaNumbers++;
    this.numbers++;
    this.sum += v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    this.counting &&= Number.isInteger(v) && (Number.isNaN(this.last) || v === this.last + 1);
    this.last = v;
  }
}

/** The kind of a column from its tallies, and why the page leaves it out by default. */
function judge(name: string, t: Tally, numeric: boolean): Pick<ColumnProfile, 'kind' | 'why'> {
  const filled = t.cells - t.blank;
  if (t.cells > 0 && t.blank / t.cells > MOSTLY_MISSING) return { kind: 'missing', why: `mostly missing: ${Math.round((100 * t.blank) / t.cells)}% of its cells are blank` };
  const distinct = t.levels.size + (t.more ? 1 : 0);
  if (filled > 1 && distinct === 1) return { kind: 'constant', why: `constant: every row holds ${JSON.stringify([...t.levels.keys()][0])}` };
  if (idName(name)) return { kind: 'id', why: 'an identifier (by its name)' };
  if (numeric && t.counting && filled >= 3 && t.blank === 0) return { kind: 'id', why: `an identifier: it counts ${t.min}, ${t.min + 1}, ${t.min + 2}, … row by row` };
  if (!numeric && filled >= 20 && !t.more && t.levels.size === filled) return { kind: 'id', why: 'an identifier: its text is different in every row' };
  return { kind: numeric ? 'number' : 'text', why: null };
}

/** Reads a CSV's lines one at a time into column profiles. */
export class CsvProfiler {
  private readonly header: string[];
  private readonly tallies: Tally[];
  private rows = 0;
  private ragged = 0;
  private lineNo = 1;

  /** From a CSV header line; or, for a format that names its columns (Parquet, NPY), from the names. */
  constructor(private readonly file: string, header: string | readonly string[], readonly delimiter = typeof header === 'string' ? detectDelimiter(header) : ',') {
    this.header = typeof header === 'string' ? splitFields(header.replace(/^\uFEFF/, ''), delimiter, file, 1).map((h) => h.trim()) : [...header];
    this.tallies = this.header.map(() => new Tally());
  }

  /** Adds a row of cells as text, one per column (a number as written by String, a missing value as ''). */
  addFields(fields: readonly string[]): void {
    this.rows++;
    fields.forEach((f, i) => this.tallies[i].add(f));
  }

  /** Adds a data line (without its line ending); blank lines are passed over, as the readers do. */
  add(line: string): void {
    this.lineNo++;
    if (line.trim() === '') return;
    let fields: string[];
    try {
      fields = splitFields(line, this.delimiter, this.file, this.lineNo);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      this.ragged++;
      return;
    }
    if (fields.length !== this.header.length) {
      this.ragged++;
      return;
    }
    this.addFields(fields);
  }

  /** The profile of the lines read so far; `complete` says they are the whole file. */
  result(complete: boolean): CsvProfile {
    const commas = this.delimiter !== ',' && this.tallies.some((t) => t.commaNumbers > 0 && t.numbers === t.cells - t.blank);
    const columns = this.header.map((name, i): ColumnProfile => {
      const t = this.tallies[i];
      const numeric = t.numbers > 0 && t.numbers === t.cells - t.blank && (commas || t.commaNumbers === 0);
      return {
        name, ...judge(name, t, numeric), numeric, cells: t.cells, blank: t.blank, levels: [...t.levels.keys()], counts: [...t.levels.values()], moreLevels: t.more,
        numbers: t.numbers, mean: t.numbers ? t.sum / t.numbers : NaN, min: t.min, max: t.max,
      };
    });
    return { delimiter: this.delimiter, decimalComma: commas, columns, rows: this.rows, ragged: this.ragged, complete };
  }
}

/** Profiles CSV text (the whole file, or its first bytes: the last, possibly cut, line is then left out). */
export function profileCsv(file: string, text: string, complete: boolean): CsvProfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!complete) lines.pop();
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0 || lines[0].trim() === '') throw new DataError(file, null, null, 'the file is empty; expected a header row and data rows');
  const p = new CsvProfiler(file, lines[0]);
  for (let i = 1; i < lines.length; i++) p.add(lines[i]);
  return p.result(complete);
}

/** Profiles a whole CSV byte stream, line by line (the first pass: exact levels, counts and means). */
export async function profileCsvStream(
  file: string, stream: ReadableStream<Uint8Array>, o: { delimiter?: string; signal?: AbortSignal; onRows?: (rows: number) => void } = {},
): Promise<CsvProfile> {
  const reader = stream.getReader();
  const utf8 = new TextDecoder();
  let p: CsvProfiler | null = null;
  let carry = '';
  let rows = 0;
  const line = (l: string) => {
    const text = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (p) p.add(text);
    else if (text.trim() !== '') p = new CsvProfiler(file, text, o.delimiter);
  };
  try {
    for (;;) {
      o.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      const parts = (carry + utf8.decode(value, { stream: true })).split('\n');
      carry = parts.pop()!;
      for (const l of parts) line(l);
      o.onRows?.((rows += parts.length));
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  carry += utf8.decode();
  if (carry) line(carry);
  if (!p) throw new DataError(file, null, null, 'the file is empty; expected a header row and data rows');
  return (p as CsvProfiler).result(true);
}
