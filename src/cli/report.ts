// How a trained model and its metrics are shown in the terminal and in --json: coefficients (one column per class
// for multiclass), the task's metrics line and confusion matrix. Formatting only.
import { metricsLine, type Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import { sparseColumnName, type Encoding } from '../core/encoding';
import { sparseFields } from '../core/sparse_model';
import { fmt, table } from './output';

/** Sparse coefficients the table shows at most (the largest in magnitude). */
const SPARSE_SHOWN = 20;

/**
 * The coefficient table: one value column (or one per class), then the bias row when fitted. With a sparse block
 * (`encoding`), its largest coefficients follow the dense ones, named by level or bucket, and a line says how many more.
 */
export function coefficientTable(features: readonly string[], p: ModelParams, classes: readonly string[] | null, fitBias: boolean, encoding?: Encoding): string {
  const d = features.length;
  const k = p.bias.length;
  const D = p.weights.length / k;
  const head = ['coefficient', ...(k > 1 ? classes!.map(String) : ['value'])];
  const rows: (string | number)[][] = [head];
  const row = (name: string, j: number) => rows.push([name, ...Array.from({ length: k }, (_, c) => fmt(p.weights[c * D + j]))]);
  features.forEach((f, j) => row(f, j));
  let more = '';
  if (encoding) {
    const size = (j: number) => {
      let m = 0;
      for (let c = 0; c < k; c++) m = Math.max(m, Math.abs(p.weights[c * D + d + j]));
      return m;
    };
    // One pass keeping the largest few: no array over every column (2^24 hashed buckets).
    let nonzero = 0;
    const top: { j: number; s: number }[] = [];
    for (let j = 0; j < encoding.width; j++) {
      const s = size(j);
      if (!(s > 0)) continue;
      nonzero++;
      if (top.length === SPARSE_SHOWN && s <= top[SPARSE_SHOWN - 1].s) continue;
      if (top.length === SPARSE_SHOWN) top.pop();
      let i = top.length;
      while (i > 0 && top[i - 1].s < s) i--;
      top.splice(i, 0, { j, s });
    }
    top.forEach(({ j }) => row(sparseColumnName(encoding, j), d + j));
    if (nonzero > SPARSE_SHOWN) more = `\n(${nonzero - SPARSE_SHOWN} more non-zero sparse coefficients, ${encoding.width} sparse columns; all in the saved model)`;
  }
  if (fitBias) rows.push(['(bias)', ...Array.from(p.bias, (b) => fmt(b))]);
  return table(rows) + more;
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

/**
 * Parameters in --json: K = 1 as a flat weight list and one bias; K > 1 as K rows and K biases. With a sparse block the
 * weights are the dense columns' and `sparseWeights` the block's non-zero ones (as the model file has them).
 */
export function paramsJson(p: ModelParams, sparse?: { dense: number; encoding: Encoding }): Record<string, unknown> {
  if (sparse) {
    const { sparseWeights } = sparseFields(p, sparse.dense, sparse.encoding);
    const k = p.bias.length;
    const D = p.weights.length / k;
    const dense = Float64Array.from({ length: k * sparse.dense }, (_, i) => p.weights[Math.floor(i / sparse.dense) * D + (i % sparse.dense)]);
    return { ...paramsJson({ weights: dense, bias: p.bias }), sparseWeights };
  }
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
