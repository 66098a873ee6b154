// Timestamp-query profiling on the real adapter: a profiling session reports the GPU time of its passes
// (bounded by the wall time around them); an ordinary one reports none.
import { describe, expect, it } from 'vitest';
import { linearDataset } from '../../src/data/synthetic';
import { WebGpuBackend } from '../../src/gpu/backend';
import type { GpuSession } from '../../src/gpu/session';
import { benchmark } from '../../src/train/bench';
import { uploadDataset } from '../../src/train/train';
import { useGpu } from '../helpers/gpu';
import { modelSpec } from '../../src/core/model';

const gpu = useGpu();

describe('pass profiling', () => {
  it('sums the GPU time of the passes, no more than the wall time; none without profiling', async () => {
    const ctx = gpu();
    expect(ctx.hasTimestamps, 'the adapter offers timestamp-query').toBe(true);
    const backend = WebGpuBackend.createSync(ctx, { profile: true });
    const data = await uploadDataset(backend, linearDataset({ rows: 20_000, features: 8, seed: 1 }));
    const r = await benchmark(backend, data, { batch: 1000, runs: 3, epochsPerRun: 2 });
    expect(r.gpuSecondsPerEpoch).toBeGreaterThan(0);
    expect(r.gpuSecondsPerEpoch!).toBeLessThanOrEqual(r.secondsPerEpoch * 1.05);
    const plain = await backend.createSession(data.store, modelSpec({ d: 8 }));
    const quiet = await WebGpuBackend.createSync(ctx).createSession(data.store, modelSpec({ d: 8 }));
    expect(await (plain as GpuSession).gpuSeconds()).toBe(0);
    expect(await (quiet as GpuSession).gpuSeconds()).toBeNull();
    plain.dispose();
    quiet.dispose();
    data.dispose();
  });
});
