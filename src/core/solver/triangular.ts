// Dense upper-triangular algebra in f64 on a p × p factor R (AᵀA = RᵀR): rank decided column by column in order
// (R's lm / LINPACK dqrdc2 "limited pivoting": a column that adds almost nothing new is set aside, the others keep
// their order), the reduced triangular system, a 2-norm condition estimate, and a Cholesky factor of a Gram matrix.

/** A column set aside as (numerically) a combination of earlier kept columns. */
export interface Dependent {
  column: number;
  /** The kept columns (in order) it is a combination of, and the coefficients: col ≈ Σ coef·col_kept. */
  kept: number[];
  coef: Float64Array;
  /** Its residual norm after projection on the kept columns, relative to the threshold's reference norm. */
  residual: number;
}

/** The parameter columns of R reduced to full rank; the target is R's last column. */
export interface Reduced {
  kept: number[];
  dependent: Dependent[];
  /** k × k upper-triangular factor of the kept columns (row-major). */
  t: Float64Array;
  /** Qᵀy on the kept columns (length k). */
  rhs: Float64Array;
  /** Residual sum of squares of the least-squares fit on the kept columns. */
  rss: number;
}

/**
 * Processes the first p − 1 columns of R in order; column c is set aside when its residual after the kept
 * columns is ≤ threshold[c]. Householder reflections on rows k..c restore the triangle after a column is set aside.
 */
export function reduceColumns(r: Float64Array, p: number, threshold: ArrayLike<number>): Reduced {
  const w = Float64Array.from(r);
  const kept: number[] = [];
  const dependent: Dependent[] = [];
  const v = new Float64Array(p);
  for (let c = 0; c < p - 1; c++) {
    const k = kept.length;
    let s2 = 0;
    for (let i = k; i <= c; i++) s2 += w[i * p + c] ** 2;
    const s = Math.sqrt(s2);
    if (!(s > threshold[c])) {
      const coef = solveUpperPrefix(w, p, kept, (i) => w[i * p + c]);
      dependent.push({ column: c, kept: [...kept], coef, residual: s });
      continue;
    }
    if (c > k) {
      // Reflect rows k..c so that column c has one nonzero (row k); apply to the columns after it.
      const a = w[k * p + c];
      const alpha = a > 0 ? -s : s;
      v[k] = a - alpha;
      for (let i = k + 1; i <= c; i++) v[i] = w[i * p + c];
      const vv = v[k] * v[k] + (s2 - a * a);
      if (vv > 0) {
        const tau = 2 / vv;
        for (let col = c + 1; col < p; col++) {
          let dot = 0;
          for (let i = k; i <= c; i++) dot += v[i] * w[i * p + col];
          dot *= tau;
          for (let i = k; i <= c; i++) w[i * p + col] -= dot * v[i];
        }
      }
      w[k * p + c] = alpha;
      for (let i = k + 1; i <= c; i++) w[i * p + c] = 0;
    }
    kept.push(c);
  }
  const k = kept.length;
  const t = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) t[i * k + j] = w[i * p + kept[j]];
    rhs[i] = w[i * p + p - 1];
  }
  let rss = 0;
  for (let i = k; i < p; i++) rss += w[i * p + p - 1] ** 2;
  return { kept, dependent, t, rhs, rss };
}

/** Solves T·x = b for the k × k upper-triangular T formed by rows 0..k−1 and columns `cols` of a p-wide matrix. */
function solveUpperPrefix(w: Float64Array, p: number, cols: number[], b: (i: number) => number): Float64Array {
  const k = cols.length;
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = b(i);
    for (let j = i + 1; j < k; j++) s -= w[i * p + cols[j]] * x[j];
    x[i] = s / w[i * p + cols[i]];
  }
  return x;
}

/** x = T⁻¹·b for upper-triangular T (k × k, row-major). */
export function solveUpper(t: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < k; j++) s -= t[i * k + j] * x[j];
    x[i] = s / t[i * k + i];
  }
  return x;
}

/** x = T⁻ᵀ·b for upper-triangular T (k × k, row-major): forward substitution on Tᵀ. */
export function solveUpperT(t: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < k; i++) {
    let s = x[i];
    for (let j = 0; j < i; j++) s -= t[j * k + i] * x[j];
    x[i] = s / t[i * k + i];
  }
  return x;
}

/** ‖T·x‖² for upper-triangular T (k × k). */
export function normUpperSq(t: Float64Array, k: number, x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = i; j < k; j++) s += t[i * k + j] * x[j];
    sum += s * s;
  }
  return sum;
}

function normalize(x: Float64Array): number {
  let n = 0;
  for (const v of x) n += v * v;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < x.length; i++) x[i] /= n;
  return n;
}

/**
 * The 2-norm condition number σ_max/σ_min of an upper-triangular T, estimated by power iteration on TᵀT and
 * inverse iteration through two triangular solves (O(k²) per step). Each estimate is a lower bound on its σ ratio
 * from the start vector on; `iterations` steps bring it within a few per cent on all but clustered spectra.
 */
export function conditionEstimate(t: Float64Array, k: number, iterations = 40): number {
  if (k === 0) return 1;
  for (let i = 0; i < k; i++) if (t[i * k + i] === 0 || !Number.isFinite(t[i * k + i])) return Infinity;
  // A fixed, non-symmetric start: no sign pattern of a real problem is orthogonal to it by accident.
  const start = () => Float64Array.from({ length: k }, (_, i) => 1 + ((i * 0.6180339887) % 1));
  let x: Float64Array = start();
  normalize(x);
  let big = 0;
  for (let it = 0; it < iterations; it++) {
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = i; j < k; j++) s += t[i * k + j] * x[j];
      y[i] = s;
    }
    const z = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let j = i; j < k; j++) z[j] += t[i * k + j] * y[i];
    big = Math.sqrt(normalize(z));
    x = z;
  }
  x = start();
  normalize(x);
  let inv = 0;
  for (let it = 0; it < iterations; it++) {
    const z = solveUpper(t, k, solveUpperT(t, k, x));
    inv = Math.sqrt(normalize(z));
    x = z;
  }
  return big * inv;
}

/**
 * The upper Cholesky factor R of a symmetric positive semi-definite G (p × p, row-major, upper triangle read):
 * RᵀR = G. A pivot ≤ minPivot[c] (a column that is numerically a combination of earlier ones, at the Gram's
 * precision) leaves row c zero, so the column's residual reads as 0 in reduceColumns.
 */
export function choleskyUpper(g: Float64Array, p: number, minPivot: ArrayLike<number>): Float64Array {
  // Right-looking: each row of R is final once its pivot is taken; the trailing rows are updated row-wise.
  const a = Float64Array.from(g);
  const r = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    const d = a[i * p + i];
    if (!(d > minPivot[i])) continue;
    const rii = Math.sqrt(d);
    r[i * p + i] = rii;
    for (let j = i + 1; j < p; j++) r[i * p + j] = a[i * p + j] / rii;
    for (let j = i + 1; j < p; j++) {
      const f = r[i * p + j];
      if (f === 0) continue;
      for (let l = j; l < p; l++) a[j * p + l] -= f * r[i * p + l];
    }
  }
  return r;
}
