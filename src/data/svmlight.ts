// The svmlight / libsvm text format as a DataSource: one row per line, `label idx:value idx:value … # comment`,
// indices 1-based by default (scikit-learn's load_svmlight_file; zeroBased for files counting from 0), strictly
// increasing in a line. `qid:` tokens (ranking groups) are ignored and counted. The rows have no dense block: every
// feature is in the sparse block (HostChunk.sparse, valued CSR), whose width is the largest index + 1 found by the
// first pass (or a model's width). Errors name the file, the line and the token. No Node imports.
import { CsrBuilder } from '../core/csr';
import type { HostChunk } from '../core/dataset';
import type { Encoding, SparseSchema } from '../core/encoding';
import { chunkRows } from './blocks';
import { DataError, quoteValue } from './csv';
import { scanNumberAt, scannedValue } from './csv_fast';
import { regions, textChunks, type ByteStream } from './csv_stream';
import type { DataSource, ReadOptions } from './source';
import { isF32 } from './values';

/** How to read an svmlight file. */
export interface SvmlightOptions {
  /** Indices count from 0 (default: from 1). */
  zeroBased?: boolean;
  /** The sparse block's width when it is fixed (a model's): a larger index is an error. */
  width?: number;
  /** The target's name (default "y"). */
  target?: string;
}

/** File extensions read as svmlight. */
export const SVMLIGHT_EXTS = ['.svm', '.svmlight', '.libsvm'];

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const isSpace = (c: number) => c === SP || c === TAB || c === CR;

/** Whether a file's first text looks like svmlight: its first data line is `number idx:value …` with one pair at least. */
export function looksLikeSvmlight(text: string): boolean {
  const line = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).find((l) => l !== '');
  return line !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(\s+qid:\d+)?(\s+\d+:\S+)+$/.test(line);
}

/** Parses lines into rows: labels and a valued CSR block, checking every token. */
class SvmlightParser {
  readonly csr = new CsrBuilder(true, 4096, 65536);
  y = new Float32Array(4096);
  /** Lines seen (the current line's number is line + 1 while parsing it). */
  line = 0;
  maxIndex = -1;
  qids = 0;

  constructor(private readonly file: string, private readonly base: number, private readonly width: number) {}

  private fail(token: string, why: string): never {
    throw new DataError(this.file, this.line, null, `token ${quoteValue(token)}: ${why}`);
  }

  private text(b: Uint8Array, i: number, end: number): string {
    let j = i;
    while (j < end && !isSpace(b[j])) j++;
    return new TextDecoder().decode(b.subarray(i, j));
  }

  /** Parses the line b[i, nl); returns false for a blank or comment-only line. */
  parse(b: Uint8Array, i: number, nl: number): boolean {
    this.line++;
    let end = b.indexOf(HASH, i);
    if (end < 0 || end > nl) end = nl;
    while (i < end && isSpace(b[i])) i++;
    while (end > i && isSpace(b[end - 1])) end--;
    if (i === end) return false;
    const j = scanNumberAt(b, i);
    const label = scannedValue();
    if (j < 0 || (j < end && !isSpace(b[j]) && b[j - 1] !== SP) || !isF32(label)) this.fail(this.text(b, i, end), 'expected a number (the label)');
    i = j;
    let last = -1;
    const csr = this.csr;
    for (let k = 0; ; k++) {
      while (i < end && isSpace(b[i])) i++;
      if (i >= end) break;
      const t0 = i;
      if (k === 0 && b[i] === 113 && b[i + 1] === 105 && b[i + 2] === 100 && b[i + 3] === COLON) {
        this.qids++;
        while (i < end && !isSpace(b[i])) i++;
        continue;
      }
      if (b[i] === 45) this.fail(this.text(b, t0, end), 'negative index; expected idx:value with idx ≥ ' + this.base);
      let idx = 0;
      while (i < end && b[i] >= 48 && b[i] <= 57) idx = idx * 10 + (b[i++] - 48);
      if (i === t0 || b[i] !== COLON || idx > 2 ** 31) this.fail(this.text(b, t0, end), 'expected idx:value (a whole index, a colon, a number)');
      const v = scanNumberAt(b, i + 1);
      if (v < 0 || (v < end && !isSpace(b[v]) && b[v - 1] !== SP) || !isF32(scannedValue())) {
        this.fail(this.text(b, t0, end), 'expected idx:value with a finite float32 number as the value');
      }
      i = v;
      if (idx < this.base) this.fail(this.text(b, t0, end), 'index 0 under 1-based indexing (the default, as scikit-learn); give --zero-based for a file that counts from 0');
      const col = idx - this.base;
      if (col <= last) this.fail(this.text(b, t0, end), col === last ? `repeated index ${idx}` : `unsorted indices: ${idx} after ${last + this.base}; indices must increase along a line`);
      if (col >= this.width) this.fail(this.text(b, t0, end), `index ${idx} is beyond the model's ${this.width} features`);
      last = col;
      csr.push(col, scannedValue());
    }
    if (last > this.maxIndex) this.maxIndex = last;
    if (csr.rows >= this.y.length) {
      const y = new Float32Array(2 * this.y.length);
      y.set(this.y);
      this.y = y;
    }
    this.y[csr.rows] = label;
    csr.endRow();
    return true;
  }

  /** The rows parsed since the last take, as a chunk starting at row `firstRow`. */
  take(firstRow: number): HostChunk {
    const rows = this.csr.rows;
    const y = this.y.slice(0, rows);
    return { rows, x: new Float32Array(0), y, firstRow, sparse: this.csr.take() };
  }
}

/** Facts of a complete pass. */
interface PassFacts {
  rows: number;
  nnz: number;
  maxIndex: number;
  qids: number;
}

/** One pass over an svmlight byte stream, in chunks of at most maxRows rows. */
async function* svmlightPass(
  file: string, open: () => ByteStream, o: SvmlightOptions, opts: ReadOptions, done: (f: PassFacts) => void,
): AsyncGenerator<HostChunk> {
  const max = chunkRows(opts, 64);
  const p = new SvmlightParser(file, o.zeroBased ? 0 : 1, o.width ?? 2 ** 31);
  let rows = 0;
  let nnz = 0;
  for await (const [b, start, end] of regions(textChunks(file, open()), opts.signal)) {
    for (let i = start; i < end; ) {
      const nl = b.indexOf(NL, i);
      p.parse(b, i, nl);
      i = nl + 1;
      if (p.csr.rows === max) {
        nnz += p.csr.n;
        const c = p.take(rows);
        rows += c.rows;
        yield c;
      }
    }
  }
  if (p.csr.rows > 0) {
    nnz += p.csr.n;
    const c = p.take(rows);
    rows += c.rows;
    yield c;
  }
  if (rows === 0) throw new DataError(file, null, null, 'no data lines; expected lines of "label index:value …" (svmlight/libsvm format)');
  done({ rows, nnz, maxIndex: p.maxIndex, qids: p.qids });
}

/** An svmlight file as a source of sparse rows; open it with svmlightSourceFromStream (its first pass sizes it). */
export class SvmlightSource implements DataSource {
  readonly features: readonly string[] = [];
  readonly target: string;
  readonly sparse: SparseSchema;
  /** Lines whose qid: token was ignored. */
  readonly qids: number;

  constructor(readonly description: string, private readonly open: () => ByteStream, private readonly o: SvmlightOptions, readonly rows: number, facts: PassFacts) {
    this.target = o.target ?? 'y';
    const width = o.width ?? facts.maxIndex + 1;
    const encoding: Encoding = { format: 'svmlight', categorical: [], crosses: [], hash: null, base: o.zeroBased ? 0 : 1, width: Math.max(1, width) };
    this.sparse = { width: encoding.width, encoding, nnzPerRow: facts.nnz / Math.max(1, facts.rows) };
    this.qids = facts.qids;
  }

  read(opts: ReadOptions = {}): AsyncIterable<HostChunk> {
    return svmlightPass(this.description, this.open, { ...this.o, width: this.sparse.width }, opts, () => undefined);
  }

  /** The message for ignored qid: tokens, or null. */
  get note(): string | null {
    return this.qids ? `${this.description}: ignored the qid: (query id) token of ${this.qids} line(s); rows are trained on as independent rows` : null;
  }
}

/** Opens an svmlight byte stream: a first pass checks every line and finds the rows and the width. */
export async function svmlightSourceFromStream(name: string, open: () => ByteStream, o: SvmlightOptions = {}): Promise<SvmlightSource> {
  let facts: PassFacts | null = null;
  for await (const c of svmlightPass(name, open, o, { maxRows: 65536 }, (f) => (facts = f))) void c;
  const f = facts as PassFacts | null;
  if (!f) throw new Error(`${name}: the first pass did not finish`);
  return new SvmlightSource(name, open, o, f.rows, f);
}
