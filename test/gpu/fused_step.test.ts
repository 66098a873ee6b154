// The FUSED variant of linear_grad (each step's dispatch first applies the previous step's update) against
// its oracle, the two-dispatch path (linear_grad then linear_update), and the CPU reference: same weights,
// same recorded batch losses, including steps that span chunks, standardization, no bias, and a penalty.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { CpuBackend } from '../../src/cpu/backend';
import { linearDataset } from '../../src/data/synthetic';
import { WebGpuBackend } from '../../src/gpu/backend';
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
