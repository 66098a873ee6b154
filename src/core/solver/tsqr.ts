// The streamed QR factorization in f64 (TSQR, one flat chain): rows arrive in blocks and each block is merged into
// the running p × p upper-triangular R by Householder reflections of [R; block]. Then AᵀA = RᵀR without ever forming
// AᵀA, so the condition number is not squared (Golub & Van Loan §5.3; Demmel et al., "Communication-optimal parallel
// and sequential QR", 2012). Rows are buffered column-major so each reflection reads contiguous memory.

/** Rows per merged block (at least p, so the R rows add little to a merge). */
const BLOCK_ROWS = 256;

/** Levels of the merge tree (2^40 blocks: unbounded in practice); a stream of M blocks holds ≤ log2(M) factors. */
export const TREE_LEVELS = 40;

/**
 * R of a stream of rows with p columns. Blocks are factored alone and merged pairwise like a binary counter (a
 * tree, as in TSQR), so a row's rounding passes through O(log N) merges instead of one per later block: the error
 * stays flat as N grows (the factors held grow as log2 of the blocks: 14 for 10M rows of 256-row blocks).
 */
export class TsqrFactor {
  /** Rows merged (and buffered). */
  rows = 0;
  private readonly buf: Float64Array;
  private readonly cap: number;
  private filled = 0;
  private readonly levels: (Float64Array | null)[] = [];
  private top: Float64Array | null = null;

  constructor(readonly p: number, blockRows = Math.max(BLOCK_ROWS, p)) {
    this.cap = blockRows;
    this.buf = new Float64Array(blockRows * p);
  }

  /** A slot for one more row: write column c at `buffer[at + c·stride]`, then call `commit`. */
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

  /** Factors the buffered rows and carries the result up the tree. */
  flush(): void {
    if (this.filled === 0) return;
    const { p } = this;
    let r: Float64Array = new Float64Array(p * p);
    mergeBlock(r, p, this.buf, this.cap, this.filled);
    this.filled = 0;
    for (let l = 0; ; l++) {
      if (l === TREE_LEVELS) {
        this.top = this.top ? mergeTriangular(this.top, r, p) : r;
        return;
      }
      const have = this.levels[l];
      if (!have) {
        this.levels[l] = r;
        return;
      }
      r = mergeTriangular(have, r, p);
      this.levels[l] = null;
    }
  }

  /** R after every row so far (the tree folded, smallest levels first; the factor itself is unchanged). */
  factor(): Float64Array {
    this.flush();
    const { p } = this;
    let acc: Float64Array | null = null;
    for (const r of [...this.levels, this.top]) if (r) acc = acc ? mergeTriangular(Float64Array.from(r), acc, p) : Float64Array.from(r);
    return acc ?? new Float64Array(p * p);
  }
}

/** R of [A; B] for upper-triangular A and B (p × p, row-major); A receives it. 2p³/3 flops. */
export function mergeTriangular(a: Float64Array, b: Float64Array, p: number): Float64Array {
  // B's rows 0..j hold column j's entries below A's row j: reflect them into A[j][j].
  const v = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let sigma = 0;
    for (let i = 0; i <= j; i++) sigma += b[i * p + j] ** 2;
    if (sigma === 0) continue;
    const ajj = a[j * p + j];
    const norm = Math.sqrt(ajj * ajj + sigma);
    const alpha = ajj > 0 ? -norm : norm;
    const v0 = ajj - alpha;
    for (let i = 0; i <= j; i++) v[i] = b[i * p + j];
    const tau = 2 / (v0 * v0 + sigma);
    for (let c = j + 1; c < p; c++) {
      let s = v0 * a[j * p + c];
      for (let i = 0; i <= j; i++) s += v[i] * b[i * p + c];
      s *= tau;
      if (s === 0) continue;
      a[j * p + c] -= s * v0;
      for (let i = 0; i <= j; i++) b[i * p + c] -= s * v[i];
    }
    a[j * p + j] = alpha;
    for (let i = 0; i <= j; i++) b[i * p + j] = 0;
  }
  return a;
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
