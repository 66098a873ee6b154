// Regression metrics from additive sums, so partial sums from GPU workgroups, chunks or threads combine.

/** Additive sums over rows; y is shifted by a constant c (sy = Σ(y−c), syy = Σ(y−c)²) to keep R² accurate in f32. */
export interface MetricSums {
  rows: number;
  sse: number;
  sae: number;
  sy: number;
  syy: number;
}

/** Regression metrics over a dataset. */
export interface Metrics {
  rows: number;
  mse: number;
  mae: number;
  r2: number;
}

/** Zeroed sums. */
export function emptySums(): MetricSums {
  return { rows: 0, sse: 0, sae: 0, sy: 0, syy: 0 };
}

/** a += b. */
export function addSums(a: MetricSums, b: MetricSums): void {
  a.rows += b.rows;
  a.sse += b.sse;
  a.sae += b.sae;
  a.sy += b.sy;
  a.syy += b.syy;
}

/** MSE, MAE and R² = 1 − SSE/SST (SST about the mean; NaN when y is constant). */
export function metricsFromSums(s: MetricSums): Metrics {
  const n = s.rows;
  const sst = s.syy - (s.sy * s.sy) / n;
  return { rows: n, mse: s.sse / n, mae: s.sae / n, r2: sst > 0 ? 1 - s.sse / sst : NaN };
}
