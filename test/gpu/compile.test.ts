// Kernels are compiled before a run's clock starts (src/gpu/backend.ts createSession): a new pipeline set reports its
// compile time on the session and in the run's result, apart from the epochs; the same model again compiles nothing;
// the run says 'compiling' before 'training', and both before its first epoch.
import { describe, expect, it } from 'vitest';
import { modelSpec } from '../../src/core/model';
import { linearDataset } from '../../src/data/synthetic';
import { WebGpuBackend } from '../../src/gpu/backend';
import { train } from '../../src/train/train';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();

describe('compiling before the clock', () => {
  it('a new model compiles once, reported apart; the phases come before the first epoch', async () => {
    const backend = WebGpuBackend.createSync(gpu());
    const data = linearDataset({ rows: 500, features: 5, noise: 0.1, seed: 3 });
    const events: string[] = [];
    const opts = { epochs: 2, batch: 50, lr: 0.05, penalty: 'l1' as const, alpha: 1e-3, onPhase: (p: string) => events.push(p), onEpoch: () => events.push('epoch') };
    const first = await train(backend, data, opts);
    expect(first.compileSeconds).toBeGreaterThan(0);
    expect(events.slice(0, 3)).toEqual(['compiling', 'training', 'epoch']);
    const again = await train(backend, data, opts);
    expect(again.compileSeconds).toBe(0);
    const store = backend.createStore(5, 16, true);
    await store.load(0, data.chunks[0].rows >= 16 ? { rows: 16, x: data.chunks[0].x.subarray(0, 80), y: data.chunks[0].y.subarray(0, 16) } : data.chunks[0]);
    const s = await backend.createSession(store, modelSpec({ d: 5, optimizer: 'rmsprop' }), undefined, { batch: 8, shuffle: false, average: true, gradient: true });
    expect(s.compileSeconds).toBeGreaterThan(0);
    s.dispose();
    store.dispose();
  });
});
