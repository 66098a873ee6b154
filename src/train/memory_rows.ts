// The training rows read once into host memory as f64, in the units the model trains in (standardized when the
// model is), held-out rows left out: what the in-memory solvers (dual coordinate descent, the quantile smoothing)
// work on. Refused, naming the sizes, when the rows would not fit the memory budget.
import type { ModelSpec } from '../core/model';
import type { DenseRows } from '../core/solver/smo';
import type { DataSource } from '../data/source';
import { trainRows } from './load';
import type { TrainPlan } from './plan';

/** The training rows of a source in f64 (n × d) with their targets. */
export async function memoryRows(source: DataSource, plan: TrainPlan, model: ModelSpec, rowsHint: number): Promise<DenseRows> {
  const { d, standardize: norm } = model;
  if (rowsHint * (d + 1) * 8 > plan.memoryBudget) {
    throw new Error(`--solver ${plan.spec.solver} holds the training rows in memory: ${rowsHint} rows × ${d + 1} values in f64 need ` +
      `${Math.ceil((rowsHint * (d + 1) * 8) / 2 ** 20)} MiB, over --memory-budget ${Math.floor(plan.memoryBudget / 2 ** 20)} MiB; ` +
      'raise the budget, or use --solver gd (streamed)');
  }
  const xs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  let n = 0;
  for await (const c of trainRows(source.read({ signal: plan.signal ?? undefined }), d, plan.hold, null)) {
    const x = new Float64Array(c.rows * d);
    for (let i = 0; i < c.rows * d; i++) x[i] = norm ? (c.x[i] - norm.mean[i % d]) * norm.invStd[i % d] : c.x[i];
    xs.push(x);
    ys.push(Float64Array.from(c.y.subarray(0, c.rows)));
    n += c.rows;
  }
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  let at = 0;
  xs.forEach((block, k) => {
    x.set(block, at * d);
    y.set(ys[k], at);
    at += ys[k].length;
  });
  return { n, d, x, y };
}
