// Exact least squares in f64: accumulate the normal equations row by row (so any data size streams
// through) and solve them by Cholesky. The oracle that trained weights are checked against.
import type { ModelParams } from './model';

/** Accumulates AᵀA and Aᵀy for A = [X | 1] (the 1 only when fitting a bias). */
export class NormalEquations {
  readonly p: number;
  private readonly ata: Float64Array;
  private readonly aty: Float64Array;
  private readonly row: Float64Array;
  rows = 0;

  constructor(readonly d: number, readonly bias: boolean) {
    this.p = d + (bias ? 1 : 0);
    this.ata = new Float64Array(this.p * this.p);
    this.aty = new Float64Array(this.p);
    this.row = new Float64Array(this.p);
  }

  /** Adds `rows` rows of row-major x (rows × d) with targets y. */
  add(x: ArrayLike<number>, y: ArrayLike<number>, rows: number): void {
    const { d, p, ata, aty, row } = this;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) row[j] = x[r * d + j];
      if (this.bias) row[d] = 1;
      const t = y[r];
      for (let i = 0; i < p; i++) {
        const ri = row[i];
        aty[i] += ri * t;
        const base = i * p;
        for (let j = 0; j <= i; j++) ata[base + j] += ri * row[j];
      }
    }
    this.rows += rows;
  }

  /** Solves for the weights (and bias); throws if the system is singular. */
  solve(): ModelParams {
    const { p, d } = this;
    const l = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        let s = this.ata[i * p + j];
        for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
        if (i === j) {
          if (!(s > 1e-12 * Math.max(1, this.ata[i * p + i]))) {
            throw new Error(`least squares: the normal equations are singular at column ${i} (a constant or duplicated feature?)`);
          }
          l[i * p + i] = Math.sqrt(s);
        } else {
          l[i * p + j] = s / l[j * p + j];
        }
      }
    }
    const z = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = this.aty[i];
      for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
      z[i] = s / l[i * p + i];
    }
    const beta = new Float64Array(p);
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < p; k++) s -= l[k * p + i] * beta[k];
      beta[i] = s / l[i * p + i];
    }
    return { weights: beta.slice(0, d), bias: Float64Array.of(this.bias ? beta[d] : 0) };
  }
}

/** Least-squares fit of y ≈ X·w + b for row-major X (rows × d). */
export function leastSquares(
  x: ArrayLike<number>, y: ArrayLike<number>, rows: number, d: number, bias = true,
): ModelParams {
  const ne = new NormalEquations(d, bias);
  ne.add(x, y, rows);
  return ne.solve();
}
