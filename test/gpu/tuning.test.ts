// The per-adapter tuning table (src/gpu/tuning.ts): which entry an adapter gets, and that every entry's tuning
// (workgroups per piece, fusion threshold, upload path), run on this adapter, trains to the same weights as this
// adapter's own entry within f32 reduction-order tolerance, and to the CPU reference's.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { CpuBackend } from '../../src/cpu/backend';
import { linearDataset } from '../../src/data/synthetic';
import { classesDataset } from '../../src/data/synthetic_classes';
import { WebGpuBackend } from '../../src/gpu/backend';
import { TUNING_TABLE, tuningEntry } from '../../src/gpu/tuning';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();
const data = linearDataset({ rows: 5000, features: 13, noise: 0.1, seed: 9 });
const classes = classesDataset({ rows: 1500, features: 13, classes: 3, seed: 4 });

describe('tuning table', () => {
  it('matches adapters by vendor and architecture; the last entry catches the rest', () => {
    expect(tuningEntry({ vendor: 'mesa', architecture: 'software' }, 'llvmpipe').name).toBe('software');
    expect(tuningEntry({ vendor: 'nvidia', architecture: 'hopper' }, 'NVIDIA H200').name).toBe('nvidia');
    expect(tuningEntry({ vendor: 'acme' }, 'Acme GPU').name).toBe('default');
    expect(TUNING_TABLE[TUNING_TABLE.length - 1].match.test('')).toBe(true);
    for (const e of TUNING_TABLE) expect(e.evidence.length, e.name).toBeGreaterThan(20);
    const here = WebGpuBackend.createSync(gpu());
    expect(here.maxGroups).toBe(here.tuning.tuning.maxGroups);
    console.log(`this adapter's tuning: ${here.tuning.name} (${here.tuning.basis}) ${JSON.stringify(here.tuning.tuning)}`);
  });

  const cases: [string, TrainOptions, typeof data][] = [
    ['full batch', { epochs: 20, batch: Infinity, lr: 0.3, seed: 1, chunkRows: 4096 }, data],
    ['B = 128 (fused where the entry allows), chunks of 1500', { epochs: 2, batch: 128, lr: 0.05, seed: 2, chunkRows: 1500 }, data],
    ['B = 500, softmax K = 3', { epochs: 1, batch: 500, lr: 0.2, seed: 3, loss: 'softmax' }, classes],
  ];
  it.each(cases)('every entry trains like this adapter\'s own entry: %s', async (_, o, ds) => {
    const own = await train(WebGpuBackend.createSync(gpu()), ds, o);
    const cpu = await train(new CpuBackend(), ds, o);
    const w = (r: typeof own) => [...r.params.weights, ...r.params.bias];
    for (const e of TUNING_TABLE) {
      const r = await train(WebGpuBackend.createSync(gpu(), { ...e.tuning }), ds, o);
      const same = allclose(w(r), w(own), 1e-5, 1e-4);
      expect(same.ok, `${e.name} vs own entry: ${same.message}`).toBe(true);
      const ref = allclose(w(r), w(cpu), 1e-5, 1e-4);
      expect(ref.ok, `${e.name} vs CPU: ${ref.message}`).toBe(true);
    }
  });
});
