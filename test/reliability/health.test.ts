// Training health (src/train/health.ts): divergence from NaN/Infinity and from the loss trend, the final finite
// checks, and advice that fits the cause — a safer learning rate from the data's scale, --standardize, or the row
// and column of a value whose square overflows float32.
import { describe, expect, it } from 'vitest';
import { LOSSES } from '../../src/core/losses';
import { OPTIMIZER_NAMES } from '../../src/core/optim';
import { parseTrainSpec } from '../../src/core/spec';
import { CpuBackend } from '../../src/cpu/backend';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { classesDataset } from '../../src/data/synthetic_classes';
import { DivergedError, lossCurvature, TrainingHealth } from '../../src/train/health';
import { train } from '../../src/train/train';

const cpu = new CpuBackend();
const data = linearDataset({ rows: 500, features: 4, noise: 0.1, seed: 2 });

async function divergence(p: Promise<unknown>): Promise<DivergedError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DivergedError);
  return e as DivergedError;
}

describe('bounded divergence and its cause, for every optimizer', () => {
  const binary = classesDataset({ rows: 600, features: 4, classes: 2, seed: 31, scale: 2 });

  it('Adam at --lr 1e6 stays finite but ends far above its start: refused, with an adaptive rate suggested', async () => {
    const e = await divergence(train(cpu, data, { epochs: 5, batch: 100, lr: 1e6, optimizer: 'adam' }));
    expect(e.reason).toBe('learning-rate');
    expect(e.suggestedLr).toBe(0.001);
    expect(e.message).toMatch(/final objective .* above its start .* over the training rows/);
    expect(e.message).toMatch(/--optimizer adam moves each weight by about the learning rate per step/);
  });

  it('full-batch logistic with a step slightly too large oscillates and ends worse than the zero model: refused', async () => {
    const e = await divergence(train(cpu, binary, { epochs: 30, batch: Infinity, lr: 40, loss: 'logistic' }));
    expect(e.reason).toBe('learning-rate');
    expect(e.message).toMatch(/above its start/);
    expect(e.suggestedLr!).toBeLessThan(40);
  });

  it('keepDiverged returns such a run with the reason instead', async () => {
    const r = await train(cpu, binary, { epochs: 30, batch: Infinity, lr: 40, loss: 'logistic', keepDiverged: true });
    expect(r.endedWorse).toMatch(/the run ended worse than it started .*kept as asked/);
    const ok = await train(cpu, binary, { epochs: 30, batch: Infinity, lr: 1, loss: 'logistic' });
    expect(ok.endedWorse).toBeNull();
  });

  it('an L2 strength past lr·α = 2 is named as the cause (--alpha), not the learning rate', async () => {
    const e = await divergence(train(cpu, data, { epochs: 60, batch: Infinity, lr: 0.1, penalty: 'l2', alpha: 30 }));
    expect(e.reason).toBe('alpha');
    expect(e.message).toMatch(/--alpha 30 is too strong for --lr 0.1/);
    expect(e.suggestedLr).toBeNull();
  });

  it('a decoupled weight decay past lr·λ = 1 is named as the cause (--weight-decay)', async () => {
    const e = await divergence(train(cpu, data, { epochs: 40, batch: Infinity, lr: 0.5, optimizer: 'adamw', weightDecay: 5 }));
    expect(e.reason).toBe('weight-decay');
    expect(e.message).toMatch(/--weight-decay 5 with --lr 0.5/);
  });

  it.each(OPTIMIZER_NAMES)('%s: a rate far too large is refused', async (optimizer) => {
    const e = await divergence(train(cpu, data, { epochs: 8, batch: Infinity, lr: 1e4, optimizer }));
    expect(['learning-rate', 'scale', 'weight-decay']).toContain(e.reason);
  });
});

describe('divergence', () => {
  it('a learning rate far too large stops with a DivergedError and a stable learning rate estimated from the data', async () => {
    const e = await divergence(train(cpu, data, { epochs: 50, batch: Infinity, lr: 5 }));
    expect(e.reason).toBe('learning-rate');
    expect(e.lr).toBe(5);
    // x ~ uniform(−1, 1): E[x²] = 1/3 per feature; squared loss curvature 2: 1/(2·(4/3 + 1)) ≈ 0.21 → 0.2.
    expect(e.suggestedLr).toBe(0.2);
    expect(e.message).toMatch(/training diverged in epoch \d+ \(.*\): the learning rate 5 is too large for this data's scale; try --lr 0\.2/);
    // The suggestion trains.
    const ok = await train(cpu, data, { epochs: 50, batch: Infinity, lr: e.suggestedLr! });
    expect(ok.epochs.at(-1)!.loss).toBeLessThan(ok.epochs[0].loss);
  });

  it('a loss that grows by orders of magnitude while staying finite is divergence too', async () => {
    // Just above the stability limit: the loss grows by a modest factor per step, never reaching Infinity.
    const e = await divergence(train(cpu, data, { epochs: 40, batch: Infinity, lr: 1.1 }));
    expect(Number.isFinite(e.loss)).toBe(true);
    expect(e.message).toMatch(/up from/);
    expect(e.suggestedLr).toBeLessThan(1.1);
  });

  it('features of very different scales get --standardize in the advice', async () => {
    const ds = linearDataset({ rows: 400, features: 3, noise: 0.1, seed: 4, scales: [1, 1, 1000] });
    const e = await divergence(train(cpu, ds, { epochs: 20, batch: Infinity, lr: 0.1 }));
    expect(e.reason).toBe('scale');
    expect(e.message).toContain('--standardize');
  });

  it('values whose squares overflow float32 are named by row and column on WebGPU, not blamed on the learning rate', async () => {
    const ds = linearDataset({ rows: 100, features: 2, noise: 0, seed: 1 });
    ds.chunks[0].y[41] = 1e30;
    const spec = parseTrainSpec({ lr: 0.01 });
    const h = new TrainingHealth(memorySource(ds, 'big.csv'), spec, 'webgpu');
    const e = await divergence(h.epoch(0, Infinity, 3));
    expect(e.reason).toBe('overflow');
    expect(e.suggestedLr).toBeNull();
    expect(e.overflow).toEqual({ row: 42, column: 'y', value: expect.closeTo(1e30, -24) });
    expect(e.message).toMatch(/values overflow float32: row 42 \(column "y"\) is 1\.00e\+30/);
  });

  it('a healthy run that converges to a tiny loss is not mistaken for divergence', async () => {
    const exact = linearDataset({ rows: 300, features: 3, noise: 0, seed: 5 });
    const r = await train(cpu, exact, { epochs: 300, batch: Infinity, lr: 0.5 });
    expect(r.final.loss).toBeLessThan(1e-10);
  });

  it('non-finite final parameters are divergence even when the losses looked fine', async () => {
    const h = new TrainingHealth(memorySource(data), parseTrainSpec({ lr: 0.01 }), 'cpu');
    await h.epoch(0, 1, 10);
    const e = await divergence(h.final({ weights: Float64Array.of(1, NaN, 0, 0), bias: Float64Array.of(0) }, {
      task: 'regression', rows: 1, loss: 1, mse: 1, rmse: 1, mae: 1, r2: NaN,
    }));
    expect(e.message).toMatch(/a trained parameter is NaN/);
  });

  it('R² of a constant target may be NaN; that alone is not divergence', async () => {
    const h = new TrainingHealth(memorySource(data), parseTrainSpec({ lr: 0.01 }), 'cpu');
    await h.epoch(0, 1, 10);
    await h.final({ weights: new Float64Array(4), bias: Float64Array.of(0) }, { task: 'regression', rows: 1, loss: 0.5, mse: 0.5, rmse: 0.7, mae: 0.5, r2: NaN });
  });
});

describe('lossCurvature from each loss unit', () => {
  const spec = parseTrainSpec({});
  it.each([
    ['squared', 2], ['huber', 1], ['logistic', 0.25], ['modified-huber', 2], ['softmax', 0.25],
    ['hinge', 1], ['quantile', 1], ['epsilon-insensitive', 1],
  ] as const)('%s: %s', (loss, c) => {
    expect(lossCurvature(LOSSES[loss], spec)).toBeCloseTo(c, 2);
  });
});
