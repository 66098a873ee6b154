// Parity: shaders/read_ceiling.wgsl (src/gpu/read_ceiling.ts) against its f64 CPU twin (src/cpu/read_ceiling.ts) at
// awkward sizes, partials poisoned first; and measureCeiling returns read and copy rates on a small buffer.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { Rng } from '../../src/core/rng';
import { readCeilingCpu } from '../../src/cpu/read_ceiling';
import { CEILING_PARAMS, ceilingGroups, measureCeiling, ReadCeiling } from '../../src/gpu/read_ceiling';
import { linkShader } from '../../src/gpu/shaders';
import { readF32, storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();

describe('read_ceiling', () => {
  it('declares the Params its host layout writes', () => {
    expect(linkShader('read_ceiling')).toMatch(/struct Params \{\s*n4: u32,[^}]*span: u32,[^}]*_pad0: u32,[^}]*_pad1: u32,/);
    expect(CEILING_PARAMS.bytes).toBe(16);
  });

  it.each([1, 3, 63, 64, 65, 1000, 70001])('sums %i vec4s per workgroup like the CPU twin', async (n4) => {
    const ctx = gpu();
    const x = new Rng(n4).uniformArray(4 * n4);
    const xb = storage(ctx.device, 'x', x);
    // Few workgroups too, so spans are long and the unrolled loop and its tail both run.
    for (const maxGroups of [undefined, 3]) {
      const pass = await ReadCeiling.create(ctx, xb, n4, maxGroups);
      try {
        ctx.device.queue.writeBuffer(pass.partials, 0, new Float32Array(4 * pass.groups).fill(NaN));
        await ctx.scoped('read_ceiling', () => {
          const enc = ctx.device.createCommandEncoder();
          pass.encode(enc, 1);
          ctx.device.queue.submit([enc.finish()]);
        });
        const got = await readF32(ctx.device, pass.partials);
        expect(pass.groups).toBe(ceilingGroups(n4, maxGroups).groups);
        // f32 sums of up to ~23000 uniform(−1, 1) values per component: rounding grows like √span·ε·|terms|.
        const r = allclose(got, readCeilingCpu(x, pass.span, pass.groups), 1e-3, 1e-5);
        expect(r.ok, r.message).toBe(true);
      } finally {
        pass.dispose();
      }
    }
    xb.destroy();
  });

  it('measures the read pass and a copy of a small buffer', async () => {
    const r = await measureCeiling(gpu(), 4 << 20, { runs: 2 });
    expect(r.bytes).toBe(4 << 20);
    for (const v of [r.readSeconds, r.copySeconds, r.readBytesPerSecond, r.copyBytesPerSecond]) expect(v).toBeGreaterThan(0);
    if (gpu().hasTimestamps) expect(r.readGpuSeconds).toBeGreaterThan(0);
  });
});
