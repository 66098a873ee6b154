// How a trained model and its metrics are shown in the terminal and in --json: coefficients (one column per class
// for multiclass), the task's metrics line and confusion matrix. Formatting only.
import { metricsLine, type Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import { fmt, table } from './output';

/** The coefficient table: one value column (or one per class), then the bias row when fitted. */
export function coefficientTable(features: readonly string[], p: ModelParams, classes: readonly string[] | null, fitBias: boolean): string {
  const d = features.length;
  const k = p.bias.length;
  const head = ['coefficient', ...(k > 1 ? classes!.map(String) : ['value'])];
  const rows: (string | number)[][] = [head];
  features.forEach((f, j) => rows.push([f, ...Array.from({ length: k }, (_, c) => fmt(p.weights[c * d + j]))]));
  if (fitBias) rows.push(['(bias)', ...Array.from(p.bias, (b) => fmt(b))]);
  return table(rows);
}

/** The confusion matrix as a table: true classes down, predicted across. */
export function confusionTable(confusion: readonly number[][], classes: readonly string[]): string {
  return table([['true \\ predicted', ...classes], ...confusion.map((row, i) => [classes[i], ...row])]);
}

/** The metrics line, and for classification the confusion matrix below it. */
export function metricsText(m: Metrics, classes: readonly string[] | null): string {
  const line = metricsLine(m, (v) => fmt(v));
  return m.task === 'classification' && classes ? `${line}\n${confusionTable(m.confusion, classes)}` : line;
}

/** Parameters in --json: K = 1 as a flat weight list and one bias; K > 1 as K rows and K biases. */
export function paramsJson(p: ModelParams): { weights: number[] | number[][]; bias: number | number[] } {
  const k = p.bias.length;
  if (k === 1) return { weights: [...p.weights], bias: p.bias[0] };
  const d = p.weights.length / k;
  return { weights: Array.from({ length: k }, (_, c) => [...p.weights.subarray(c * d, (c + 1) * d)]), bias: [...p.bias] };
}

/** Metrics in --json, without the task tag. */
export function metricsJson(m: Metrics): Record<string, unknown> {
  const { task: _task, ...rest } = m;
  return rest;
}
