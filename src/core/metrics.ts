// Metrics by task from additive sums, so partial sums from GPU workgroups, chunks or threads combine. The
// per-row sums are the TS twin of shaders/parts/metrics_regression.wgsl and metrics_binary.wgsl.
import { LOSSES, type LossHp, type LossKind, type LossUnit, type ScalarLoss } from './losses';
import { P_EPS } from './losses/loss';

/**
 * Additive sums of an evaluation pass. `m` holds the task's four per-row sums: regression (Σ|e|, Σe², Σ(y−c),
 * Σ(y−c)²) with e = ŷ − y and y shifted by a constant c to keep R² accurate in f32; classification (Σcorrect,
 * Σlog-loss, 0, 0). `confusion` counts classification rows by true class (row) and predicted class (column).
 */
export interface EvalSums {
  rows: number;
  /**
   * Σ w of the rows' sample weights, when they are weighted: every sum is then a weighted sum (w·loss, w·|e|, …,
   * w·correct) and the metrics are weighted means. The confusion matrix always counts rows. Absent: every weight is 1.
   */
  weight?: number;
  /** Σ loss. */
  loss: number;
  m: Float64Array;
  /** K × K counts for classification (K = 2 for binary losses); null for regression. */
  confusion: Float64Array | null;
}

/** Regression metrics over a dataset. */
export interface RegressionMetrics {
  task: 'regression';
  rows: number;
  /** Mean loss (the training objective without the penalty). */
  loss: number;
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

/** Classification metrics over a dataset. */
export interface ClassificationMetrics {
  task: 'classification';
  rows: number;
  loss: number;
  accuracy: number;
  /** Mean log-loss of the predicted probabilities; null for losses without probabilities (hinge). */
  logLoss: number | null;
  /** Row counts by true class (rows) and predicted class (columns). */
  confusion: number[][];
}

/** Metrics of either task. */
export type Metrics = RegressionMetrics | ClassificationMetrics;

/** How many classes a loss's confusion matrix has for K outputs (0 for regression). */
export function confusionClasses(loss: LossKind, outputs: number): number {
  const task = LOSSES[loss].task;
  return task === 'regression' ? 0 : task === 'binary' ? 2 : outputs;
}

/** Zeroed sums; `classes` > 0 for a confusion matrix. */
export function emptySums(classes = 0): EvalSums {
  return { rows: 0, loss: 0, m: new Float64Array(4), confusion: classes > 0 ? new Float64Array(classes * classes) : null };
}

/** a += b. */
export function addSums(a: EvalSums, b: EvalSums): void {
  if (a.weight !== undefined || b.weight !== undefined) a.weight = (a.weight ?? a.rows) + (b.weight ?? b.rows);
  a.rows += b.rows;
  a.loss += b.loss;
  for (let i = 0; i < 4; i++) a.m[i] += b.m[i];
  if (a.confusion && b.confusion) for (let i = 0; i < a.confusion.length; i++) a.confusion[i] += b.confusion[i];
}

/**
 * Adds one row's task sums for a scalar loss at output z and target t into m (and the confusion counts), each sum
 * weighted by the row's sample weight w (the confusion counts are not: they count rows).
 */
export function addRowMetrics(
  unit: ScalarLoss, z: number, t: number, yShift: number, hp: LossHp, m: Float64Array, confusion: Float64Array | null, w = 1,
): void {
  if (unit.task === 'regression') {
    const e = unit.link(z, hp) - t;
    const ys = t - yShift;
    m[0] += w * Math.abs(e);
    m[1] += w * (e * e);
    m[2] += w * ys;
    m[3] += w * (ys * ys);
    return;
  }
  const pred = z > 0 ? 1 : 0;
  const truth = t > 0.5 ? 1 : 0;
  if (pred === truth) m[0] += w;
  // −log P(true class), with P(class 0) = link(−z) (the binary links are symmetric) to keep precision near 0.
  if (unit.probabilistic) m[1] -= w * Math.log(Math.max(P_EPS, unit.link(truth === 1 ? z : -z, hp)));
  if (confusion) confusion[truth * 2 + pred] += 1;
}

/**
 * Metrics from sums for a loss: MSE, RMSE, MAE, R² (regression) or accuracy, log-loss, confusion (classification);
 * weighted means (R² from weighted sums of squares) when the sums are weighted.
 */
export function metricsFromSums(s: EvalSums, unit: LossUnit): Metrics {
  const n = s.weight ?? s.rows;
  const rows = s.rows;
  if (unit.task === 'regression') {
    const sst = s.m[3] - (s.m[2] * s.m[2]) / n;
    const mse = s.m[1] / n;
    return { task: 'regression', rows, loss: s.loss / n, mse, rmse: Math.sqrt(mse), mae: s.m[0] / n, r2: sst > 0 ? 1 - s.m[1] / sst : NaN };
  }
  const k = s.confusion ? Math.round(Math.sqrt(s.confusion.length)) : 0;
  const confusion = Array.from({ length: k }, (_, i) => Array.from(s.confusion!.subarray(i * k, (i + 1) * k)));
  return {
    task: 'classification', rows, loss: s.loss / n, accuracy: s.m[0] / n,
    logLoss: unit.probabilistic ? s.m[1] / n : null, confusion,
  };
}

/** The metrics of a regression (throws for classification metrics). */
export function regressionMetrics(m: Metrics): RegressionMetrics {
  if (m.task !== 'regression') throw new Error('expected regression metrics');
  return m;
}

/** The headline numbers of metrics as [label, value] pairs, in display order. */
export function metricEntries(m: Metrics): [string, number][] {
  if (m.task === 'regression') return [['MSE', m.mse], ['RMSE', m.rmse], ['MAE', m.mae], ['R²', m.r2], ['loss', m.loss]];
  return [['accuracy', m.accuracy], ...(m.logLoss !== null ? [['log-loss', m.logLoss] as [string, number]] : []), ['loss', m.loss]];
}

/** The metrics as one line, e.g. "MSE 0.0101  RMSE 0.1  MAE 0.08  R² 0.99  loss 0.0101". */
export function metricsLine(m: Metrics, fmt: (v: number) => string): string {
  return metricEntries(m).map(([k, v]) => `${k} ${fmt(v)}`).join('  ');
}
