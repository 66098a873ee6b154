// Exact (ridge) least squares from one streamed pass, in f64. Rows enter a TSQR factor as the columns
// [1, x − μ₀, y − ȳ₀] (μ₀, ȳ₀: the first chunk's means, a first estimate that keeps columns with a large mean and a
// small spread from losing their digits; the intercept column absorbs the shift exactly). Everything after the pass
// works on the p × p factor R alone: the rank (collinear columns named), the condition number of the standardized
// design, the solution, the objective at any parameters (the optimality gap) and the Newton preconditioner.
import type { ModelParams, Standardization } from '../model';
import { choleskyUpper, conditionEstimate, reduceColumns, solveUpper, type Dependent, type Reduced } from './triangular';
import { addDiagonal, TsqrFactor } from './tsqr';

/** What the stored values keep: float32 (4 ulps of it decide rank) or float64. */
export type Precision = 'f32' | 'f64';

/** Relative residual below which a column counts as a combination of earlier ones, by data precision. */
export const RANK_TOL: Record<Precision, number> = { f32: 4 * 2 ** -24, f64: 1e-12 };

/** The pass's result: R of the shifted columns and what it was computed from. */
export interface Factor {
  d: number;
  bias: boolean;
  /** Columns: intercept (when bias), d features, target. */
  p: number;
  rows: number;
  r: Float64Array;
  shift: Float64Array;
  yShift: number;
  /** Relative precision of R's columns (sets the rank threshold). */
  tol: number;
  /** How R was computed. */
  method: 'qr' | 'gram';
  /** Why a faster method was not used, when one was tried. */
  note?: string;
}

/** Accumulates the R factor of streamed rows (row-major x, rows × d, f32 or f64; y). */
export class LeastSquaresStream {
  readonly p: number;
  private readonly qr: TsqrFactor;
  private shift: Float64Array | null = null;
  private yShift = 0;
  precision: Precision = 'f64';

  /** `shift`: the columns' shift, when it must be the same as elsewhere (ranks merging their factors); else the first chunk's means. */
  constructor(readonly d: number, readonly bias: boolean, shift?: { x: Float64Array; y: number }) {
    this.p = d + (bias ? 1 : 0) + 1;
    this.qr = new TsqrFactor(this.p);
    if (shift) [this.shift, this.yShift] = [Float64Array.from(shift.x), shift.y];
  }

  get rows(): number {
    return this.qr.rows;
  }

  /** Adds `rows` rows. */
  add(x: ArrayLike<number>, y: ArrayLike<number>, rows: number): void {
    if (rows === 0) return;
    if (!(x instanceof Float64Array)) this.precision = 'f32';
    const { d, bias, qr } = this;
    if (!this.shift) [this.shift, this.yShift] = bias ? firstMeans(x, y, rows, d) : [new Float64Array(d), 0];
    const mu = this.shift;
    const ys = this.yShift;
    const buf = qr.buffer;
    const o = bias ? 1 : 0;
    for (let r = 0; r < rows; r++) {
      const { at, stride } = qr.slot();
      if (bias) buf[at] = 1;
      for (let j = 0; j < d; j++) buf[at + (j + o) * stride] = x[r * d + j] - mu[j];
      buf[at + (d + o) * stride] = y[r] - ys;
      qr.commit();
    }
  }

  /** The factor of every row added. */
  factor(): Factor {
    const { d, bias, p } = this;
    return {
      d, bias, p, rows: this.rows, r: Float64Array.from(this.qr.factor()), shift: this.shift ?? new Float64Array(d),
      yShift: this.yShift, tol: RANK_TOL[this.precision], method: 'qr',
    };
  }
}

/** The column means of one chunk, in f64: the shift estimate. */
export function firstMeans(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, d: number): [Float64Array, number] {
  const mu = new Float64Array(d);
  let ys = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) mu[j] += x[r * d + j];
    ys += y[r];
  }
  for (let j = 0; j < d; j++) mu[j] /= rows;
  return [mu, ys / rows];
}

/** The solver's Gram of columns [1, x (d), y] (without the 1 when no bias) from a Gram of columns (x (d), y, 1). */
export function solverGram(g: Float64Array, d: number, bias: boolean): Float64Array {
  const cols = [...(bias ? [d + 1] : []), ...Array.from({ length: d }, (_, j) => j), d];
  const w = d + 2;
  const p = cols.length;
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = g[cols[i] * w + cols[j]];
  return out;
}

/**
 * A factor from the Gram matrix G of the same shifted columns (G = AᵀA, p × p, e.g. summed from GPU partials),
 * accurate to `relError` relative to its diagonal: Cholesky, with columns whose pivot is lost in that error zeroed.
 */
export function factorFromGram(
  g: Float64Array, o: { d: number; bias: boolean; rows: number; shift: Float64Array; yShift: number; relError: number },
): Factor {
  const p = o.d + (o.bias ? 1 : 0) + 1;
  const minPivot = Float64Array.from({ length: p }, (_, i) => 16 * o.relError * g[i * p + i]);
  return { d: o.d, bias: o.bias, p, rows: o.rows, r: choleskyUpper(g, p, minPivot), shift: o.shift, yShift: o.yShift, tol: 4 * Math.sqrt(o.relError), method: 'gram' };
}

/** Mean and population standard deviation of each feature, exact from R (Σu = R₀₀·R₀ⱼ; centered Σu² = Σᵢ≥₁ Rᵢⱼ²). */
export function featureStats(f: Factor): { mean: Float64Array; std: Float64Array; rms: Float64Array } {
  const { d, p, r, rows: n, bias } = f;
  const o = bias ? 1 : 0;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const rms = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const c = j + o;
    let centered = 0;
    let all = 0;
    for (let i = 0; i <= c; i++) {
      all += r[i * p + c] ** 2;
      if (i >= o) centered += r[i * p + c] ** 2;
    }
    const mu = f.shift[j] + (bias ? (r[0] * r[c]) / n : 0);
    mean[j] = bias ? mu : NaN;
    std[j] = bias ? Math.sqrt(centered / n) : NaN;
    const sumU = bias ? r[0] * r[c] : 0;
    rms[j] = Math.sqrt(Math.max(0, all + 2 * f.shift[j] * sumU + n * f.shift[j] ** 2) / n);
  }
  return { mean, std, rms };
}

/** A set-aside column in model terms: x_column ≈ intercept + Σ coef·x_with. */
export interface Collinearity {
  /** Feature index (0-based). */
  column: number;
  /** The features it is (numerically) a combination of, in column order. */
  with: { column: number; coef: number }[];
  /** True when it is constant (a combination of the intercept alone) or zero. */
  constant: boolean;
}

/** What the solver found besides the solution. */
export interface ExactReport {
  /** Rank of the parameter columns (intercept included) and their count. */
  rank: number;
  columns: number;
  /** Estimated 2-norm condition number of the standardized design (centered with a bias, RMS-scaled without). */
  condition: number;
  collinear: Collinearity[];
  rows: number;
  method: 'qr' | 'gram';
}

/** The minimizer of mean (z − y)² + α/2·‖w_model‖² and what it takes to measure others against it. */
export interface ExactSolution extends ExactReport {
  /** Parameters in original units. */
  params: ModelParams;
  /** Mean squared error and objective (mean loss + penalty, penalty in the model's units) at the optimum. */
  loss: number;
  objective: number;
  factor: Factor;
  /** The kept columns' triangle (no penalty), from the rank decision. */
  reduced: Reduced;
  /** Internal parameters θ* = (b_int, w) and the triangular factor of the objective's Hessian (× N/2), q × q. */
  theta: Float64Array;
  hessianR: Float64Array;
  q: number;
  /** Per-feature scale of the model's units (1 without standardization) and their centers. */
  scale: Float64Array;
  center: Float64Array;
  alpha: number;
}

/** Solves least squares (ridge when alpha > 0) on a factor, in the units `standardize` describes for the penalty. */
export function solveFactor(f: Factor, o: { alpha?: number; standardize?: Standardization } = {}): ExactSolution {
  const { d, p, r, bias, rows: n } = f;
  if (n === 0) throw new Error('least squares: no rows');
  const q = p - 1;
  const off = bias ? 1 : 0;
  const alpha = o.alpha ?? 0;
  const stats = featureStats(f);
  const threshold = new Float64Array(q);
  for (let j = 0; j < d; j++) threshold[j + off] = f.tol * stats.rms[j] * Math.sqrt(n);
  const red = reduceColumns(r, p, threshold);
  const condition = standardizedCondition(red.t, red.kept, bias);
  const scale = Float64Array.from({ length: d }, (_, j) => o.standardize?.invStd[j] ?? 1);
  const center = Float64Array.from({ length: d }, (_, j) => o.standardize?.mean[j] ?? 0);
  let theta: Float64Array = new Float64Array(q);
  let hessianR: Float64Array;
  let objectiveSum: number;
  if (alpha > 0) {
    // α/2·Σ(w_j/s_j)² in internal units (w_j there are original-unit weights): a diagonal ridge N·α/(2·s_j²).
    const lambda = new Float64Array(p);
    for (let j = 0; j < d; j++) lambda[j + off] = (n * alpha) / (2 * scale[j] ** 2);
    const rl = addDiagonal(r, p, lambda);
    hessianR = leading(rl, p, q);
    theta = solveUpper(hessianR, q, column(rl, p, q));
    objectiveSum = rl[p * p - 1] ** 2;
  } else {
    hessianR = leading(r, p, q);
    const sol = solveUpper(red.t, red.kept.length, red.rhs);
    red.kept.forEach((c, i) => (theta[c] = sol[i]));
    objectiveSum = red.rss;
  }
  const weights = theta.slice(off, off + d);
  let b = 0;
  if (bias) {
    b = theta[0] + f.yShift;
    for (let j = 0; j < d; j++) b -= f.shift[j] * weights[j];
  }
  let penalty = 0;
  for (let j = 0; j < d; j++) penalty += (weights[j] / scale[j]) ** 2;
  penalty *= alpha / 2;
  const objective = objectiveSum / n;
  return {
    rank: red.kept.length, columns: q, condition, collinear: red.dependent.map((dep) => collinearity(dep, bias)), rows: n, method: f.method,
    params: { weights, bias: Float64Array.of(b) }, loss: Math.max(0, objective - penalty), objective, factor: f, reduced: red, theta, hessianR, q, scale, center, alpha,
  };
}

/** The leading q × q block of a p × p matrix. */
export function leading(r: Float64Array, p: number, q: number): Float64Array {
  const t = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = i; j < q; j++) t[i * q + j] = r[i * p + j];
  return t;
}

function column(r: Float64Array, p: number, q: number): Float64Array {
  return Float64Array.from({ length: q }, (_, i) => r[i * p + p - 1]);
}

/** κ₂ of the kept features' triangle (the intercept's row and column removed) with unit-norm columns. */
function standardizedCondition(t: Float64Array, kept: number[], bias: boolean): number {
  const k = kept.length;
  const from = bias && kept[0] === 0 ? 1 : 0;
  const m = k - from;
  if (m === 0) return 1;
  const s = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    let norm = 0;
    for (let i = from; i <= j + from; i++) norm += t[i * k + j + from] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i <= j; i++) s[i * m + j] = norm > 0 ? t[(i + from) * k + j + from] / norm : 0;
  }
  return conditionEstimate(s, m);
}

function collinearity(dep: Dependent, bias: boolean): Collinearity {
  const off = bias ? 1 : 0;
  const terms = dep.kept
    .map((c, i) => ({ column: c - off, coef: dep.coef[i] }))
    .filter((t) => t.column >= 0);
  // Contributions measured by |coef| (columns share no common scale here); drop the negligible ones.
  const big = Math.max(0, ...terms.map((t) => Math.abs(t.coef)));
  const withCols = terms.filter((t) => Math.abs(t.coef) > 1e-6 * big);
  return { column: dep.column - off, with: withCols, constant: withCols.length === 0 };
}
