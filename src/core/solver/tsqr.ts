// The streamed QR factorization in f64 (TSQR, one flat chain): rows arrive in blocks and each block is merged into
// the running p × p upper-triangular R by Householder reflections of [R; block]. Then AᵀA = RᵀR without ever forming
// AᵀA, so the condition number is not squared (Golub & Van Loan §5.3; Demmel et al., "Communication-optimal parallel
// and sequential QR", 2012). Rows are buffered column-major so each reflection reads contiguous memory.

/** Rows per merged block (at least p, so the R rows add little to a merge). */
const BLOCK_ROWS = 256;

/** R of a stream of rows with p columns. */
export class TsqrFactor {
  /** Upper-triangular p × p, row-major; signs of the diagonal are arbitrary. */
  readonly r: Float64Array;
  /** Rows merged (and buffered). */
  rows = 0;
  private readonly buf: Float64Array;
  private readonly cap: number;
  private filled = 0;

  constructor(readonly p: number, blockRows = Math.max(BLOCK_ROWS, p)) {
    this.r = new Float64Array(p * p);
    this.cap = blockRows;
    this.buf = new Float64Array(blockRows * p);
  }

  /** A slot for one more row: write column c at `at + c·stride`, then call `commit`. */
  slot(): { at: number; stride: number } {
    if (this.filled === this.cap) this.flush();
    return { at: this.filled, stride: this.cap };
  }

  /** Counts the row just written through `slot`. */
  commit(): void {
    this.filled++;
    this.rows++;
  }

  /** Appends one row of p values. */
  addRow(row: ArrayLike<number>): void {
    const { at, stride } = this.slot();
    for (let c = 0; c < this.p; c++) this.buf[at + c * stride] = row[c];
    this.commit();
  }

  /** Writable buffer (column-major, leading dimension `stride`) for `slot`. */
  get buffer(): Float64Array {
    return this.buf;
  }

  /** Merges buffered rows into R. */
  flush(): void {
    if (this.filled > 0) mergeBlock(this.r, this.p, this.buf, this.cap, this.filled);
    this.filled = 0;
  }

  /** Merges another factor's R (e.g. a worker's or a GPU partial's) into this one. */
  mergeR(other: Float64Array): void {
    const { p } = this;
    for (let i = 0; i < p; i++) {
      const { at, stride } = this.slot();
      for (let c = 0; c < p; c++) this.buf[at + c * stride] = c >= i ? other[i * p + c] : 0;
      this.filled++;
    }
  }

  /** R after every row so far. */
  factor(): Float64Array {
    this.flush();
    return this.r;
  }
}

/**
 * Triangularizes [R; B] in place: R (p × p upper, row-major) receives the new R, B (m rows, column-major with
 * leading dimension ld) is consumed. Column j's reflection acts on R's row j and B's m rows only, since R is
 * already upper triangular: 2·m·p² flops per block.
 */
export function mergeBlock(r: Float64Array, p: number, b: Float64Array, ld: number, m: number): void {
  for (let j = 0; j < p; j++) {
    const bj = j * ld;
    let sigma = 0;
    for (let i = 0; i < m; i++) sigma += b[bj + i] * b[bj + i];
    if (sigma === 0) continue;
    const rjj = r[j * p + j];
    const norm = Math.sqrt(rjj * rjj + sigma);
    const alpha = rjj > 0 ? -norm : norm;
    const v0 = rjj - alpha;
    // H = I − τ·v·vᵀ with v = (v0, b_j), τ = 2 / vᵀv.
    const tau = 2 / (v0 * v0 + sigma);
    for (let c = j + 1; c < p; c++) {
      const bc = c * ld;
      let s = v0 * r[j * p + c];
      for (let i = 0; i < m; i++) s += b[bj + i] * b[bc + i];
      s *= tau;
      if (s === 0) continue;
      r[j * p + c] -= s * v0;
      for (let i = 0; i < m; i++) b[bc + i] -= s * b[bj + i];
    }
    r[j * p + j] = alpha;
    for (let i = 0; i < m; i++) b[bj + i] = 0;
  }
}

/**
 * Stacks rows √λ_j·e_j (for λ_j > 0) under the upper-triangular R and re-triangularizes by Givens rotations:
 * the R of [A; diag(√λ)], i.e. RᵀR + diag(λ). Returns a new matrix; R is unchanged.
 */
export function addDiagonal(r: Float64Array, p: number, lambda: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(r);
  const row = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (!(lambda[j] > 0)) continue;
    row.fill(0);
    row[j] = Math.sqrt(lambda[j]);
    for (let c = j; c < p; c++) {
      const t = row[c];
      if (t === 0) continue;
      const a = out[c * p + c];
      const h = Math.hypot(a, t);
      const cs = a / h;
      const sn = t / h;
      out[c * p + c] = h;
      row[c] = 0;
      for (let k = c + 1; k < p; k++) {
        const u = out[c * p + k];
        const w = row[k];
        out[c * p + k] = cs * u + sn * w;
        row[k] = cs * w - sn * u;
      }
    }
  }
  return out;
}

/** R·T for upper-triangular R and T (p × p, row-major): upper triangular again. */
export function multiplyUpper(r: Float64Array, t: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let k = i; k < p; k++) {
      const a = r[i * p + k];
      if (a === 0) continue;
      for (let c = k; c < p; c++) out[i * p + c] += a * t[k * p + c];
    }
  }
  return out;
}
