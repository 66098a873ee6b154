// Parity: shaders/linear_grad.wgsl against its f64 CPU twin (src/cpu/linear_grad.ts) on seeded uniform(−1, 1)
// inputs at awkward shapes, with and without the shuffle permutation and in evaluation mode.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { Rng } from '../../src/core/rng';
import { emptyGradSums, linearGradCpu } from '../../src/cpu/linear_grad';
import { gradBindGroup, gradPipelines, packNorm, planGroups, writeGradParams } from '../../src/gpu/linear_grad';
import { poisoned, readF32, storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();

interface Case { d: number; rows: number; start: number; count: number; shuffle: boolean; mode: 'train' | 'evaluate'; standardize?: boolean }

async function runCase(c: Case, seed: number) {
  const { device, scoped } = gpu();
  const rng = new Rng(seed);
  const x = rng.uniformArray(c.rows * c.d);
  const y = rng.uniformArray(c.rows);
  const w = Float64Array.from(rng.uniformArray(c.d));
  const bias = rng.uniform(-1, 1);
  const key = rng.u32();
  const yShift = 0.25;
  const norm = c.standardize
    ? { mean: Float64Array.from(rng.uniformArray(c.d, -0.5, 0.5)), invStd: Float64Array.from(rng.uniformArray(c.d, 0.5, 3)) }
    : undefined;
  const p = await scoped('linear_grad pipelines', () => gradPipelines(device, c.d, c.standardize === true));
  const { dp4, pstride4, slots } = p.layout;
  const xp = new Float32Array(c.rows * dp4 * 4);
  for (let r = 0; r < c.rows; r++) xp.set(x.subarray(r * c.d, (r + 1) * c.d), r * dp4 * 4);
  const mp = new Float32Array(dp4 * 4 + 4);
  mp.set(w);
  mp[dp4 * 4] = bias;
  const maxGroups = 7; // few groups so several row iterations per workgroup are exercised
  const { span, groups } = planGroups(c.count, slots, maxGroups);
  const base = 2; // write at an offset to check partial_base
  const partialBytes = (base + groups + 1) * pstride4 * 16;
  const partials = poisoned(device, 'partials', partialBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const params = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const view = new DataView(new ArrayBuffer(64));
  writeGradParams(view, 0, { start: c.start, count: c.count, rows: c.rows, span, key, partialBase: base, yShift });
  device.queue.writeBuffer(params, 0, view.buffer);
  const got = await scoped('linear_grad', async () => {
    const bg = gradBindGroup(device, p, {
      params, x: storage(device, 'x', xp), y: storage(device, 'y', y), model: storage(device, 'model', mp), partials,
      norm: storage(device, 'norm', packNorm(p.layout, norm)),
      history: storage(device, 'history', new Float32Array(4)),
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(c.mode === 'evaluate' ? p.evaluate : c.shuffle ? p.trainShuffled : p.train);
    pass.setBindGroup(0, bg, [0]);
    pass.dispatchWorkgroups(groups);
    pass.end();
    device.queue.submit([enc.finish()]);
    return readF32(device, partials);
  });
  // Rows before partial_base and after the last group stay poisoned; every written value is finite.
  const rowF = pstride4 * 4;
  expect(Number.isNaN(got[0]) && Number.isNaN(got[(base + groups) * rowF])).toBe(true);
  const summed = new Float64Array(rowF);
  for (let g = base; g < base + groups; g++) {
    for (let k = 0; k < rowF; k++) {
      const v = got[g * rowF + k];
      if (!Number.isFinite(v) && !(k >= dp4 * 4 + 5)) throw new Error(`partial ${g} element ${k} was not written: ${v}`);
      if (k < dp4 * 4 + 5) summed[k] += v;
    }
  }
  const want = linearGradCpu(x, y, c.d, c.rows, { weights: w, bias }, { start: c.start, count: c.count, key, shuffle: c.shuffle },
    'mse', yShift, c.mode === 'train', emptyGradSums(c.d), norm);
  const dp = dp4 * 4;
  const gotAll = [...summed.subarray(0, c.d), ...summed.subarray(dp, dp + 5)];
  const wantAll = [...want.grad, want.gradBias, want.loss, want.sae, want.sy, want.syy];
  // Sums of up to ~1000 terms of magnitude ~D in f32: scale the absolute tolerance with the terms' size.
  const atol = 2e-6 * c.count * Math.max(1, c.d) ** 0.5 * 4;
  const report = allclose(gotAll, wantAll, atol, 1e-4);
  expect(report.ok, report.message).toBe(true);
  expect(summed.subarray(c.d, dp).every((v) => v === 0), 'padding columns of the gradient must be zero').toBe(true);
}

describe('linear_grad parity with the CPU twin', () => {
  const ds = [1, 3, 63, 64, 65, 1000];
  const rowsList = [1, 3, 63, 64, 65, 1000];
  for (const d of ds) {
    for (const rows of rowsList) {
      it(`D=${d} rows=${rows}`, async () => {
        await runCase({ d, rows, start: 0, count: rows, shuffle: false, mode: 'train' }, d * 7919 + rows);
      });
    }
  }
  it('a piece in the middle of a chunk, shuffled (D=5, 1000 rows)', async () => {
    await runCase({ d: 5, rows: 1000, start: 123, count: 517, shuffle: true, mode: 'train' }, 11);
  });
  it('shuffled, D=65, 4099 rows', async () => {
    await runCase({ d: 65, rows: 4099, start: 0, count: 4099, shuffle: true, mode: 'train' }, 12);
  });
  it('evaluation mode writes no gradient and the metric sums (D=7)', async () => {
    await runCase({ d: 7, rows: 777, start: 0, count: 777, shuffle: false, mode: 'evaluate' }, 13);
  });
  it('standardizing x on the fly (D=6, 999 rows, shuffled)', async () => {
    await runCase({ d: 6, rows: 999, start: 0, count: 999, shuffle: true, mode: 'train', standardize: true }, 15);
  });
  it('standardizing x on the fly, evaluation (D=65, 300 rows)', async () => {
    await runCase({ d: 65, rows: 300, start: 0, count: 300, shuffle: false, mode: 'evaluate', standardize: true }, 16);
  });
  it('a large case: D=64, 200000 rows', async () => {
    await runCase({ d: 64, rows: 200_000, start: 0, count: 200_000, shuffle: true, mode: 'train' }, 14);
  });
});
