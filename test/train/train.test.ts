// End to end on every backend of the test matrix: convergence to the exact least-squares solution, agreement with
// the f64 reference from one seed, host-update = backend update, chunking invariance, and the seeds' worked example
// J(w) = w².
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { regressionMetrics } from '../../src/core/metrics';
import type { Dataset } from '../../src/core/dataset';
import { leastSquares } from '../../src/core/lstsq';
import type { ModelParams } from '../../src/core/model';
import { linearDataset } from '../../src/data/synthetic';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { reference, useBackends } from '../helpers/matrix';

const BACKENDS = useBackends();
const webgpu = BACKENDS.find((b) => b.kind === 'webgpu')!;

function exactOf(ds: Dataset) {
  const c = ds.chunks[0];
  return leastSquares(c.x, c.y, ds.rows, ds.features.length, true);
}

const small = linearDataset({ rows: 3000, features: 5, noise: 0.1, seed: 1 });

describe('training converges to the exact least-squares solution', () => {
  it.each(BACKENDS)('full-batch gradient descent on %s (|w − w_ls| ≤ 2e-4)', async (b) => {
    const r = await train(b.backend(), small, { epochs: 400, batch: Infinity, lr: 0.5, seed: 3 });
    const exact = exactOf(small);
    // f32 data and arithmetic on the GPU: 2e-4 is ~100 ulps of coefficients of size ~2.
    const check = allclose([...r.params.weights, ...r.params.bias], [...exact.weights, ...exact.bias], 2e-4, 0);
    expect(check.ok, check.message).toBe(true);
    expect(r.epochs[r.epochs.length - 1].loss).toBeLessThan(r.epochs[0].loss);
  });
  it('mini-batch SGD on webgpu lands near the solution (|w − w_ls| ≤ 0.02) and the loss falls', async () => {
    const r = await train(webgpu.backend(), small, { epochs: 8, batch: 64, lr: 0.02, seed: 5 });
    const exact = exactOf(small);
    const check = allclose([...r.params.weights, ...r.params.bias], [...exact.weights, ...exact.bias], 0.02, 0);
    expect(check.ok, check.message).toBe(true);
    expect(r.epochs[7].loss).toBeLessThan(r.epochs[0].loss / 10);
    expect(regressionMetrics(r.final).r2).toBeGreaterThan(0.99);
  });
});

describe('the f32 backends and the f64 reference agree from one seed', () => {
  it.each(BACKENDS.filter((b) => b.precision === 'f32'))('%s: shuffled SGD with batches spanning chunks: losses and weights match', async (b) => {
    const opts: TrainOptions = { epochs: 3, batch: 300, lr: 0.05, seed: 9, chunkRows: 1000, evaluateEachEpoch: true };
    const [c, g] = await Promise.all([reference, b.backend()].map((backend) => train(backend, small, opts)));
    expect(g.chunkRows).toEqual([1000, 1000, 1000]);
    for (let e = 0; e < 3; e++) {
      expect(Math.abs(g.epochs[e].loss - c.epochs[e].loss)).toBeLessThan(1e-4 * c.epochs[e].loss + 1e-6);
      expect(g.epochs[e].steps).toBe(10);
    }
    expect(c.epochs[2].loss).toBeLessThan(c.epochs[0].loss);
    const w = allclose([...g.params.weights, ...g.params.bias], [...c.params.weights, ...c.params.bias], 1e-4, 1e-4);
    expect(w.ok, w.message).toBe(true);
    const [gf, cf] = [regressionMetrics(g.final), regressionMetrics(c.final)];
    for (const k of ['mse', 'mae', 'r2'] as const) expect(Math.abs(gf[k] - cf[k])).toBeLessThan(1e-4 * Math.abs(cf[k]) + 1e-6);
  });
});

describe('host-update mode', () => {
  it.each(BACKENDS)('equals the backend\'s own update path on %s', async (c) => {
    const b = c.backend();
    const opts: TrainOptions = { epochs: 2, batch: 500, lr: 0.1, seed: 4, chunkRows: 1200 };
    const onBackend = await train(b, small, opts);
    const onHost = await train(b, small, { ...opts, hostUpdate: true });
    const w = allclose([...onHost.params.weights, ...onHost.params.bias], [...onBackend.params.weights, ...onBackend.params.bias], 1e-6, 1e-5);
    expect(w.ok, w.message).toBe(true);
    expect(onHost.epochs.map((e) => e.steps)).toEqual(onBackend.epochs.map((e) => e.steps));
    expect(Math.abs(onHost.epochs[1].loss - onBackend.epochs[1].loss)).toBeLessThan(1e-5 * onBackend.epochs[1].loss);
  });
});

describe('chunking does not change the result', () => {
  it('unshuffled: 7 chunks of 450 rows train the same as one chunk (GPU)', async () => {
    const g = webgpu.backend();
    const opts: TrainOptions = { epochs: 2, batch: 200, lr: 0.05, shuffle: false };
    const one = await train(g, small, opts);
    const many = await train(g, small, { ...opts, chunkRows: 450 });
    expect(many.chunkRows.length).toBe(7);
    const w = allclose([...many.params.weights, ...many.params.bias], [...one.params.weights, ...one.params.bias], 1e-6, 1e-5);
    expect(w.ok, w.message).toBe(true);
  });
});

describe("the seeds' worked example: J(w) = w² from w = 20 with α = 0.1", () => {
  // J(w) = w² is the MSE of one row x = 1, y = 0 with no bias; dJ/dw = 2w, so w ← w − 0.1·2w = 0.8·w.
  const one: Dataset = { features: ['x'], target: 'y', rows: 1, chunks: [{ rows: 1, x: Float32Array.of(1), y: Float32Array.of(0) }] };
  it.each(BACKENDS)('gives 16, 12.8, 10.24, … = 20·0.8^k on %s', async (c) => {
    const b = c.backend();
    const ws: number[] = [];
    const losses: number[] = [];
    let init: ModelParams = { weights: Float64Array.of(20), bias: Float64Array.of(0) };
    for (let k = 1; k <= 100; k++) {
      const r = await train(b, one, { epochs: 1, batch: 1, lr: 0.1, fitBias: false, init });
      init = r.params;
      ws.push(r.params.weights[0]);
      losses.push(r.epochs[0].loss);
    }
    expect(ws.slice(0, 3).map((w) => Number(w.toFixed(4)))).toEqual([16, 12.8, 10.24]);
    expect(losses[0]).toBeCloseTo(400, 3); // J(20) = 400, recorded before the first step
    const want = ws.map((_, i) => 20 * 0.8 ** (i + 1));
    const check = allclose(ws, want, 0, 1e-5 * 100); // f32 rounding compounds over 100 steps
    expect(check.ok, check.message).toBe(true);
    // The notes' "about 0.000146" is w after 53 steps; after 100 steps w = 20·0.8^100 ≈ 4.07e-9.
    expect(Number(ws[52].toPrecision(3))).toBe(0.000146);
    expect(Number(ws[99].toPrecision(3))).toBe(4.07e-9);
  });
});

describe('epoch reports', () => {
  it('carry the parameters after each epoch (original units) when someone listens, ending at the result', async () => {
    const seen: ModelParams[] = [];
    const r = await train(reference, small, { epochs: 3, batch: 100, lr: 0.05, seed: 2, standardize: true, onEpoch: (e) => seen.push(e.params!) });
    expect(seen).toHaveLength(3);
    expect([...seen[2].weights, ...seen[2].bias]).toEqual([...r.params.weights, ...r.params.bias]);
    expect(seen[0].weights[0]).not.toBe(seen[2].weights[0]);
    const quiet = await train(reference, small, { epochs: 1, batch: 100, lr: 0.05 });
    expect(quiet.epochs[0].params).toBeUndefined();
  });
});

describe('divergence', () => {
  it.each(BACKENDS)('stops with a clear message when the loss overflows (%s)', async (c) => {
    await expect(train(c.backend(), small, { epochs: 400, batch: Infinity, lr: 50 })).rejects.toThrow(/training diverged in epoch \d+ .*the learning rate 50 is too large.*; try --lr (0\.\d+|\de-\d+)$/);
  });
});
