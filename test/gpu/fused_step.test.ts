// The FUSED variant of linear_grad (each step's dispatch first applies the previous step's update) against
// its oracle, the two-dispatch path (linear_grad then linear_update), and the CPU reference: same weights,
// same recorded batch losses, including steps that span chunks, standardization, no bias, and a penalty.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { CpuBackend } from '../../src/cpu/backend';
import { linearDataset } from '../../src/data/synthetic';
import { WebGpuBackend } from '../../src/gpu/backend';
import { BASE_VARIANT, linearGradPipelines } from '../../src/gpu/linear_grad';
import { modelSpec, type Gradient } from '../../src/core/model';
import type { Step } from '../../src/core/schedule';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();
const data = linearDataset({ rows: 3000, features: 9, noise: 0.1, seed: 6 });

const cases: [string, TrainOptions][] = [
  ['shuffled, batches spanning 5 chunks', { epochs: 2, batch: 128, lr: 0.05, seed: 1, chunkRows: 700 }],
  ['standardized, no bias, batch 1 for 300 rows', { epochs: 1, batch: 1, lr: 0.01, seed: 2, standardize: true, fitBias: false, chunkRows: 1000 }],
  ['unshuffled, losses read every 7 steps', { epochs: 2, batch: 50, lr: 0.1, shuffle: false, lossEvery: 7 }],
  ['elastic net (decay and soft-threshold in the fused prologue), huber loss', {
    epochs: 2, batch: 64, lr: 0.05, seed: 4, loss: 'huber', huberDelta: 0.2, penalty: 'elasticnet', alpha: 0.05, l1Ratio: 0.7, chunkRows: 1000,
  }],
];

describe('fused steps equal the two-dispatch oracle', () => {
  for (const [name, o] of cases) {
    it(name, async () => {
      const c0 = data.chunks[0];
      const small = name.includes('batch 1')
        ? { ...data, rows: 300, chunks: [{ ...c0, rows: 300, x: c0.x.subarray(0, 300 * data.features.length), y: c0.y.subarray(0, 300) }] }
        : data;
      const fused = await train(WebGpuBackend.createSync(gpu(), { fuse: true }), small, o);
      const plain = await train(WebGpuBackend.createSync(gpu(), { fuse: false }), small, o);
      const cpu = await train(new CpuBackend(), small, o);
      const w = (r: typeof fused) => [...r.params.weights, ...r.params.bias];
      const exact = allclose(w(fused), w(plain), 1e-6, 1e-5);
      expect(exact.ok, `fused vs two-dispatch: ${exact.message}`).toBe(true);
      const ref = allclose(w(fused), w(cpu), 1e-5, 1e-4);
      expect(ref.ok, `fused vs CPU: ${ref.message}`).toBe(true);
      fused.epochs.forEach((e, i) => {
        expect(e.steps).toBe(plain.epochs[i].steps);
        expect(Math.abs(e.loss - plain.epochs[i].loss)).toBeLessThan(1e-5 * plain.epochs[i].loss + 1e-7);
      });
    });
  }
});

describe('pipelines compile for the use a session is made for', () => {
  const spec = modelSpec({ d: 9 });

  it('compiles only the variants asked for, and any other on first use (the same pipeline after)', async () => {
    const { device } = gpu();
    const p = await linearGradPipelines(device, spec, 256, BASE_VARIANT, []);
    expect(p.compiled).toBe(0);
    expect(p.fusable).toBe(true);
    await p.prepare(['evaluate', 'fused']);
    expect(p.compiled).toBe(2);
    const train = p.train;
    expect(p.compiled).toBe(3);
    expect(p.train).toBe(train);
    await p.prepare(['train', 'evaluate']);
    expect(p.compiled).toBe(3);
  });

  it('a session made for unshuffled fused steps still sums a gradient and trains shuffled (variants compiled on first use)', async () => {
    const rows = 500;
    const c = data.chunks[0];
    const x = c.x.subarray(0, rows * 9);
    const y = c.y.subarray(0, rows);
    const step = (shuffle: boolean): Step => ({ index: 0, t: 0, rows, lr: 0.05, average: 0, pieces: [{ chunk: 0, start: 0, count: rows, key: 3, shuffle }] }) as Step;
    const grads: Gradient[] = [];
    const models = [];
    for (const backend of [WebGpuBackend.createSync(gpu(), { fuse: true }), new CpuBackend()]) {
      const store = backend.createStore(9, rows);
      await store.load(0, { rows, x, y });
      const session = await backend.createSession(store, spec, undefined, { batch: 50, shuffle: false, average: false, gradient: false });
      grads.push(await session.gradient(step(false)));
      session.runSteps([step(true)]);
      models.push(await session.readModel());
      session.dispose();
      store.dispose();
    }
    const g = allclose([...grads[0].weights, ...grads[0].bias], [...grads[1].weights, ...grads[1].bias], 1e-5, 1e-5);
    expect(g.ok, g.message).toBe(true);
    const w = allclose([...models[0].weights, ...models[0].bias], [...models[1].weights, ...models[1].bias], 1e-5, 1e-5);
    expect(w.ok, w.message).toBe(true);
  });
});
