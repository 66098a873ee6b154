// End to end: the fast CPU backend (f32 SIMD, 1 and 3 threads) trains the same seeded runs as the f64 reference —
// shuffled SGD with batches spanning chunks, full batch with a holdout, data streamed through a small budget (slots
// reloaded every epoch), host-update mode, classification — to the same weights within f32 tolerance. And the value
// check a store view brings to the readers (SIMD allFinite) against the readers' own rule.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { regressionMetrics, type ClassificationMetrics } from '../../src/core/metrics';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import { linearDataset } from '../../src/data/synthetic';
import { blobsDataset } from '../../src/data/synthetic_classes';
import { rowBytes, type TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { reference, useBackends } from '../helpers/matrix';
import { join } from 'node:path';
import { DataError } from '../../src/data/csv';
import { npySource, NpyWriter } from '../../src/data/npy';
import { rejection, tempDir } from '../data/helpers';

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

const tmp = tempDir('simd-check');

describe("the fast CPU backend's value check (a store view's allFinite, the SIMD twin of the readers' rule)", () => {
  it('agrees with the float32 rule at awkward sizes, a bad value at the start, inside or in the tail of the last four', () => {
    const backend = nodeCpuBackend({ threads: 1 });
    try {
      const rule = (v: Float32Array) => v.every((x) => Number.isFinite(x));
      for (const n of [1, 3, 63, 64, 65, 1000, 100_003]) {
        const view = backend.createStore(4, Math.ceil(n / 4), true).slotView!(0, Math.ceil(n / 4))!;
        const x = view.x.subarray(0, n);
        for (let i = 0; i < n; i++) x[i] = (i % 7) - 3 + (i % 3) * 1e30;
        x[n - 1] = -3.4028234663852886e38;
        if (n > 1) x[n - 2] = 1e-45;
        expect([n, view.allFinite!(x)]).toEqual([n, true]);
        for (const at of [0, Math.floor(n / 2), n - 1, n - (n % 4 || 4)]) {
          for (const bad of [NaN, Infinity, -Infinity]) {
            const keep = x[at];
            x[at] = bad;
            expect([n, at, bad, view.allFinite!(x)]).toEqual([n, at, bad, rule(x)]);
            x[at] = keep;
          }
        }
        // A subarray from an odd start: the kernel reads its own address and length.
        expect(view.allFinite!(x.subarray(1))).toBe(true);
      }
      // Memory that is not the store's own falls back to the readers' own loop (the test says no).
      const store = backend.createStore(4, 2, true);
      expect(store.slotView!(0, 2)!.allFinite!(new Float32Array(8))).toBe(false);
    } finally {
      backend.dispose();
    }
  });

  it('an NPY file read into a store view: the values exact, a bad one named by its row and column as without the view', async () => {
    const backend = nodeCpuBackend({ threads: 1 });
    const [n, d] = [1001, 8];
    const xs = Float32Array.from({ length: n * d }, (_, i) => (i % 11) - 5.5);
    const write = async (name: string, v: Float32Array, cols: number | null) => {
      const w = await NpyWriter.create(join(tmp.dir, name), cols);
      await w.append(v);
      await w.close();
      return join(tmp.dir, name);
    };
    try {
      const y = await write('y.npy', Float32Array.from({ length: n }, (_, r) => r % 2), null);
      const good = await npySource({ x: await write('x.npy', xs, d), y });
      const view = backend.createStore(d, n, true).slotView!(0, n)!;
      await good.readRowsInto(0, n, view);
      expect(Buffer.from(view.x.buffer, view.x.byteOffset, view.x.byteLength).equals(Buffer.from(xs.buffer))).toBe(true);
      await good.close();
      xs[700 * d + 5] = -Infinity;
      const bad = await npySource({ x: await write('bad.npy', xs, d), y });
      const e = await rejection(bad.readRowsInto(0, n, backend.createStore(d, n, true).slotView!(0, n)!));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toMatch(/row 701\b.*6 "x6".*-Infinity is not finite/);
      await bad.close();
    } finally {
      backend.dispose();
    }
  });
});
