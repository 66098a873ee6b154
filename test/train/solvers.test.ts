// --solver newton and lbfgs through train() on every backend that has the passes they need: the optimum of the
// penalized objective an independent f64 solver finds (core's memory oracle, itself checked against
// test/helpers/oracles.ts), to 1e-9 relative objective gap on the f64 reference and 1e-6 on the f32 backends;
// resident and streamed data alike; each iteration reported with its passes; an inapplicable solver refused.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset';
import { LOSSES, lossHp, type LossKind } from '../../src/core/losses';
import { penaltyHp, type PenaltyKind } from '../../src/core/penalties';
import { lbfgs } from '../../src/core/solver/lbfgs';
import { newton } from '../../src/core/solver/newton';
import { memoryOracle, withPenalty } from '../../src/core/solver/oracle';
import { linearDataset } from '../../src/data/synthetic';
import { classesDataset } from '../../src/data/synthetic_classes';
import { train } from '../../src/train/train';
import { problemOf } from '../helpers/oracles';
import { useBackends } from '../helpers/matrix';

const BACKENDS = useBackends();

/** A problem's objective in f64 (in memory): its optimum, and its value at any parameters, for gaps. */
async function objective(ds: Dataset, loss: LossKind, penalty: PenaltyKind, alpha: number) {
  const p = problemOf(ds);
  const [l2, l1] = penaltyHp(penalty, { alpha, l1Ratio: 0.5 });
  const o = withPenalty(memoryOracle({ n: p.rows, d: p.d, x: p.x, y: p.y }, LOSSES[loss], lossHp(loss), 1), l2);
  const r = l1 > 0 ? await lbfgs(o, new Float64Array(o.size), { maxIter: 2000, tol: 1e-15, history: 20, l1 }) : await newton(o, new Float64Array(o.size), { maxIter: 100, tol: 1e-15 });
  const at = async (w: ArrayLike<number>, b: number) => {
    const theta = Float64Array.of(...Array.from(w), b);
    return (await o.evaluate(theta, 0)).f + l1 * Array.from(w).reduce((a, v) => a + Math.abs(v), 0);
  };
  return { best: r.objective, at };
}

const binary = classesDataset({ rows: 1200, features: 6, classes: 2, seed: 21, scale: 1.2 });
const linear = linearDataset({ rows: 900, features: 5, noise: 0.3, seed: 22 });
const counts: Dataset = { ...linear, chunks: linear.chunks.map((c) => ({ ...c, y: c.y.map((v) => Math.round(Math.exp(0.4 * v))) })) };

const CASES: [string, Dataset, LossKind, PenaltyKind, 'newton' | 'lbfgs'][] = [
  ['logistic + L2 by Newton', binary, 'logistic', 'l2', 'newton'],
  ['logistic + L2 by L-BFGS', binary, 'logistic', 'l2', 'lbfgs'],
  ['Poisson + L2 by Newton', counts, 'poisson', 'l2', 'newton'],
  ['lasso by OWL-QN', linear, 'squared', 'l1', 'lbfgs'],
  ['elastic net by OWL-QN', linear, 'squared', 'elasticnet', 'lbfgs'],
];

describe.each(BACKENDS)('%s', (b) => {
  it.each(CASES)('%s reaches the optimum', async (_, ds, loss, penalty, solver) => {
    const alpha = 0.02;
    const f = await objective(ds, loss, penalty, alpha);
    const seen: number[] = [];
    const r = await train(b.backend(), ds, { loss, penalty, alpha, ...(penalty === 'elasticnet' ? { l1Ratio: 0.5 } : {}), solver, onIteration: (it) => seen.push(it.passes) });
    // The trained parameters' objective in f64 (an f32 backend's own final loss carries its float32 rounding).
    const gap = ((await f.at(r.params.weights, r.params.bias[0])) - f.best) / Math.abs(f.best);
    expect(gap, `${r.solve!.reason}; gap ${gap}`).toBeLessThan(b.precision === 'f64' ? 1e-9 : 1e-6);
    expect(gap).toBeGreaterThan(-1e-9);
    expect(r.solve!.iterations.length).toBeGreaterThan(0);
    expect(seen).toEqual(r.solve!.iterations.map((i) => i.passes));
  });
});

describe('solvers: streamed data and refusals', () => {
  it('Newton on data streamed through a small budget reaches the same optimum (reference)', async () => {
    const [ref] = BACKENDS;
    const f = await objective(binary, 'logistic', 'l2', 0.02);
    const r = await train(ref.backend(), binary, { loss: 'logistic', penalty: 'l2', alpha: 0.02, solver: 'newton', memoryBudget: 300 * 32, chunkRows: 100 });
    expect(r.streamed).toBe(true);
    expect(((await f.at(r.params.weights, r.params.bias[0])) - f.best) / f.best).toBeLessThan(1e-9);
  });

  it('a solver that cannot fit the loss and penalty is refused, naming the ones that can', async () => {
    const [ref] = BACKENDS;
    await expect(train(ref.backend(), binary, { loss: 'hinge', penalty: 'l2', solver: 'newton' })).rejects.toThrow(
      /--solver newton cannot fit this: --loss hinge has kinks in dL\/dz \(no Hessian\); for --loss hinge with --penalty l2 use --solver gd, dcd/);
    await expect(train(ref.backend(), linear, { penalty: 'l1', solver: 'exact' })).rejects.toThrow(/--penalty l1 is not smooth .*use --solver gd, newton, lbfgs/);
    await expect(train(ref.backend(), linear, { loss: 'quantile', penalty: 'l1', solver: 'smoothing' })).rejects.toThrow(/--solver smoothing cannot fit this.*use --solver gd$/);
  });
});
