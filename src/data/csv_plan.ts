// The rules of the streaming CSV reader that are not on the hot path: the header (delimiter detection,
// column selection) and the exact, string-based reading of one line that the fast byte parser falls back to
// for anything unusual. These rules match src/data/csv.ts (parseCsv) so both readers agree on every input,
// values and error messages alike. Three options go beyond parseCsv, each off by default: blank cells skipped
// (counted) or filled, numbers written with a decimal comma, and indicator features "column=level" that encode a
// text column one-hot (so a model trained on them is applied to a file by name, like any feature).
// No Node imports: this runs in the browser too.
import { columnFinder, columnLabel, DataError, decimalCommaHint, quoteValue } from './csv';
import { TargetLabels, textTargetHint } from './target_labels';

/** Options shared by every streaming CSV source. */
export interface CsvStreamOptions {
  /** Target column: a header name, or a 0-based index when no header name matches. */
  target: string;
  /** Feature columns in the order wanted (default: every column but the target). */
  features?: string[];
  /** Field delimiter, one of DELIMITERS; detected from the header among , ; and tab when absent. */
  delimiter?: string;
  /** Skip rows with bad cells or the wrong number of fields (counted in `skipped`) instead of failing. */
  skipBadRows?: boolean;
  /** Accept a file without the target column (for predictions; y is then NaN and `features` are required). */
  targetOptional?: boolean;
  /** Read the target as class labels: y holds indices into the source's `targetLabels` (see DataSource). */
  labels?: boolean;
  /** With skipBadRows: called for every row skipped, in every pass (for reports, and to keep outputs aligned). */
  onSkip?: (s: SkippedRow) => void;
  /**
   * Blank cells in the columns read: an error (default); 'skip' the row (counted in `skipped`, like skipBadRows but
   * for blanks only); or 'fill' a feature's blank with its `fill` value (a text column's blank sets none of its
   * indicators; a blank target still skips the row).
   */
  missing?: MissingPolicy;
  /** With missing 'fill': the value of a blank cell per feature column name (its mean, from a first pass). */
  fill?: Readonly<Record<string, number>>;
  /**
   * Numbers written with a decimal comma ("1,5"), in a file whose delimiter is not the comma. Such lines take the
   * exact string path (readLineSlow): the byte scanner stops at the comma.
   */
  decimalComma?: boolean;
}

/** What a blank cell in a column that is read means: an error, a row to skip, or a value to fill in. */
export type MissingPolicy = 'error' | 'skip' | 'fill';

/** A data line skipped as bad: its line number, the good rows before it in the pass, and why. */
export interface SkippedRow {
  line: number;
  before: number;
  reason: string;
}

/** How to read data lines: which byte separates fields and where each column goes. */
export interface CsvPlan {
  file: string;
  delim: number;
  header: string[];
  /** The header line as read, to check that later passes read the same file. */
  headerLine: string;
  /** roles[column] = TARGET, SKIP, INDICATOR (a text column one-hot) or the feature slot (0..d−1). */
  roles: Int32Array;
  features: string[];
  target: string;
  /** The column each feature slot reads (an indicator slot: its text column). */
  featureCols: number[];
  /** Per feature slot: the level an indicator slot stands for, or null for a number. */
  levels: (string | null)[];
  /** The text columns read one-hot: each level's slot. */
  indicators: { col: number; slots: Map<string, number> }[];
  targetCol: number;
  skipBadRows: boolean;
  missing: MissingPolicy;
  /** Per column: the value of a blank cell with missing 'fill' (NaN: none). */
  fill: Float64Array;
  decimalComma: boolean;
  /** Label mode: the source's label dictionary, shared by every pass; null when the target holds numbers. */
  labels: TargetLabels | null;
  onSkip?: (s: SkippedRow) => void;
}

/** Delimiters a caller may give (none can occur inside a number, so the fast path cannot mistake one). */
export const DELIMITERS = [',', ';', '\t', '|', ':'];

/** Column roles in a plan: the target, a column nobody reads, or (≥ 0) a feature slot. */
export const TARGET = -1;
/** See TARGET. */
export const SKIP = -2;
/** See TARGET: a text column whose levels are indicator features. */
export const INDICATOR = -3;

/** A blank cell where a value is needed: a DataError that missing 'skip' (or 'fill', for a target) skips. */
export class MissingValueError extends DataError {}

/** True when a string is empty after JavaScript's trim (the rule for blank lines and missing values). */
export const isBlank = (s: string): boolean => s.trim() === '';

/** The delimiter of a header line: the most frequent of , ; and tab (a comma when none occurs). */
export function detectDelimiter(header: string): string {
  const counts = [',', ';', '\t'].map((c) => [c, header.split(c).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : ',';
}

/** Splits one line into fields with RFC 4180 quoting inside the line; quote errors are DataErrors. */
export function splitFields(line: string, delim: string, file: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] !== '"') {
      let j = line.indexOf(delim, i);
      if (j < 0) j = line.length;
      out.push(line.slice(i, j));
      i = j + 1;
      continue;
    }
    let v = '';
    for (i++; ; ) {
      if (i >= line.length) throw new DataError(file, lineNo, null, 'a quoted field is not closed (quoted newlines are not supported)');
      if (line[i] === '"') {
        if (line[i + 1] !== '"') break;
        v += '"';
        i += 2;
      } else v += line[i++];
    }
    i++;
    if (i < line.length && line[i] !== delim) throw new DataError(file, lineNo, null, `expected a delimiter after a quoted field at character ${i + 1}`);
    out.push(v);
    i++;
  }
  return out;
}

/** The text column and level a feature name "column=level" stands for, when no column has that name; else null. */
export function indicatorOf(header: readonly string[] | ReadonlySet<string>, name: string): { column: string; level: string } | null {
  const has = header instanceof Set ? (n: string) => header.has(n) : (n: string) => (header as readonly string[]).includes(n);
  if (has(name)) return null;
  for (let i = name.indexOf('='); i > 0; i = name.indexOf('=', i + 1)) {
    if (has(name.slice(0, i))) return { column: name.slice(0, i), level: name.slice(i + 1) };
  }
  return null;
}

/** Where each feature slot reads: its column, and the level of an indicator slot. */
function featureSlots(file: string, header: string[], names: readonly string[], colOf: (n: string, what: string) => number): { cols: number[]; levels: (string | null)[] } {
  const cols: number[] = [];
  const levels: (string | null)[] = [];
  const names0 = new Set(header); // a lookup per feature: a 100 000-column header stays linear
  for (const f of names) {
    const ind = indicatorOf(names0, f);
    cols.push(colOf(ind ? ind.column : f, 'feature'));
    levels.push(ind ? ind.level : null);
  }
  return { cols, levels };
}

/** Builds the reading plan from the header line (without its line ending); bad selections are DataErrors. */
export function makePlan(file: string, headerLine: string, o: CsvStreamOptions): CsvPlan {
  const delimiter = o.delimiter ?? detectDelimiter(headerLine);
  if (!DELIMITERS.includes(delimiter)) {
    throw new DataError(file, null, null, `the delimiter must be one of , ; | : or a tab, got ${JSON.stringify(delimiter)}`);
  }
  if (o.decimalComma && delimiter === ',') throw new DataError(file, null, null, 'numbers with a decimal comma need a delimiter other than the comma');
  const header = splitFields(headerLine, delimiter, file, 1).map((h) => h.trim());
  const colOf = columnFinder(file, header);
  const absent = o.targetOptional === true && o.features !== undefined && !header.includes(o.target);
  const targetCol = absent ? -1 : colOf(o.target, 'target');
  const { cols: featureCols, levels } = featureSlots(file, header, o.features ?? header.filter((_, i) => i !== targetCol), colOf);
  if (featureCols.includes(targetCol)) throw new DataError(file, 1, columnLabel(header[targetCol]), 'the target column cannot also be a feature');
  if (featureCols.length === 0) throw new DataError(file, 1, null, 'no feature columns: expected at least one column besides the target');
  const roles = new Int32Array(header.length).fill(SKIP);
  if (targetCol >= 0) roles[targetCol] = TARGET;
  const indicators = new Map<number, Map<string, number>>();
  featureCols.forEach((c, k) => {
    const level = levels[k];
    const clash = level === null ? roles[c] !== SKIP : roles[c] !== SKIP && roles[c] !== INDICATOR;
    if (clash) throw new DataError(file, 1, columnLabel(header[c]), `feature column ${quoteValue(header[c])} is listed twice`);
    if (level === null) roles[c] = k;
    else {
      roles[c] = INDICATOR;
      const slots = indicators.get(c) ?? new Map<string, number>();
      if (slots.has(level)) throw new DataError(file, 1, columnLabel(header[c]), `feature column ${quoteValue(`${header[c]}=${level}`)} is listed twice`);
      indicators.set(c, slots.set(level, k));
    }
  });
  const fill = new Float64Array(header.length).fill(NaN);
  for (const [name, v] of Object.entries(o.fill ?? {})) {
    const c = header.indexOf(name);
    if (c >= 0 && Number.isFinite(v)) fill[c] = v;
  }
  return {
    file, delim: delimiter.charCodeAt(0), header, headerLine, roles, features: featureCols.map((c, k) => (levels[k] === null ? header[c] : `${header[c]}=${levels[k]}`)),
    target: targetCol >= 0 ? header[targetCol] : o.target, featureCols, levels, indicators: [...indicators].map(([col, slots]) => ({ col, slots })),
    targetCol, skipBadRows: o.skipBadRows === true, labels: o.labels === true ? new TargetLabels() : null, onSkip: o.onSkip,
    missing: o.missing ?? 'error', fill, decimalComma: o.decimalComma === true,
  };
}

// Unambiguous (no two ways to split a run of digits), so a failing match is linear in the cell, not quadratic.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const where = (p: CsvPlan, idx: number): string => `${idx + 1} ${quoteValue(p.header[idx])}`;

function cell(p: CsvPlan, fields: string[], idx: number, lineNo: number, hint = ''): number {
  let s = fields[idx].trim();
  if (s === '') {
    if (p.missing === 'fill' && idx !== p.targetCol && !Number.isNaN(p.fill[idx])) return p.fill[idx];
    throw new MissingValueError(p.file, lineNo, where(p, idx), 'missing value; expected a number');
  }
  if (p.decimalComma) s = s.replace(',', '.');
  if (!NUMBER.test(s)) {
    throw new DataError(p.file, lineNo, where(p, idx), `expected a number, got ${quoteValue(s)}${idx === p.targetCol ? textTargetHint() : decimalCommaHint(s) || hint}`);
  }
  const v = Number(s);
  if (!Number.isFinite(Math.fround(v))) throw new DataError(p.file, lineNo, where(p, idx), `the number ${s} is outside the float32 range`);
  return v;
}

/**
 * Feature slot k of a line's fields under the plan's rules (a number, or an indicator's 0 or 1; blanks as the plan's
 * missing policy says, decimal commas); `hint` ends the message of a cell that is not a number.
 */
export function slotValue(p: CsvPlan, fields: string[], k: number, lineNo: number, hint = ''): number {
  const level = p.levels[k];
  return level === null ? cell(p, fields, p.featureCols[k], lineNo, hint) : indicator(p, fields, p.featureCols[k], level, lineNo);
}

/** An indicator slot: 1 when the text column holds its level, else 0; a blank cell sets none with missing 'fill'. */
function indicator(p: CsvPlan, fields: string[], idx: number, level: string, lineNo: number): number {
  const s = fields[idx].trim();
  if (s !== '') return s === level ? 1 : 0;
  if (p.missing === 'fill') return 0;
  throw new MissingValueError(p.file, lineNo, where(p, idx), 'missing value; expected a category');
}

/** The target of a line: its number, or in label mode the index of its label; NaN when the file has no target. */
export function lineTarget(p: CsvPlan, fields: string[], lineNo: number): number {
  if (p.targetCol < 0) return NaN;
  if (p.labels === null) return cell(p, fields, p.targetCol, lineNo);
  const k = p.labels.index(fields[p.targetCol]);
  if (k < 0) throw new MissingValueError(p.file, lineNo, where(p, p.targetCol), 'missing value; expected a class label');
  return k;
}

/**
 * Reads one data line exactly as parseCsv would: returns false for a blank line, writes the features to
 * x[xOff..] and returns the target otherwise, and throws a DataError naming the line and column when bad.
 * A label is added to the dictionary only once the line's features have been read.
 */
export function readLineSlow(p: CsvPlan, line: string, lineNo: number, x: Float32Array, xOff: number): number | false {
  if (isBlank(line)) return false;
  const fields = splitFields(line, String.fromCharCode(p.delim), p.file, lineNo);
  if (fields.length !== p.header.length) {
    throw new DataError(p.file, lineNo, null, `expected ${p.header.length} fields like the header, found ${fields.length}`);
  }
  const d = p.featureCols.length;
  const values = new Float64Array(d);
  for (let j = 0; j < d; j++) values[j] = slotValue(p, fields, j, lineNo);
  const y = lineTarget(p, fields, lineNo);
  x.set(values, xOff);
  return y;
}

/** Whether a bad line is skipped rather than an error: every bad line with skipBadRows, blank cells with missing 'skip' or 'fill'. */
export function skips(p: CsvPlan, e: unknown): boolean {
  return e instanceof DataError && (p.skipBadRows || (e instanceof MissingValueError && p.missing !== 'error'));
}
