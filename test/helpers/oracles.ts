// Independent f64 solutions of penalized objectives, computed in the tests (never by downhill's code): ridge by
// its closed form, lasso by coordinate descent, L2-penalized logistic regression by Newton's method, the Huber
// M-estimate and median (L1) regression by iteratively reweighted least squares. Each minimizes exactly the
// objective downhill trains: mean loss + l2/2·‖w‖² + l1·‖w‖₁, the bias unpenalized.

/** Rows × d row-major features and targets, in f64. */
export interface Problem {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  d: number;
}

/** Solves the symmetric positive definite system A·v = b (n × n) by Gaussian elimination with pivoting. */
export function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const v = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let piv = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(m[r * n + i]) > Math.abs(m[piv * n + i])) piv = r;
    if (piv !== i) {
      for (let c = 0; c < n; c++) [m[i * n + c], m[piv * n + c]] = [m[piv * n + c], m[i * n + c]];
      [v[i], v[piv]] = [v[piv], v[i]];
    }
    for (let r = i + 1; r < n; r++) {
      const f = m[r * n + i] / m[i * n + i];
      for (let c = i; c < n; c++) m[r * n + c] -= f * m[i * n + c];
      v[r] -= f * v[i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i];
    for (let c = i + 1; c < n; c++) s -= m[i * n + c] * v[c];
    v[i] = s / m[i * n + i];
  }
  return v;
}

/** Weighted least squares with an unpenalized bias and ridge term `ridge`·I on the weights: minimizes Σ s_i (x_i·w + b − y_i)² + ridge·‖w‖². */
export function weightedLeastSquares(p: Problem, s: ArrayLike<number>, ridge = 0): { w: Float64Array; b: number } {
  const n = p.d + 1;
  const a = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const row = new Float64Array(n);
  for (let i = 0; i < p.rows; i++) {
    for (let j = 0; j < p.d; j++) row[j] = p.x[i * p.d + j];
    row[p.d] = 1;
    for (let r = 0; r < n; r++) {
      rhs[r] += s[i] * row[r] * p.y[i];
      for (let c = 0; c < n; c++) a[r * n + c] += s[i] * row[r] * row[c];
    }
  }
  for (let j = 0; j < p.d; j++) a[j * n + j] += ridge;
  const v = solve(a, rhs, n);
  return { w: v.subarray(0, p.d), b: v[p.d] };
}

/** Least squares through the origin (no bias): solves XᵀX·w = Xᵀy. */
export function leastSquaresNoBias(p: Problem): Float64Array {
  const { x, y, rows: n, d } = p;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < d; r++) {
      b[r] += x[i * d + r] * y[i];
      for (let c = 0; c < d; c++) a[r * d + c] += x[i * d + r] * x[i * d + c];
    }
  }
  return solve(a, b, d);
}

/** Ridge: minimizes mean (x·w + b − y)² + α/2·‖w‖², i.e. (XᵀX + nα/2·I) on centered data. */
export function ridge(p: Problem, alpha: number): { w: Float64Array; b: number } {
  return weightedLeastSquares(p, new Float64Array(p.rows).fill(1), (p.rows * alpha) / 2);
}

/** Lasso by cyclic coordinate descent: minimizes mean (x·w + b − y)² + α·‖w‖₁. */
export function lasso(p: Problem, alpha: number, sweeps = 5000): { w: Float64Array; b: number } {
  const { x, y, rows: n, d } = p;
  const w = new Float64Array(d);
  let b = y.reduce((a, v) => a + v, 0) / n;
  const r = Float64Array.from(y, (v) => v - b); // residual y − Xw − b
  const norm2 = Float64Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j] ** 2;
    return s;
  });
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let change = 0;
    for (let j = 0; j < d; j++) {
      let rho = 0;
      for (let i = 0; i < n; i++) rho += x[i * d + j] * (r[i] + x[i * d + j] * w[j]);
      const c = (2 / n) * rho;
      const next = (Math.sign(c) * Math.max(Math.abs(c) - alpha, 0)) / ((2 / n) * norm2[j]);
      const delta = next - w[j];
      if (delta !== 0) for (let i = 0; i < n; i++) r[i] -= delta * x[i * d + j];
      w[j] = next;
      change = Math.max(change, Math.abs(delta));
    }
    const shift = r.reduce((a, v) => a + v, 0) / n;
    b += shift;
    for (let i = 0; i < n; i++) r[i] -= shift;
    if (change < 1e-13 && Math.abs(shift) < 1e-13) break;
  }
  return { w, b };
}

/** L2-penalized logistic regression (targets 0/1) by Newton's method: mean log(1 + e^(−s·z)) + α/2·‖w‖². */
export function logisticNewton(p: Problem, alpha: number, iterations = 50): { w: Float64Array; b: number } {
  const { x, y, rows: n, d } = p;
  const k = d + 1;
  const beta = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    const g = new Float64Array(k);
    const hess = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      let z = beta[d];
      for (let j = 0; j < d; j++) z += x[i * d + j] * beta[j];
      const q = 1 / (1 + Math.exp(-z));
      const row = (j: number) => (j === d ? 1 : x[i * d + j]);
      for (let r = 0; r < k; r++) {
        g[r] += ((q - y[i]) * row(r)) / n;
        for (let c = 0; c < k; c++) hess[r * k + c] += (q * (1 - q) * row(r) * row(c)) / n;
      }
    }
    for (let j = 0; j < d; j++) {
      g[j] += alpha * beta[j];
      hess[j * k + j] += alpha;
    }
    const step = solve(hess, g, k);
    for (let j = 0; j < k; j++) beta[j] -= step[j];
    if (Math.max(...step.map(Math.abs)) < 1e-14) break;
  }
  return { w: beta.subarray(0, d), b: beta[d] };
}

/** IRLS for an M-estimate: weights(e) per residual, repeated weighted least squares from the OLS fit. */
function irls(p: Problem, weight: (e: number) => number, iterations: number): { w: Float64Array; b: number } {
  let fit = weightedLeastSquares(p, new Float64Array(p.rows).fill(1));
  for (let it = 0; it < iterations; it++) {
    const s = new Float64Array(p.rows);
    for (let i = 0; i < p.rows; i++) {
      let z = fit.b;
      for (let j = 0; j < p.d; j++) z += p.x[i * p.d + j] * fit.w[j];
      s[i] = weight(z - p.y[i]);
    }
    fit = weightedLeastSquares(p, s);
  }
  return fit;
}

/** The Huber M-estimate with threshold δ (minimizer of Σ ρ_δ(x·w + b − y)). */
export function huberIrls(p: Problem, delta: number): { w: Float64Array; b: number } {
  return irls(p, (e) => (Math.abs(e) <= delta ? 1 : delta / Math.abs(e)), 200);
}

/** Median (L1, quantile 0.5) regression by IRLS with weights 1 / max(|e|, 1e−9). */
export function medianRegression(p: Problem): { w: Float64Array; b: number } {
  return irls(p, (e) => 1 / Math.max(Math.abs(e), 1e-9), 500);
}

/** A problem's rows as f64 from a dataset's float32 chunks. */
export function problemOf(ds: { rows: number; features: readonly string[]; chunks: { rows: number; x: Float32Array; y: Float32Array }[] }): Problem {
  const d = ds.features.length;
  const x = new Float64Array(ds.rows * d);
  const y = new Float64Array(ds.rows);
  let at = 0;
  for (const c of ds.chunks) {
    x.set(c.x.subarray(0, c.rows * d), at * d);
    y.set(c.y.subarray(0, c.rows), at);
    at += c.rows;
  }
  return { x, y, rows: ds.rows, d };
}
