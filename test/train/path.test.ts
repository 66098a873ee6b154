// Regularization paths (--alpha-path) against glmnet: the same α's (glmnet's λ sequence, computed by it from its own
// λ_max), the same nonzero counts and the same coefficients within 1e-6 on the f64 reference, on standardized real
// data (test/fixtures/path, made by `Rscript bench/fixtures/glmnet_path.R` with Debian's r-cran-glmnet). The f32
// backends reach the same path within their precision. Cross-validation's folds, rules and refit on real data too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LossKind } from '../../src/core/losses';
import type { PenaltyKind } from '../../src/core/penalties';
import type { SolverKind } from '../../src/core/solver/options';
import { foldRule, holdout, rowRole } from '../../src/core/holdout';
import { csvSource } from '../../src/data/node_files';
import { alphaGrid, meanAndSe, pickAlpha } from '../../src/train/path';
import type { PathStep } from '../../src/train/report';
import { train } from '../../src/train/train';
import { useBackends } from '../helpers/matrix';

const FIX = join(__dirname, '../fixtures');
interface Case {
  data: string; loss: LossKind; penalty: PenaltyKind; l1Ratio: number; n: number; minRatio: number; alphaScale: number;
  lambda: number[]; df: number[]; weights: number[][]; bias: number[]; peer: string;
  /** The columns of the rows' observation weights and offset ('' when none): glmnet's weights= and offset=. */
  weight: string; offset: string;
}
const { cases } = JSON.parse(readFileSync(join(FIX, 'path/glmnet.json'), 'utf8')) as { cases: Record<string, Case> };
const file = (data: string) => join(FIX, existsSync(join(FIX, 'path', `${data}.csv`)) ? 'path' : 'real', `${data}.csv`);

const PATHS: [string, SolverKind][] = [
  ['lasso', 'newton'], ['lasso', 'lbfgs'], ['elasticnet', 'newton'], ['ridge', 'newton'], ['logistic_l1', 'newton'], ['poisson_l1', 'newton'],
  // Observation weights (--weight) and an offset (--offset) along the path: α_max, the warm starts and every solve
  // carry them as glmnet's weights= and offset= do.
  ['logistic_l1_weighted', 'newton'], ['logistic_l1_weighted', 'lbfgs'], ['logistic_enet_weighted', 'newton'], ['poisson_l1_offset', 'newton'],
];
/** The train options that read a case's weight and offset columns. */
const columnsOf = (c: Case) => ({ ...(c.weight ? { weight: c.weight } : {}), ...(c.offset ? { offset: c.offset } : {}) });

describe.each(useBackends(['reference', 'cpu (1 thread)', 'webgpu']))('%s', (b) => {
  const f64 = b.precision === 'f64';
  it.each(f64 ? PATHS : PATHS.filter(([, s]) => s === 'newton'))('%s path by --solver %s matches glmnet', async (name, solver) => {
    const c = cases[name];
    const source = await csvSource(file(c.data), { target: 'y', labels: c.loss === 'logistic' });
    const steps: PathStep[] = [];
    const r = await train(b.backend(), source, {
      loss: c.loss, penalty: c.penalty, ...(c.penalty === 'elasticnet' ? { l1Ratio: c.l1Ratio } : {}), solver, ...columnsOf(c),
      alphaPath: c.n, alphaMinRatio: c.minRatio, solverTol: 1e-14, maxIter: 2000, onPathStep: (s) => steps.push(s),
    });
    const path = r.path!;
    expect(steps).toEqual(path.steps);
    // glmnet may end its path early (when the deviance stops changing): compare the α's it fitted.
    const m = c.lambda.length;
    expect(path.alphas.length).toBe(c.n);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      expect(path.alphas[i] / (c.alphaScale * c.lambda[i]) - 1).toBeCloseTo(0, f64 ? 9 : 5);
      const s = path.steps[i];
      // The model at step i: the result holds the chosen one only, so compare the coefficients through a refit below.
      if (f64) expect(s.nonzeros, `step ${i}: α ${s.alpha}`).toBe(c.df[i]);
      expect(s.converged, `step ${i}`).toBe(true);
      worst = Math.max(worst, Math.abs(s.nonzeros - c.df[i]));
    }
    // The path's last α: the result's model (no validation: the path's end), coefficient by coefficient.
    expect(path.chosen).toBe(c.n - 1);
    const last = m - 1;
    if (last === c.n - 1) {
      const w = r.params.weights;
      // OWL-QN stops when the objective no longer falls in f64: on diabetes's correlated s1/s2 columns (smallest Hessian
      // eigenvalue ~1e-3) a gap of 1e-16·|f| still leaves ~3e-6 in the coefficients; proximal Newton solves exactly.
      const tol = !f64 ? 1e-3 : solver === 'lbfgs' ? 1e-5 : 1e-6;
      c.weights[last].forEach((v, j) => expect(Math.abs(w[j] - v), `w${j + 1}`).toBeLessThan(tol));
      expect(Math.abs(r.params.bias[0] - c.bias[last])).toBeLessThan(tol);
    }
    console.log(`${b.name} ${name} --solver ${solver}: ${m} α's as glmnet, nonzeros off by ≤ ${worst}, ${r.solve!.passes} passes`);
  });
});

describe('cross-validation', () => {
  it('folds partition the rows that --validation does not hold out, by a hash of the row index', () => {
    const outer = holdout(0.2, 7);
    const counts = [0, 0, 0, 0, 0];
    let dropped = 0;
    for (let row = 0; row < 20000; row++) {
      const roles = counts.map((_, f) => rowRole(row, foldRule(outer, 7, 5, f)));
      const held = roles.filter((r) => r === 'held').length;
      if (roles.every((r) => r === 'drop')) dropped++;
      else {
        expect(held).toBe(1);
        counts[roles.indexOf('held')]++;
      }
      expect(roles.every((r) => r === 'drop')).toBe(rowRole(row, outer) === 'held');
    }
    expect(dropped / 20000).toBeCloseTo(0.2, 1);
    for (const c of counts) expect(c / 16000).toBeCloseTo(0.2, 1);
    expect(() => foldRule(null, 1, 1, 0)).toThrow(/--cv must be an integer ≥ 2/);
  });

  it('the one-standard-error rule takes the largest α within one standard error of the least mean', () => {
    const { mean, se } = meanAndSe([[4, 3, 2, 2.2], [4, 3, 1.6, 1.4], [4, 3.2, 2.4, 2.0]]);
    expect(mean.map((v) => +v.toFixed(6))).toEqual([4, 3.066667, 2, 1.866667]);
    expect(pickAlpha(mean, se, 'min')).toEqual({ best: 3, chosen: 3 });
    expect(pickAlpha(mean, se, '1se')).toEqual({ best: 3, chosen: 2 });
    expect(alphaGrid(10, 3, 0.01)).toEqual([10, 1, 0.1].map((v, i) => (i === 0 ? v : expect.closeTo(v, 12))));
  });

  const [ref] = useBackends(['reference']);
  it('--cv k picks α on held-out folds, reports every fold, and keeps the model fitted on all rows at that α', async () => {
    const source = () => csvSource(file('breast_cancer'), { target: 'y', labels: true });
    const opts = { loss: 'logistic', penalty: 'l1', solver: 'newton', alphaPath: 12, alphaMinRatio: 0.01, seed: 3, solverTol: 1e-12 } as const;
    const folds: PathStep[] = [];
    const r = await train(ref.backend(), await source(), { ...opts, cv: 4, onPathStep: (s) => s.fold !== undefined && folds.push(s) });
    const cv = r.path!.cv!;
    expect(cv.k).toBe(4);
    expect(cv.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3]);
    expect(cv.folds.reduce((a, f) => a + f.heldRows, 0)).toBe(569);
    for (const f of cv.folds) expect(f.rows + f.heldRows).toBe(569);
    expect(folds.length).toBe(4 * 12);
    expect(cv.chosen).toBe(cv.best);
    expect(cv.mean[cv.best]).toBe(Math.min(...cv.mean));
    // The loss at α_max (intercept only) is the worst by far: cross-validation never picks it here.
    expect(cv.chosen).toBeGreaterThan(0);
    expect(r.path!.chosen).toBe(cv.chosen);
    // The kept model is the path's over all rows at the chosen α: the same as a plain fit at that α.
    const alpha = r.path!.alphas[cv.chosen];
    const plain = await train(ref.backend(), await source(), { loss: 'logistic', penalty: 'l1', solver: 'newton', alpha, solverTol: 1e-12 });
    plain.params.weights.forEach((v, j) => expect(r.params.weights[j]).toBeCloseTo(v, 6));
    expect(r.rows).toBe(569);
    // The same seed gives the same folds and the same choice; 1se picks an α at least as large.
    const se1 = await train(ref.backend(), await source(), { ...opts, cv: 4, cvRule: '1se' });
    expect(se1.path!.cv!.mean).toEqual(cv.mean);
    expect(se1.path!.chosen).toBeLessThanOrEqual(cv.chosen);
    expect(se1.path!.cv!.mean[se1.path!.chosen]).toBeLessThanOrEqual(cv.mean[cv.best] + cv.se[cv.best]);
  });

  it('--cv with sample weights: weighted folds, and the refit is the weighted fit at the chosen α', async () => {
    const source = (features?: string[]) => csvSource(file('breast_cancer_w'), { target: 'y', labels: true, ...(features ? { features } : {}) });
    const opts = { loss: 'logistic', penalty: 'l1', solver: 'newton', alphaPath: 10, alphaMinRatio: 0.01, seed: 5, solverTol: 1e-14, cv: 3 } as const;
    const weighted = await train(ref.backend(), await source(), { ...opts, weight: 'w' });
    const plainCv = await train(ref.backend(), await source(Array.from({ length: 30 }, (_, j) => `x${j + 1}`)), opts);
    const cv = weighted.path!.cv!;
    expect(cv.folds.reduce((a, f) => a + f.heldRows, 0)).toBe(569);
    // The weights change what each fold's held-out loss averages: the curves differ from the unweighted run's.
    expect(cv.mean).not.toEqual(plainCv.path!.cv!.mean);
    const alpha = weighted.path!.alphas[weighted.path!.chosen];
    const plain = await train(ref.backend(), await source(), { loss: 'logistic', penalty: 'l1', solver: 'newton', alpha, solverTol: 1e-14, weight: 'w' });
    plain.params.weights.forEach((v, j) => expect(weighted.params.weights[j]).toBeCloseTo(v, 6));
    expect(weighted.params.bias[0]).toBeCloseTo(plain.params.bias[0], 6);
  });

  it('options: --cv needs a path, a path needs newton or lbfgs and a penalty; too many folds for the rows is an error', async () => {
    const source = await csvSource(file('diabetes'), { target: 'y' });
    await expect(train(ref.backend(), source, { penalty: 'l1', solver: 'newton', cv: 5 })).rejects.toThrow(/--cv.*add --alpha-path n/);
    await expect(train(ref.backend(), source, { penalty: 'l1', alphaPath: 10 })).rejects.toThrow(/--alpha-path.*--solver newton or lbfgs/);
    await expect(train(ref.backend(), source, { penalty: 'none', solver: 'newton', alphaPath: 10 })).rejects.toThrow(/--alpha-path.*penalty/);
    await expect(train(ref.backend(), source, { penalty: 'l1', solver: 'newton', alphaPath: 3, cv: 1 })).rejects.toThrow(/--cv needs at least 2 folds/);
    await expect(train(ref.backend(), source, { penalty: 'l1', solver: 'newton', alphaPath: 3, cv: 1000 })).rejects.toThrow(/fold \d+ holds no rows; use fewer folds/);
  });
});
