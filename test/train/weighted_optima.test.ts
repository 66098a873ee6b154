// Sample weights, offsets and balanced class weights against scikit-learn on real data: breast cancer and diabetes
// (test/fixtures/real, standardized) with seeded per-row weights and exposures, each case solved by a peer with
// sample_weight or class_weight (test/fixtures/real/weighted.json, made by `/usr/bin/python3
// bench/fixtures/weighted_optima.py` with Debian's python3-sklearn; Poisson's offset log(e) is solved there as the
// weight s·e on the rates, which is the same problem). downhill's objective Σ w·L / Σ w + α/2·‖w‖² is evaluated here
// in f64 at the trained parameters: the relative gap to the peer's ≤ 1e-9 on the f64 reference, ≤ 1e-6 on the f32
// backends (negative: downhill's answer is the better one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset';
import { LOSSES, lossHp, type LossKind, type ScalarLoss } from '../../src/core/losses';
import type { ModelParams } from '../../src/core/model';
import type { SolverKind } from '../../src/core/solver/options';
import { train } from '../../src/train/train';
import { useBackends } from '../helpers/matrix';

const DIR = join(__dirname, '../fixtures/real');
interface Case {
  data: string; loss: LossKind; alpha: number; weights: string | null; offset: string | null; targets: string | null;
  classWeight?: 'balanced'; objective: number; peer: string;
}
interface Fixture {
  weights: Record<string, number[]>; offsets: Record<string, number[]>; targets: Record<string, number[]>; cases: Record<string, Case>;
}
const fx = JSON.parse(readFileSync(join(DIR, 'weighted.json'), 'utf8')) as Fixture;

/** A fixture's rows (float32 values written exactly), with the case's targets, weights and offsets. */
function dataOf(c: Case): Dataset & { s: Float64Array } {
  const lines = readFileSync(join(DIR, `${c.data}.csv`), 'utf8').trim().split('\n');
  const names = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const d = names.length - 1;
  const n = rows.length;
  const y = c.targets ? Float32Array.from(fx.targets[c.targets]) : Float32Array.from(rows, (r) => r[d]);
  const w = c.weights ? Float32Array.from(fx.weights[c.weights]) : undefined;
  const o = c.offset ? Float32Array.from(fx.offsets[c.offset]) : undefined;
  // The weights of the objective: the sample weights, or n / (K · n_class) for balanced class weights.
  const ones = y.reduce((a, t) => a + (t > 0.5 ? 1 : 0), 0);
  const s = Float64Array.from(y, (t, i) => (w ? w[i] : c.classWeight ? n / (2 * (t > 0.5 ? ones : n - ones)) : 1));
  const chunk = { rows: n, x: Float32Array.from(rows.flatMap((r) => r.slice(0, d))), y, ...(w ? { w } : {}), ...(o ? { o } : {}) };
  return { features: names.slice(0, d), target: names[d], rows: n, chunks: [chunk], s };
}

/** Σ s·L / Σ s + α/2·‖w‖² in f64 at trained parameters (class labels 0/1 are the run's class indices 0/1). */
function objectiveAt(c: Case, ds: Dataset & { s: Float64Array }, p: ModelParams): number {
  const { x, y, o } = ds.chunks[0];
  const d = ds.features.length;
  const unit = LOSSES[c.loss] as ScalarLoss;
  const hp = lossHp(c.loss);
  let sum = 0;
  let total = 0;
  for (let i = 0; i < ds.rows; i++) {
    let z = p.bias[0] + (o ? o[i] : 0);
    for (let j = 0; j < d; j++) z += x[i * d + j] * p.weights[j];
    sum += ds.s[i] * unit.value(z, y[i], hp);
    total += ds.s[i];
  }
  return sum / total + (c.alpha / 2) * p.weights.reduce((a, v) => a + v * v, 0);
}

const SOLVES: [string, SolverKind][] = [
  ['logistic_weighted', 'newton'], ['logistic_weighted', 'lbfgs'], ['logistic_balanced', 'newton'], ['poisson_weighted', 'newton'],
  ['poisson_weighted', 'lbfgs'], ['poisson_offset', 'newton'], ['poisson_offset', 'lbfgs'], ['ridge_weighted', 'exact'], ['ridge_weighted', 'newton'],
];

describe.each(useBackends(['reference', 'cpu (1 thread)', 'webgpu']))('%s', (b) => {
  it.each(SOLVES)('%s by --solver %s reaches scikit-learn\'s weighted optimum', async (name, solver) => {
    const c = fx.cases[name];
    const ds = dataOf(c);
    const r = await train(b.backend(), ds, {
      loss: c.loss, penalty: 'l2', alpha: c.alpha, solver, ...(solver === 'exact' ? {} : { maxIter: 1000 }), ...(c.classWeight ? { classWeight: c.classWeight } : {}),
    });
    const gap = (objectiveAt(c, ds, r.params) - c.objective) / Math.abs(c.objective);
    console.log(`${b.name} ${name} --solver ${solver}: gap ${gap.toExponential(2)} (${c.peer})`);
    expect(gap, r.solve?.reason).toBeLessThan(b.precision === 'f64' ? 1e-9 : 1e-6);
  }, 300_000); // WebGPU's first Newton compiles its weighted gradient, curvature and Gram kernels: minutes on a loaded lavapipe
});
