// End to end: the fast CPU backend (f32 SIMD, 1 and 3 threads) trains the same seeded runs as the f64 reference —
// shuffled SGD with batches spanning chunks, full batch with a holdout, data streamed through a small budget (slots
// reloaded every epoch), host-update mode, classification — to the same weights within f32 tolerance.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { regressionMetrics, type ClassificationMetrics } from '../../src/core/metrics';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import { linearDataset } from '../../src/data/synthetic';
import { blobsDataset } from '../../src/data/synthetic_classes';
import { rowBytes, type TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { reference, useBackends } from '../helpers/matrix';

/** The matrix's fast CPU backends: one thread, and three with every job in the most chunks. */
const FAST = useBackends(['cpu (1 thread)', 'cpu (3 threads)']);
const [, three] = FAST;
const data = linearDataset({ rows: 9000, features: 6, noise: 0.1, seed: 4, scales: [1, 10, 0.1, 1, 1, 100] });

const cases: [string, TrainOptions][] = [
  ['shuffled SGD, batches spanning chunks', { epochs: 2, batch: 700, lr: 0.05, seed: 1, chunkRows: 2000, standardize: true }],
  ['full batch, no bias, holdout', { epochs: 30, batch: Infinity, lr: 0.3, fitBias: false, validation: 0.2, standardize: true }],
  ['streamed through a small budget', { epochs: 2, batch: 256, lr: 0.05, seed: 3, chunkRows: 1000, memoryBudget: 1000 * 8 * rowBytes(6), standardize: true }],
  ['host-update mode, Adam, elastic net', { epochs: 2, batch: 3000, lr: 0.05, hostUpdate: true, standardize: true, optimizer: 'adam', penalty: 'elasticnet', alpha: 0.01 }],
];

describe.each(FAST)('the fast CPU backend, %s: trains as the reference does', (b) => {
  const threads = b.threads!;
  for (const [name, o] of cases) {
    it(name, async () => {
      const [ref, got] = [await train(reference, data, o), await train(b.backend(), data, o)];
      expect(got.device).toBe(`CPU (f32 SIMD, ${threads} thread${threads > 1 ? 's' : ''})`);
      expect(got.streamed).toBe(ref.streamed);
      // f32 rows, outputs and gradients summed in f64 per block: weights agree to ~1e-5 of their size.
      const w = allclose([...got.params.weights, ...got.params.bias], [...ref.params.weights, ...ref.params.bias], 1e-4, 1e-4);
      expect(w.ok, w.message).toBe(true);
      got.epochs.forEach((e, i) => expect(Math.abs(e.loss - ref.epochs[i].loss)).toBeLessThanOrEqual(1e-4 * ref.epochs[i].loss + 1e-6));
      const [gf, rf] = [regressionMetrics(got.final), regressionMetrics(ref.final)];
      expect(Math.abs(gf.mse - rf.mse)).toBeLessThanOrEqual(1e-4 * rf.mse);
      if (ref.validation) expect(Math.abs(regressionMetrics(got.validation!).r2 - regressionMetrics(ref.validation).r2)).toBeLessThan(1e-5);
    });
  }

  it('softmax on blobs: the same accuracy and confusion matrix, weights within f32 tolerance', async () => {
    const blobs = blobsDataset({ rows: 3000, features: 4, classes: 5, seed: 13, spread: 0.4 });
    const o: TrainOptions = { epochs: 3, batch: 64, lr: 0.05, loss: 'softmax', seed: 3, standardize: true };
    const [ref, got] = [await train(reference, blobs, o), await train(b.backend(), blobs, o)];
    const w = allclose(got.params.weights, ref.params.weights, 1e-4, 1e-4);
    expect(w.ok, w.message).toBe(true);
    expect((got.final as ClassificationMetrics).confusion).toEqual((ref.final as ClassificationMetrics).confusion);
  });
});

describe('the fast CPU backend choosing its thread count per job', () => {
  it('gives bit-identical weights, losses and metrics when forced to switch between one and three threads every job', async () => {
    // Probe rounds of one timed job per side and no jobs between rounds: every size class alternates all/one.
    const switching = nodeCpuBackend({ threads: 3, minChunkBytes: 0, adapt: { probe: 1, warm: 0, first: 0, every: 0 } });
    const alone = nodeCpuBackend({ threads: 1, minChunkBytes: 0 }); // the same chunk split as the three-thread backends
    try {
      for (const [, o] of cases.slice(0, 2)) {
        const [pinned, one, got] = [await train(three.backend(), data, o), await train(alone, data, o), await train(switching, data, o)];
        expect(got.device).toBe('CPU (f32 SIMD, up to 3 threads, chosen by measurement)');
        for (const want of [pinned, one]) {
          expect([...got.params.weights, ...got.params.bias]).toEqual([...want.params.weights, ...want.params.bias]);
          expect(got.epochs.map((e) => e.loss)).toEqual(want.epochs.map((e) => e.loss));
          expect(got.final).toEqual(want.final);
        }
      }
      const { chooser } = switching.pool;
      expect(chooser!.jobsAll).toBeGreaterThan(10);
      expect(chooser!.jobsAlone).toBeGreaterThan(10);
    } finally {
      switching.dispose();
      alone.dispose();
    }
  });
});
