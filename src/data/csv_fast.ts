// The hot path of the streaming CSV reader: parses complete lines of numeric CSV straight from bytes into
// float32 rows. It handles the common shapes (plain or quoted numbers, spaces, CRLF, skipped columns) and
// hands any line it is not sure about to readLineSlow (src/data/csv_plan.ts), which applies parseCsv's
// exact rules, so the fast path can only be faster, never different. csv_labels.ts reuses fastLine and
// skipField for class-label targets, leaving this loop as it is. No Node imports.
import type { HostChunk } from '../core/dataset';
import { readLineSlow, skips, SKIP as SKIP_ROLE, TARGET as TARGET_ROLE, type CsvPlan } from './csv_plan';

// Local copies: Vite's SSR transform (Vitest, vite-node) reads imported bindings through a namespace
// object, which costs a property load per comparison in the hot loop.
const TARGET = TARGET_ROLE;
const SKIP = SKIP_ROLE;
const NL = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;

/** 2^128 − 2^103: the smallest magnitude that rounds to an infinite float32 (ties go to even, 2^128). */
const F32_OVERFLOW = 3.4028235677973366e38;

/** 10^0 … 10^22: every one is exact in f64, so m·10^e and m/10^e round once (Clinger's fast path). */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * The value of the last number scanned. The scanners return positions (small integers) and leave the value
 * here, so the out-of-line scanTail never returns a double (a boxed heap number when not inlined).
 */
const VAL = new Float64Array(1);

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * Scans a number (optional spaces, sign, digits, fraction, exponent, spaces) starting at b[i]; stores its
 * value (exactly Number(text)) in VAL[0] and returns the index after it, or −1 when the text is not such a
 * number. The caller guarantees a line feed after i, which stops every loop. Kept small so that V8 inlines
 * it; exponents and long mantissas continue in scanTail.
 */
function scan(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c === SPACE) c = b[++i];
  let neg = false;
  if (c === 45 || c === 43) {
    neg = c === 45;
    c = b[++i];
  }
  const s0 = i;
  let m = 0;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    c = b[++i];
  }
  let digits = i - s0;
  let frac = 0;
  if (c === 46) {
    const f0 = ++i;
    c = b[i];
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      c = b[++i];
    }
    frac = i - f0;
    digits += frac;
  }
  if (digits === 0) return -1;
  if (c === 101 || c === 69 || digits > 15) return scanTail(b, i, s0, m, -frac, digits, neg);
  while (c === SPACE) c = b[++i];
  // At most 15 digits: m < 10^15 is exact and so is 10^frac, so the one division rounds correctly.
  const v = m / POW10[frac];
  VAL[0] = neg ? -v : v;
  return i;
}

/** The rest of scan from b[i]: an optional exponent, then the value (Clinger's fast path or Number()). */
function scanTail(b: Uint8Array, i: number, s0: number, m: number, e: number, digits: number, neg: boolean): number {
  let c = b[i];
  if (c === 101 || c === 69) {
    c = b[++i];
    let eneg = false;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      c = b[++i];
    }
    if (!(c >= 48 && c <= 57)) return -1;
    let ex = 0;
    while (c >= 48 && c <= 57) {
      if (ex < 1e9) ex = ex * 10 + (c - 48);
      c = b[++i];
    }
    e += eneg ? -ex : ex;
  }
  const s1 = i;
  while (c === SPACE) c = b[++i];
  let v: number;
  if (digits <= 15 && e >= -22 && e <= 22) v = e >= 0 ? m * POW10[e] : m / POW10[-e];
  else if (m === 0) v = 0;
  else v = Number(latin1(b, s0, s1));
  VAL[0] = neg ? -v : v;
  return i;
}

/** The number at b[i] (see scan) with the line feed the scanner relies on somewhere after it, or NaN. */
export function scanNumber(b: Uint8Array, i: number): number {
  return scan(b, i) < 0 ? NaN : VAL[0];
}

/** Scans the number at b[i] (see scan: spaces around it skipped); returns the index after it, or −1; its value is then scannedValue(). */
export function scanNumberAt(b: Uint8Array, i: number): number {
  return scan(b, i);
}

/** The value of the number scanNumberAt last read. */
export const scannedValue = (): number => VAL[0];

/** Skips one field that is not read (quoted with "" escapes, or up to the delimiter); returns its end or −1. */
export function skipField(b: Uint8Array, i: number, delim: number): number {
  let c = b[i];
  if (c !== QUOTE) {
    while (c !== delim && c !== NL) c = b[++i];
    return i;
  }
  for (i++; ; i++) {
    c = b[i];
    if (c === NL) return -1;
    if (c === QUOTE) {
      if (b[i + 1] !== QUOTE) return i + 1;
      i++;
    }
  }
}

/** Reads one numeric field at b[i] (plain or "quoted") into VAL[0]; returns the index after it, or −1. */
function numberField(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) return scan(b, i);
  const j = scan(b, i + 1);
  return j >= 0 && b[j] === QUOTE ? j + 1 : -1;
}

/**
 * Fast path for the line at b[i]: writes row r (features to x[r·d + slot], target to y[r]) and returns the
 * index of the line feed, or −1 when the line needs the exact slow path (anything unusual, bad, blank, or
 * out of the float32 range).
 */
export function fastLine(b: Uint8Array, i: number, roles: Int32Array, delim: number, x: Float32Array, y: Float32Array, r: number, d: number): number {
  const ncol = roles.length;
  for (let col = 0; ; ) {
    const role = roles[col];
    if (role === SKIP) {
      i = skipField(b, i, delim);
      if (i < 0) return -1;
    } else {
      i = numberField(b, i);
      if (i < 0) return -1;
      const v = VAL[0];
      if (v >= F32_OVERFLOW || v <= -F32_OVERFLOW) return -1;
      if (role === TARGET) y[r] = v;
      else x[r * d + role] = v;
    }
    col++;
    const c = b[i];
    if (c === delim) {
      if (col === ncol) return -1;
      i++;
    } else if (c === NL) {
      return col === ncol ? i : -1;
    } else if (c === CR && b[i + 1] === NL) {
      return col === ncol ? i + 1 : -1;
    } else return -1;
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes a line's bytes without its line ending (a CR right before the LF belongs to the ending). */
export function lineText(b: Uint8Array, start: number, nl: number): string {
  const end = nl > start && b[nl - 1] === CR ? nl - 1 : nl;
  return utf8.decode(b.subarray(start, end));
}

/** Parses data lines into chunks of at most `capacity` rows; one instance serves one pass. */
export class RowParser {
  /** Good rows before the current chunk, line number of the last line read, rows skipped as bad. */
  firstRow = 0;
  lineNo: number;
  skipped = 0;
  rows = 0;
  protected x: Float32Array;
  protected y: Float32Array;
  protected readonly d: number;

  constructor(readonly plan: CsvPlan, readonly capacity: number, firstLine = 1) {
    this.d = plan.features.length;
    this.lineNo = firstLine - 1;
    this.x = new Float32Array(capacity * this.d);
    this.y = new Float32Array(capacity);
  }

  /** True when the current chunk has no room left. */
  get full(): boolean {
    return this.rows === this.capacity;
  }

  /** Parses whole lines in b[start, end) (b[end − 1] is a line feed) until done or full; returns where it stopped. */
  parse(b: Uint8Array, start: number, end: number): number {
    const { roles, delim } = this.plan;
    const { d, x, y, capacity } = this;
    let r = this.rows;
    let i = start;
    let lineNo = this.lineNo;
    while (i < end && r < capacity) {
      lineNo++;
      const nl = fastLine(b, i, roles, delim, x, y, r, d);
      if (nl >= 0) {
        r++;
        i = nl + 1;
        continue;
      }
      const lf = b.indexOf(NL, i);
      if (this.slowLine(lineText(b, i, lf), lineNo, r)) r++;
      i = lf + 1;
    }
    this.rows = r;
    this.lineNo = lineNo;
    return i;
  }

  /** Reads a line with the exact rules; true when it produced row r (false for blank or skipped lines). */
  protected slowLine(text: string, lineNo: number, r: number): boolean {
    try {
      const v = readLineSlow(this.plan, text, lineNo, this.x, r * this.d);
      if (v === false) return false;
      this.y[r] = v;
      return true;
    } catch (e) {
      if (!skips(this.plan, e)) throw e;
      this.skipped++;
      this.plan.onSkip?.({ line: lineNo, before: this.firstRow + r, reason: (e as Error).message });
      return false;
    }
  }

  /** Hands out the rows parsed so far as a chunk and starts a new one. */
  take(): HostChunk {
    const { d, rows } = this;
    const full = rows === this.capacity;
    const chunk = {
      rows, firstRow: this.firstRow,
      x: full ? this.x : this.x.slice(0, rows * d),
      y: full ? this.y : this.y.slice(0, rows),
    };
    this.firstRow += rows;
    this.rows = 0;
    if (full) {
      this.x = new Float32Array(this.capacity * d);
      this.y = new Float32Array(this.capacity);
    }
    return chunk;
  }
}
