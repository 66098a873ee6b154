// Parity: shaders/linear_update.wgsl against its CPU twin (src/cpu/linear_update.ts): random partial rows are
// summed and the SGD step applied; the model, the step's sums and the recorded batch loss are compared.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { Rng } from '../../src/core/rng';
import { emptyGradSums } from '../../src/cpu/linear_grad';
import { linearUpdateCpu } from '../../src/cpu/linear_update';
import { gradLayout } from '../../src/gpu/linear_grad';
import { updateBindGroup, updatePipelines, writeUpdateParams } from '../../src/gpu/linear_update';
import { poisoned, readF32, storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();

async function runCase(d: number, count: number, fitBias: boolean, apply: boolean, seed: number) {
  const { device, scoped } = gpu();
  const rng = new Rng(seed);
  const layout = gradLayout(d);
  const { dp4, pstride4 } = layout;
  const first = 3;
  const partials = new Float32Array((first + count) * pstride4 * 4);
  for (let g = first; g < first + count; g++) {
    for (let k = 0; k < pstride4 * 4; k++) {
      const col = k < dp4 * 4 ? (k < d ? k : -1) : k;
      if (col >= 0) partials[g * pstride4 * 4 + k] = rng.uniform(-1, 1);
    }
  }
  const weights = Float64Array.from(rng.uniformArray(d));
  const bias = rng.uniform(-1, 1);
  const model = new Float32Array(dp4 * 4 + 4);
  model.set(weights);
  model[dp4 * 4] = bias;
  const lr = 0.05;
  const rows = 1000;
  const step = 5;
  const u = await scoped('linear_update pipelines', () => updatePipelines(device, layout));
  const params = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const view = new DataView(new ArrayBuffer(32));
  writeUpdateParams(view, 0, { first, count, step, fitBias, lr, scale: 1 / rows });
  device.queue.writeBuffer(params, 0, view.buffer);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const bufs = {
    params,
    partials: storage(device, 'partials', partials),
    model: storage(device, 'model', model),
    sums: poisoned(device, 'sums', pstride4 * 16, usage),
    history: poisoned(device, 'history', 64, usage),
  };
  await scoped('linear_update', async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(apply ? u.apply : u.sumOnly);
    pass.setBindGroup(0, updateBindGroup(device, u, bufs), [0]);
    pass.dispatchWorkgroups(u.groups);
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  const [gotModel, gotSums, gotHistory] = await Promise.all([
    readF32(device, bufs.model), readF32(device, bufs.sums), readF32(device, bufs.history)]);

  const s = emptyGradSums(d);
  const dp = dp4 * 4;
  for (let g = first; g < first + count; g++) {
    const row = partials.subarray(g * pstride4 * 4, (g + 1) * pstride4 * 4);
    for (let j = 0; j < d; j++) s.grad[j] += row[j];
    s.gradBias += row[dp];
    s.loss += row[dp + 1];
  }
  s.rows = rows;
  const p = { weights: Float64Array.from(weights), bias };
  const want = apply ? linearUpdateCpu(p, s, lr, fitBias) : null;
  const sumsCheck = allclose([...gotSums.subarray(0, d), gotSums[dp], gotSums[dp + 1]], [...s.grad, s.gradBias, s.loss], 1e-5, 1e-5);
  expect(sumsCheck.ok, sumsCheck.message).toBe(true);
  expect(gotSums.every((v) => Number.isFinite(v)), 'every sum element written').toBe(true);
  if (apply && want) {
    const m = allclose([...gotModel.subarray(0, d), gotModel[dp]], [...p.weights, fitBias ? p.bias : bias]);
    expect(m.ok, m.message).toBe(true);
    expect(Math.abs(gotHistory[step] - want.loss)).toBeLessThan(1e-6 + 1e-5 * Math.abs(want.loss));
    expect(Number.isNaN(gotHistory[step - 1]), 'only history[step] is written').toBe(true);
  } else {
    expect([...gotModel]).toEqual([...model]);
    expect(gotHistory.every(Number.isNaN), 'sum-only mode records no loss').toBe(true);
  }
}

describe('linear_update parity with the CPU twin', () => {
  for (const d of [1, 3, 63, 64, 65, 1000]) {
    for (const count of [1, 7, 64, 1000]) {
      it(`D=${d}, ${count} partial rows`, () => runCase(d, count, true, true, d * 31 + count));
    }
  }
  it('no bias: the bias is left alone', () => runCase(9, 20, false, true, 2));
  it('sum only: the model is untouched and no loss recorded', () => runCase(9, 20, true, false, 3));
});
