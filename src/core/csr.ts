// Sparse rows in compressed sparse row form (CSR), beside a chunk's dense block: row r's entries are
// idx/val[ptr[r], ptr[r + 1]). Indices count from the start of the sparse block (the model's weights D_dense + idx).
// Indicator rows keep no values (val null): every value is +1, or −1 where an index has its top bit set (a hashed
// feature's sign, scikit-learn's alternate_sign), so one-hot and hashed rows take 4 bytes an entry. Pure functions.

/** A block of sparse rows: ptr has rows + 1 offsets from 0; val null means ±1 indicators (sign in idx's bit 31). */
export interface Csr {
  ptr: Uint32Array;
  idx: Uint32Array;
  val: Float32Array | null;
}

/** The top bit of an indicator index: the entry's value is −1. */
export const NEG = 0x80000000;
/** The index bits of an entry (the sign bit cleared). */
export const INDEX_MASK = 0x7fffffff;
/** The widest sparse block an index can address. */
export const MAX_WIDTH = 2 ** 31;

/** Entries of a block. */
export const nnzOf = (c: Csr): number => c.ptr[c.ptr.length - 1] - c.ptr[0];

/** Column and value of entry e: [index, value]. */
export function entry(c: Csr, e: number): [number, number] {
  const i = c.idx[e];
  if (c.val) return [i, c.val[e]];
  return [i & INDEX_MASK, i & NEG ? -1 : 1];
}

/** An empty block of `rows` rows. */
export function emptyCsr(rows: number, indicator = true): Csr {
  return { ptr: new Uint32Array(rows + 1), idx: new Uint32Array(0), val: indicator ? null : new Float32Array(0) };
}

/** Rows [start, start + count) as a block of their own (ptr rebased from 0; idx and val are views). */
export function sliceCsr(c: Csr, start: number, count: number): Csr {
  const a = c.ptr[start];
  const b = c.ptr[start + count];
  const ptr = new Uint32Array(count + 1);
  for (let r = 0; r <= count; r++) ptr[r] = c.ptr[start + r] - a;
  return { ptr, idx: c.idx.subarray(a, b), val: c.val ? c.val.subarray(a, b) : null };
}

/** The rows named by `rows` (in that order) as a new block. */
export function selectCsr(c: Csr, rows: ArrayLike<number>): Csr {
  const ptr = new Uint32Array(rows.length + 1);
  for (let k = 0; k < rows.length; k++) ptr[k + 1] = ptr[k] + c.ptr[rows[k] + 1] - c.ptr[rows[k]];
  const n = ptr[rows.length];
  const idx = new Uint32Array(n);
  const val = c.val ? new Float32Array(n) : null;
  for (let k = 0; k < rows.length; k++) {
    const a = c.ptr[rows[k]];
    const b = c.ptr[rows[k] + 1];
    idx.set(c.idx.subarray(a, b), ptr[k]);
    if (val) val.set(c.val!.subarray(a, b), ptr[k]);
  }
  return { ptr, idx, val };
}

/** Blocks one after another as one block (all indicator, or all valued: a valued result when any has values). */
export function concatCsr(parts: readonly Csr[]): Csr {
  const rows = parts.reduce((s, p) => s + p.ptr.length - 1, 0);
  const n = parts.reduce((s, p) => s + nnzOf(p), 0);
  const valued = parts.some((p) => p.val !== null);
  const ptr = new Uint32Array(rows + 1);
  const idx = new Uint32Array(n);
  const val = valued ? new Float32Array(n) : null;
  let r = 0;
  let e = 0;
  for (const p of parts) {
    const m = p.ptr.length - 1;
    const a = p.ptr[0];
    for (let i = 1; i <= m; i++) ptr[r + i] = e + p.ptr[i] - a;
    const k = nnzOf(p);
    if (valued && !p.val) {
      for (let i = 0; i < k; i++) {
        const [j, v] = entry(p, a + i);
        idx[e + i] = j;
        val![e + i] = v;
      }
    } else {
      idx.set(p.idx.subarray(a, a + k), e);
      if (val) val.set(p.val!.subarray(a, a + k), e);
    }
    r += m;
    e += k;
  }
  return { ptr, idx, val };
}

/** Values per entry (expanding indicators to ±1): the valued form of a block. */
export function valuedCsr(c: Csr): Csr {
  if (c.val) return c;
  const n = c.idx.length;
  const idx = new Uint32Array(n);
  const val = new Float32Array(n);
  for (let e = 0; e < n; e++) [idx[e], val[e]] = entry(c, e);
  return { ptr: c.ptr, idx, val };
}

/** The dense expansion of a block: rows × width values (repeated indices add up), for tests and small data. */
export function denseOf(c: Csr, width: number): Float32Array {
  const rows = c.ptr.length - 1;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let e = c.ptr[r]; e < c.ptr[r + 1]; e++) {
      const [j, v] = entry(c, e);
      out[r * width + j] += v;
    }
  }
  return out;
}

/** Builds a block row by row: push entries (or write at `idx[n…]` after reserve), then endRow; take() hands it over. */
export class CsrBuilder {
  private ptrs: Uint32Array;
  idx: Uint32Array;
  val: Float32Array | null;
  /** Entries so far. */
  n = 0;
  rows = 0;

  constructor(readonly valued: boolean, rowsHint = 1024, nnzHint = 8 * rowsHint) {
    this.ptrs = new Uint32Array(rowsHint + 1);
    this.idx = new Uint32Array(Math.max(16, nnzHint));
    this.val = valued ? new Float32Array(this.idx.length) : null;
  }

  /** Room for k more entries. */
  reserve(k: number): void {
    if (this.n + k <= this.idx.length) return;
    const size = Math.max(this.n + k, 2 * this.idx.length);
    const idx = new Uint32Array(size);
    idx.set(this.idx.subarray(0, this.n));
    this.idx = idx;
    if (this.val) {
      const val = new Float32Array(size);
      val.set(this.val.subarray(0, this.n));
      this.val = val;
    }
  }

  push(i: number, v = 1): void {
    this.reserve(1);
    this.idx[this.n] = i;
    if (this.val) this.val[this.n] = v;
    this.n++;
  }

  /** Ends the current row (its entries are those pushed since the last endRow). */
  endRow(): void {
    if (this.rows + 2 > this.ptrs.length) {
      const ptrs = new Uint32Array(2 * this.ptrs.length);
      ptrs.set(this.ptrs);
      this.ptrs = ptrs;
    }
    this.ptrs[++this.rows] = this.n;
  }

  /** Drops the entries pushed since the last endRow (a row found bad). */
  dropRow(): void {
    this.n = this.ptrs[this.rows];
  }

  /** The rows built so far as a block of their own; the builder starts over. */
  take(): Csr {
    const out: Csr = {
      ptr: this.ptrs.slice(0, this.rows + 1), idx: this.idx.slice(0, this.n), val: this.val ? this.val.slice(0, this.n) : null,
    };
    this.rows = 0;
    this.n = 0;
    return out;
  }
}

/** Why a block is not CSR of `rows` rows with indices below `width` (finite values), or null when it is. */
export function csrProblem(c: Csr | undefined, rows: number, width: number): string | null {
  if (!c || !(c.ptr instanceof Uint32Array) || !(c.idx instanceof Uint32Array) || !(c.val === null || c.val instanceof Float32Array)) {
    return 'is missing: expected { ptr: Uint32Array, idx: Uint32Array, val: Float32Array | null }';
  }
  if (c.ptr.length !== rows + 1) return `has ${c.ptr.length} row offsets for ${rows} rows; expected ${rows + 1}`;
  if (c.ptr[0] !== 0 || c.ptr[rows] !== c.idx.length || (c.val && c.val.length !== c.idx.length)) return 'offsets do not span its indices and values from 0';
  for (let r = 0; r < rows; r++) if (c.ptr[r + 1] < c.ptr[r]) return `row offsets decrease at row ${r + 1}`;
  for (let e = 0; e < c.idx.length; e++) {
    const j = c.val ? c.idx[e] : c.idx[e] & INDEX_MASK;
    if (j >= width) return `index ${j} (entry ${e + 1}) is outside the sparse width ${width}`;
    if (c.val && !Number.isFinite(c.val[e])) return `value ${c.val[e]} (entry ${e + 1}) is not finite`;
  }
  return null;
}
