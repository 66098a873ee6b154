// Independent f64 references for the exact solver's tests (never downhill's code): least squares by Householder QR
// of the whole matrix (LAPACK dgels's method, unblocked), the singular values of a small matrix by one-sided Jacobi,
// and seeded problems with a chosen condition number.
import { Rng } from '../../src/core/rng';

/** Minimizes ‖A·β − y‖ for a dense column-major A (m × n, full column rank) by Householder QR; returns β. */
export function qrLeastSquares(a: Float64Array, y: Float64Array, m: number, n: number): Float64Array {
  const A = Float64Array.from(a);
  const b = Float64Array.from(y);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += A[j * m + i] ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[j * m + j] > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = j; i < m; i++) v[i] = A[j * m + i];
    v[j] -= alpha;
    let vv = 0;
    for (let i = j; i < m; i++) vv += v[i] * v[i];
    const apply = (col: Float64Array, at: number) => {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * col[at + i];
      s *= 2 / vv;
      for (let i = j; i < m; i++) col[at + i] -= s * v[i];
    };
    for (let c = j; c < n; c++) apply(A, c * m);
    apply(b, 0);
  }
  const beta = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let c = i + 1; c < n; c++) s -= A[c * m + i] * beta[c];
    beta[i] = s / A[i * m + i];
  }
  return beta;
}

/**
 * Least squares of y ≈ X·w (+ b) through qrLeastSquares, with the columns centered by their exact means first
 * when fitting a bias (the same problem; keeps the reference accurate when means dwarf spreads).
 */
export function referenceFit(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, d: number, bias: boolean): { w: Float64Array; b: number } {
  const mean = new Float64Array(d);
  let ym = 0;
  if (bias) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
      ym += y[r];
    }
    for (let j = 0; j < d; j++) mean[j] /= rows;
    ym /= rows;
  }
  const a = new Float64Array(rows * d);
  const yc = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) a[j * rows + r] = x[r * d + j] - mean[j];
    yc[r] = y[r] - ym;
  }
  const w = qrLeastSquares(a, yc, rows, d);
  let b = ym;
  for (let j = 0; j < d; j++) b -= mean[j] * w[j];
  return { w, b: bias ? b : 0 };
}

/** Singular values (descending) of a dense row-major m × n matrix (m ≥ n) by one-sided Jacobi. */
export function singularValues(a: ArrayLike<number>, m: number, n: number): number[] {
  const u = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => a[i * n + j]));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += u[p][i] ** 2;
          beta += u[q][i] ** 2;
          gamma += u[p][i] * u[q][i];
        }
        if (gamma === 0) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const up = u[p][i], uq = u[q][i];
          u[p][i] = c * up - s * uq;
          u[q][i] = s * up + c * uq;
        }
      }
    }
    if (off < 1e-15) break;
  }
  return u.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0))).sort((x, y) => y - x);
}

/** Condition number σ_max/σ_min of the design with columns centered (with a bias) and scaled to unit norm. */
export function standardizedCondition(x: ArrayLike<number>, rows: number, d: number, bias: boolean): number {
  const z = new Float64Array(rows * d);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    if (bias) for (let r = 0; r < rows; r++) mean += x[r * d + j] / rows;
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += (x[r * d + j] - mean) ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < rows; r++) z[r * d + j] = (x[r * d + j] - mean) / norm;
  }
  const s = singularValues(z, rows, d);
  return s[0] / s[d - 1];
}

/**
 * Rows × d features in f64 whose standardized design has condition number about κ: a seeded Gaussian Z
 * mixed by Q·diag(σ)·Qᵀ with σ log-spaced from 1 to 1/κ; y = X·w + b + noise. Returns x row-major.
 */
export function conditionedProblem(rows: number, d: number, kappa: number, o: { seed?: number; noise?: number; mean?: number; bias?: number } = {}) {
  const rng = new Rng(o.seed ?? 1);
  // A random orthogonal Q from Gram–Schmidt of a Gaussian matrix.
  const q: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (const u of q) {
      const dot = v.reduce((s, vi, i) => s + vi * u[i], 0);
      for (let i = 0; i < d; i++) v[i] -= dot * u[i];
    }
    const n = Math.hypot(...v);
    q.push(v.map((vi) => vi / n));
  }
  const sigma = Array.from({ length: d }, (_, j) => (d === 1 ? 1 : kappa ** (-j / (d - 1))));
  const mix = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) mix[i * d + k] += q[j][i] * sigma[j] * q[j][k];
  const w = Float64Array.from({ length: d }, () => rng.uniform(-2, 2));
  const b = o.bias ?? 0.5;
  const x = new Float64Array(rows * d);
  const y = new Float64Array(rows);
  const z = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < d; k++) z[k] = rng.normal();
    let t = b;
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += mix[i * d + k] * z[k];
      x[r * d + i] = v + (o.mean ?? 0);
      t += x[r * d + i] * w[i];
    }
    y[r] = t + (o.noise ?? 0.01) * rng.normal();
  }
  return { x, y, w, b };
}
