// The optimum a statistician expects, on real data: scikit-learn's bundled breast cancer, digits and diabetes sets
// (standardized, rounded to float32 — test/fixtures/real, made by `/usr/bin/python3 bench/fixtures/optima.py` with
// Debian's python3-sklearn), each case solved by a peer (LogisticRegression, SVC, PoissonRegressor, Lasso, ElasticNet,
// QuantileRegressor, SVR) and downhill's objective evaluated at the peer's answer. downhill's solvers must reach a
// relative objective gap ≤ 1e-9 on the f64 reference and ≤ 1e-6 on the f32 backends (objectives evaluated here in
// f64 from the trained parameters; a negative gap means downhill's answer is the better one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOSSES, lossHp, type LossKind, type MultiLoss, type ScalarLoss } from '../../src/core/losses';
import type { ModelParams } from '../../src/core/model';
import { penaltyHp, penaltyValue, type PenaltyKind } from '../../src/core/penalties';
import type { SolverKind } from '../../src/core/solver/options';
import { csvSource } from '../../src/data/node_files';
import { train } from '../../src/train/train';
import { useBackends } from '../helpers/matrix';

const DIR = join(__dirname, '../fixtures/real');
interface Case { data: string; loss: LossKind; penalty: PenaltyKind; alpha?: number; l1Ratio?: number; quantile?: number; epsilon?: number; objective: number; peer: string }
const { cases } = JSON.parse(readFileSync(join(DIR, 'optima.json'), 'utf8')) as { cases: Record<string, Case> };

/** The rows of a fixture in f64 (its values are float32 numbers written exactly). */
function rowsOf(name: string): { x: Float64Array; y: Float64Array; n: number; d: number } {
  const lines = readFileSync(join(DIR, `${name}.csv`), 'utf8').trim().split('\n').slice(1);
  const d = lines[0].split(',').length - 1;
  const x = new Float64Array(lines.length * d);
  const y = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const v = l.split(',').map(Number);
    x.set(v.slice(0, d), i * d);
    y[i] = v[d];
  });
  return { x, y, n: lines.length, d };
}

/** downhill's objective (mean loss + penalty) of parameters over a fixture's rows, in f64. */
function objectiveAt(c: Case, p: ModelParams, classes: string[] | null): number {
  const { x, y, n, d } = rowsOf(c.data);
  const unit = LOSSES[c.loss];
  const hp = lossHp(c.loss, { quantile: c.quantile, epsilon: c.epsilon });
  const k = p.bias.length;
  const z = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < k; o++) {
      let s = p.bias[o];
      for (let j = 0; j < d; j++) s += x[i * d + j] * p.weights[o * d + j];
      z[o] = s;
    }
    // Class targets: the fixture's label → the run's class index.
    const t = classes ? classes.indexOf(String(y[i])) : y[i];
    sum += unit.task === 'multiclass' ? (unit as MultiLoss).valueDz(z, t, null) : (unit as ScalarLoss).value(z[0], t, hp);
  }
  return sum / n + penaltyValue(p.weights, penaltyHp(c.penalty, { alpha: c.alpha ?? 0, l1Ratio: c.l1Ratio ?? 0 }));
}

/** Each case with the solver(s) that fit it. */
const SOLVES: [string, SolverKind][] = [
  ['logistic_l2', 'newton'], ['logistic_l2', 'lbfgs'], ['softmax_l2', 'lbfgs'], ['poisson_l2', 'newton'], ['lasso', 'lbfgs'], ['lasso', 'newton'],
  ['elasticnet', 'lbfgs'], ['elasticnet', 'newton'], ['svm_l2', 'dcd'], ['svr_l2', 'dcd'], ['median', 'smoothing'],
];
/** The solvers whose arithmetic is the backend's (the others solve on the host in f64, the backend only evaluating). */
const ON_BACKEND = new Set<SolverKind>(['newton', 'lbfgs']);

describe.each(useBackends(['reference', 'cpu (1 thread)', 'webgpu']))('%s', (b) => {
  const solves = SOLVES.filter(([, s]) => b.precision === 'f64' || ON_BACKEND.has(s));
  it.each(solves)('%s by --solver %s reaches the peer\'s optimum', async (name, solver) => {
    const c = cases[name];
    const source = await csvSource(join(DIR, `${c.data}.csv`), { target: 'y', labels: LOSSES[c.loss].task !== 'regression' });
    const settings = { alpha: c.alpha, l1Ratio: c.l1Ratio, quantile: c.quantile, epsilon: c.epsilon };
    const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const r = await train(b.backend(), source, { loss: c.loss, penalty: c.penalty, solver, ...defined, maxIter: 1000 });
    const gap = (objectiveAt(c, r.params, r.classes) - c.objective) / Math.abs(c.objective);
    console.log(`${b.name} ${name} --solver ${solver}: gap ${gap.toExponential(2)} in ${r.solve!.iterations.length} iterations, ${r.solve!.passes} passes (${c.peer})`);
    expect(gap, r.solve!.reason).toBeLessThan(b.precision === 'f64' ? 1e-9 : 1e-6);
  });
});
