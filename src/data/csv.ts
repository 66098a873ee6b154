// A plain CSV reader for numeric regression data: a header row, comma/semicolon/tab delimiters, quoted
// fields, CRLF and a BOM; the target may be read as class labels. Errors name the file, the line and the
// column and say what was expected. The reference the streaming reader (csv_stream.ts) is tested against.
import type { Dataset } from '../core/dataset';
import { TargetLabels, textTargetHint } from './target_labels';

/**
 * A bad-input error pointing at a place in a file: a text line ("data.csv:3 (column 2 "b"): …") or, for binary
 * formats, a data row ("data.npy: row 3 (column 2 "x2"): …").
 */
export class DataError extends Error {
  constructor(
    readonly file: string, readonly line: number | null, readonly column: string | null, detail: string, readonly unit: 'line' | 'row' = 'line',
  ) {
    const at = line === null ? '' : unit === 'line' ? `:${line}` : `: row ${line}`;
    super(`${file}${at}${column !== null ? ` (column ${column})` : ''}: ${detail}`);
    this.name = 'DataError';
  }
}

/** A value as quoted in a message: at most `max` characters, a longer one cut with its length noted. */
export function quoteValue(s: string, max = 40): string {
  const chars = [...s.slice(0, 4 * max)];
  return chars.length <= max && s.length <= 4 * max ? `"${s}"` : `"${chars.slice(0, max).join('')}…" (${s.length} characters)`;
}

/** A list of names for a message: the first `max`, then how many more. */
export function nameList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => (n.length > 40 ? quoteValue(n) : n)).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** A column name for the column slot of a message: as written, or cut to a readable length. */
export const columnLabel = (name: string): string => (name.length > 40 ? quoteValue(name) : name);

/**
 * Finds columns by header name (or by 0-based index when no name matches) with one map, in constant time per
 * lookup (a header of a million columns is read in linear time). A selected column whose name the header holds
 * more than once is an error: which one is meant, and which one a model file's name refers to, would be a guess.
 */
export function columnFinder(file: string, header: readonly string[]): (name: string, what: string) => number {
  const first = new Map<string, number>();
  const repeated = new Map<string, number[]>();
  header.forEach((h, i) => {
    const at = first.get(h);
    if (at === undefined) first.set(h, i);
    else if (repeated.has(h)) repeated.get(h)!.push(i);
    else repeated.set(h, [at, i]);
  });
  return (name, what) => {
    let idx = first.get(name) ?? -1;
    if (idx < 0 && /^\d+$/.test(name) && Number(name) < header.length) idx = Number(name);
    if (idx < 0) {
      throw new DataError(file, 1, columnLabel(name), `${what} column ${quoteValue(name)} is not in the header; columns are: ${nameList(header)}`);
    }
    const same = repeated.get(header[idx]);
    if (same) {
      const at = same.slice(0, 5).map((c) => c + 1).join(', ') + (same.length > 5 ? ', …' : '');
      throw new DataError(file, 1, columnLabel(header[idx]), `duplicate column name: the header has ${same.length} columns named ` +
        `${quoteValue(header[idx])} (columns ${at}); give each column a unique name`);
    }
    return idx;
  };
}

/** Options for reading a CSV. */
export interface CsvOptions {
  /** Name of the file, for error messages. */
  file: string;
  /** Target column: a header name, or a 0-based index when no header matches. */
  target: string;
  /** Feature columns (default: every column but the target). */
  features?: string[];
  /** Read the target as class labels: y holds indices into the result's `targetLabels`. */
  labels?: boolean;
}

function detectDelimiter(header: string): string {
  const counts = [',', ';', '\t'].map((c) => [c, header.split(c).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : ',';
}

/** Splits one line into fields (RFC 4180 quoting within the line). */
function splitLine(line: string, delim: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new DataError(file, lineNo, null, 'a quoted field is not closed (quoted newlines are not supported)');
        if (line[i] === '"') {
          if (line[i + 1] === '"') { v += '"'; i += 2; continue; }
          i++;
          break;
        }
        v += line[i++];
      }
      if (i < line.length && line[i] !== delim) throw new DataError(file, lineNo, null, `expected a delimiter after a quoted field at character ${i + 1}`);
      out.push(v);
      i++;
    } else {
      let j = line.indexOf(delim, i);
      if (j < 0) j = line.length;
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

/** Added to the error for a cell that is a number written with a decimal comma ("1,5"). */
export function decimalCommaHint(cell: string): string {
  return /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/.test(cell) ? ' (a decimal comma: write numbers with a decimal point, or read the file with decimal commas)' : '';
}

// Unambiguous (no two ways to split a run of digits), so a failing match is linear in the cell, not quadratic.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses CSV text into a single-chunk dataset (with its labels in order of first appearance in label mode). */
export function parseCsv(text: string, o: CsvOptions): Dataset & { targetLabels?: string[] } {
  const { file } = o;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError(file, null, null, 'the file is empty; expected a header row and data rows');
  const delim = detectDelimiter(lines[0]);
  const header = splitLine(lines[0], delim, file, 1).map((h) => h.trim());
  const colOf = columnFinder(file, header);
  const t = colOf(o.target, 'target');
  const feats = (o.features ?? header.filter((_, i) => i !== t)).map((f) => colOf(f, 'feature'));
  if (feats.includes(t)) throw new DataError(file, 1, columnLabel(header[t]), 'the target column cannot also be a feature');
  if (new Set(feats).size !== feats.length) {
    const c = feats.find((f, k) => feats.indexOf(f) !== k)!;
    throw new DataError(file, 1, columnLabel(header[c]), `feature column ${quoteValue(header[c])} is listed twice`);
  }
  if (feats.length === 0) throw new DataError(file, 1, null, 'no feature columns: expected at least one column besides the target');
  const d = feats.length;
  const rowsMax = lines.length - 1;
  if (rowsMax === 0) throw new DataError(file, null, null, 'the file has a header but no data rows');
  const x = new Float32Array(rowsMax * d);
  const y = new Float32Array(rowsMax);
  let rows = 0;
  const labels = o.labels === true ? new TargetLabels() : null;
  const cell = (fields: string[], idx: number, lineNo: number): number => {
    const s = fields[idx].trim();
    if (!NUMBER.test(s)) {
      const why = s === '' ? 'missing value; expected a number' : `expected a number, got ${quoteValue(s)}${idx === t ? textTargetHint() : decimalCommaHint(s)}`;
      throw new DataError(file, lineNo, `${idx + 1} ${quoteValue(header[idx])}`, why);
    }
    const v = Number(s);
    if (!Number.isFinite(Math.fround(v))) {
      throw new DataError(file, lineNo, `${idx + 1} ${quoteValue(header[idx])}`, `the number ${s} is outside the float32 range`);
    }
    return v;
  };
  const labelIndex = (dict: TargetLabels, s: string, lineNo: number): number => {
    const k = dict.index(s);
    if (k < 0) throw new DataError(file, lineNo, `${t + 1} ${quoteValue(header[t])}`, 'missing value; expected a class label');
    return k;
  };
  for (let l = 1; l < lines.length; l++) {
    const lineNo = l + 1;
    if (lines[l].trim() === '') continue;
    const fields = splitLine(lines[l], delim, file, lineNo);
    if (fields.length !== header.length) {
      throw new DataError(file, lineNo, null, `expected ${header.length} fields like the header, found ${fields.length}`);
    }
    for (let j = 0; j < d; j++) x[rows * d + j] = cell(fields, feats[j], lineNo);
    y[rows] = labels === null ? cell(fields, t, lineNo) : labelIndex(labels, fields[t], lineNo);
    rows++;
  }
  return {
    features: feats.map((i) => header[i]), target: header[t], rows,
    chunks: [{ rows, x: x.slice(0, rows * d), y: y.slice(0, rows) }],
    ...(labels ? { targetLabels: labels.list } : {}),
  };
}
