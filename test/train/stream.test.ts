// Streaming, holdout validation and standardization, on every backend of the test matrix: data larger than the
// memory budget trains chunk by chunk exactly as the same data held in memory; the holdout is a stable seeded split;
// standardized training recovers the least-squares weights in original units on badly scaled columns.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import type { Dataset } from '../../src/core/dataset';
import { isHeldOut, holdout } from '../../src/core/holdout';
import { NormalEquations } from '../../src/core/lstsq';
import { regressionMetrics as reg } from '../../src/core/metrics';
import type { ModelParams } from '../../src/core/model';
import { memorySource, type DataSource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { rowBytes, type TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { gpuVariant, reference, useBackends } from '../helpers/matrix';

const BACKENDS = useBackends();
const webgpu = BACKENDS.find((b) => b.kind === 'webgpu')!;
const UPLOADS = [gpuVariant(webgpu, 'webgpu, mapped staging ring', { upload: 'staging' }), gpuVariant(webgpu, 'webgpu, queue.writeBuffer', { upload: 'writeBuffer' })];
const data = linearDataset({ rows: 12_000, features: 7, noise: 0.05, seed: 2, chunkRows: 777 });
// Streaming keeps a ring of 3 slots, a metrics slot and half the budget for validation: 8 slots' worth.
const streamBudget = (slotRows: number, d = 7) => slotRows * 8 * rowBytes(d);

/** The same rows without random access: a source that can only be read front to back, like a CSV. */
function sequentialOnly(ds: Dataset): DataSource {
  const { readRows: _dropped, ...rest } = memorySource(ds, 'sequential');
  return { ...rest, rows: null };
}

const close = (a: ModelParams, b: ModelParams, atol: number, rtol: number) =>
  allclose([...a.weights, ...a.bias], [...b.weights, ...b.bias], atol, rtol);

describe('streamed training equals in-memory training with the same order', () => {
  it.each(BACKENDS)('random-access source, shuffled, K = 16 chunks, batches spanning chunks (%s)', async (b) => {
    const o: TrainOptions = { epochs: 3, batch: 300, lr: 0.05, seed: 11, chunkRows: 750 };
    const resident = await train(b.backend(), data, o);
    // A budget of 8 chunks' worth of rows forces streaming with the resident chunk size.
    const streamed = await train(b.backend(), data, { ...o, memoryBudget: streamBudget(750) });
    expect(resident.streamed).toBe(false);
    expect(streamed.streamed).toBe(true);
    expect(streamed.epochs.map((e) => e.steps)).toEqual(resident.epochs.map((e) => e.steps));
    const c = close(streamed.params, resident.params, 1e-6, 1e-6);
    expect(c.ok, c.message).toBe(true);
    expect(Math.abs(reg(streamed.final).mse - reg(resident.final).mse)).toBeLessThan(1e-6 * reg(resident.final).mse);
  });

  it('a front-to-back source (no row count, no random access) equals in-memory unshuffled training (webgpu)', async () => {
    const o: TrainOptions = { epochs: 2, batch: 256, lr: 0.05, seed: 3, chunkRows: 600, shuffle: false };
    const resident = await train(webgpu.backend(), data, o);
    const streamed = await train(webgpu.backend(), sequentialOnly(data), { ...o, memoryBudget: streamBudget(600) });
    expect(streamed.streamed).toBe(true);
    expect(streamed.rows).toBe(12_000);
    const c = close(streamed.params, resident.params, 1e-6, 1e-6);
    expect(c.ok, c.message).toBe(true);
  });

  it('both upload paths (mapped staging ring, queue.writeBuffer) train identically when streaming (webgpu)', async () => {
    const o: TrainOptions = { epochs: 2, batch: 500, lr: 0.05, seed: 4, chunkRows: 700, memoryBudget: streamBudget(700) };
    const viaStaging = await train(UPLOADS[0].backend(), data, o);
    const viaWrite = await train(UPLOADS[1].backend(), data, o);
    expect(viaStaging.streamed).toBe(true);
    const c = close(viaStaging.params, viaWrite.params, 0, 0);
    expect(c.ok, c.message).toBe(true);
  });

  it('refuses a batch that cannot stay loaded while streaming, with the options to change', async () => {
    await expect(train(reference, data, { epochs: 1, batch: Infinity, lr: 0.1, memoryBudget: streamBudget(1000) }))
      .rejects.toThrow(/does not fit the memory budget when streaming.*--batch.*--memory-budget/);
  });
});

describe('holdout validation', () => {
  it('holds out a stable, seeded ~20% of rows, identical on both backends and in streaming', async () => {
    const o: TrainOptions = { epochs: 3, batch: 100, lr: 0.2, seed: 5, validation: 0.2 };
    const h = holdout(0.2, 5);
    let expected = 0;
    for (let r = 0; r < 12_000; r++) if (isHeldOut(r, h)) expected++;
    expect(expected).toBeGreaterThan(12_000 * 0.2 - 4 * Math.sqrt(12_000 * 0.16));
    expect(expected).toBeLessThan(12_000 * 0.2 + 4 * Math.sqrt(12_000 * 0.16));
    // One after another: the matrix holds one WebGPU backend, whose staging ring serves one training at a time.
    const c = await train(reference, data, o);
    const g = await train(webgpu.backend(), data, o);
    const s = await train(webgpu.backend(), data, { ...o, chunkRows: 1000, memoryBudget: streamBudget(1000) });
    for (const r of [c, g, s]) {
      expect(r.validationRows).toBe(expected);
      expect(r.rows).toBe(12_000 - expected);
      expect(r.epochs).toHaveLength(3);
      expect(reg(r.epochs[2].validation!).mse).toBeLessThan(reg(r.epochs[0].validation!).mse * 1.5);
      expect(reg(r.validation!).r2).toBeGreaterThan(0.99);
    }
    expect(s.streamed).toBe(true);
    expect(Math.abs(reg(g.validation!).mse - reg(c.validation!).mse)).toBeLessThan(1e-4 * reg(c.validation!).mse);
  });
});

describe('standardization', () => {
  // Columns whose scales differ by 1e6: plain gradient descent cannot pick one learning rate for both.
  const scales = [1e-3, 1, 1e3];
  const ds = linearDataset({ rows: 8000, features: 3, noise: 0.01, seed: 8, scales, truth: { weights: Float64Array.of(2000, -3, 0.004), bias: Float64Array.of(1.5) } });

  function exact(): ModelParams {
    // Least squares on columns divided by their scales (well conditioned), mapped back to original units.
    const c = ds.chunks[0];
    const xs = Float64Array.from(c.x, (v, i) => v / scales[i % 3]);
    const ne = new NormalEquations(3, true);
    ne.add(xs, c.y, ds.rows);
    const s = ne.solve();
    return { weights: s.weights.map((w, j) => w / scales[j]), bias: s.bias };
  }

  it.each(BACKENDS)('recovers the least-squares weights in original units (%s)', async (b) => {
    const r = await train(b.backend(), ds, { epochs: 300, batch: Infinity, lr: 0.5, standardize: true });
    const want = exact();
    // f32 on the GPU; relative error on each coefficient ≤ 1e-4 (the 1e-3-scale column dominates).
    const c = close(r.params, want, 1e-6, 1e-4);
    expect(c.ok, c.message).toBe(true);
    expect(r.standardization!.mean).toHaveLength(3);
    expect(reg(r.final).r2).toBeGreaterThan(0.9999);
  });

  it('without a bias it scales by the root mean square and does not center (reference)', async () => {
    // Centering would add an intercept the model lacks (issue 11 item 1): the fit must be least squares through the origin.
    const m = [2, -1, 0];
    const sc = [1, 0.5, 3];
    const src = linearDataset({ rows: 4000, features: 3, noise: 0.1, seed: 12, truth: { weights: Float64Array.of(1, 2, -0.5), bias: Float64Array.of(0.7) } });
    const c = src.chunks[0];
    const x = Float32Array.from(c.x, (v, i) => m[i % 3] + sc[i % 3] * v);
    const shifted: Dataset = { ...src, chunks: [{ ...c, x }] };
    const r = await train(reference, shifted, { epochs: 500, batch: Infinity, lr: 0.4, fitBias: false, standardize: true });
    const ne = new NormalEquations(3, false);
    ne.add(x, c.y, 4000);
    const cc = close(r.params, ne.solve(), 1e-6, 1e-6);
    expect(cc.ok, cc.message).toBe(true);
    expect(Array.from(r.standardization!.mean)).toEqual([0, 0, 0]);
    for (let j = 0; j < 3; j++) {
      let ss = 0;
      for (let i = 0; i < 4000; i++) ss += x[i * 3 + j] ** 2;
      expect(r.standardization!.invStd[j]).toBeCloseTo(1 / Math.sqrt(ss / 4000), 9);
    }
  });

  it('also when streamed (webgpu, statistics from a first pass)', async () => {
    const r = await train(webgpu.backend(), ds, {
      epochs: 6, batch: 128, lr: 0.05, standardize: true, chunkRows: 500, memoryBudget: streamBudget(500, 3),
    });
    expect(r.streamed).toBe(true);
    const c = close(r.params, exact(), 1e-3, 2e-2);
    expect(c.ok, c.message).toBe(true);
  });
});
