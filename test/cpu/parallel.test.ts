// The multi-threaded CPU backend against the single-thread f64 reference: the same math split across worker
// threads (summed in a fixed order), so every run matches the reference to f64 rounding, streamed or not.
import { afterAll, describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { regressionMetrics } from '../../src/core/metrics';
import { CpuBackend } from '../../src/cpu/backend';
import { ParallelCpuBackend } from '../../src/cpu/parallel';
import { linearDataset } from '../../src/data/synthetic';
import { rowBytes, train, type TrainOptions } from '../../src/train/train';

const threads = new ParallelCpuBackend(3);
afterAll(() => threads.dispose());
const data = linearDataset({ rows: 9000, features: 6, noise: 0.1, seed: 4, scales: [1, 10, 0.1, 1, 1, 100] });

const cases: [string, TrainOptions][] = [
  ['shuffled SGD, batches spanning chunks', { epochs: 2, batch: 700, lr: 0.05, seed: 1, chunkRows: 2000, standardize: true }],
  ['full batch, no bias, holdout', { epochs: 30, batch: Infinity, lr: 0.3, fitBias: false, validation: 0.2, standardize: true }],
  ['streamed through a small budget', { epochs: 2, batch: 256, lr: 0.05, seed: 3, chunkRows: 1000, memoryBudget: 1000 * 8 * rowBytes(6), standardize: true }],
  ['host-update mode', { epochs: 1, batch: 3000, lr: 0.1, hostUpdate: true, standardize: true }],
];

describe('ParallelCpuBackend equals the reference', () => {
  for (const [name, o] of cases) {
    it(name, async () => {
      const [ref, par] = [await train(new CpuBackend(), data, o), await train(threads, data, o)];
      expect(par.device).toBe('CPU (f64, 3 threads)');
      expect(par.streamed).toBe(ref.streamed);
      const w = allclose([...par.params.weights, ...par.params.bias], [...ref.params.weights, ...ref.params.bias], 1e-12, 1e-9);
      expect(w.ok, w.message).toBe(true);
      par.epochs.forEach((e, i) => expect(Math.abs(e.loss - ref.epochs[i].loss)).toBeLessThanOrEqual(1e-9 * ref.epochs[i].loss));
      const [pf, rf] = [regressionMetrics(par.final), regressionMetrics(ref.final)];
      expect(Math.abs(pf.mse - rf.mse)).toBeLessThanOrEqual(1e-9 * rf.mse);
      if (ref.validation) expect(Math.abs(regressionMetrics(par.validation!).r2 - regressionMetrics(ref.validation).r2)).toBeLessThan(1e-9);
    });
  }
});
