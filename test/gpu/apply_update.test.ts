// Parity: shaders/linear_update.wgsl against its CPU twin (src/cpu/linear_update.ts): random partial rows are
// summed and the SGD step applied with each penalty, for one output and for K outputs; the model, the step's sums
// and the recorded batch loss are compared, and outputs start poisoned.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { modelSpec, type ModelParams } from '../../src/core/model';
import { PENALTY_NAMES, type PenaltyKind } from '../../src/core/penalties';
import { Rng } from '../../src/core/rng';
import { emptyGradSums } from '../../src/cpu/grad_rows';
import { linearUpdateCpu } from '../../src/cpu/linear_update';
import { gradLayout, packModel, unpackModel, type GradLayout } from '../../src/gpu/linear_grad';
import { UPDATE_PARAMS, updateBindGroup, updatePipelines } from '../../src/gpu/linear_update';
import { softmaxLayout } from '../../src/gpu/softmax_grad';
import { packHyper } from '../../src/gpu/uniforms';
import { poisoned, readF32, storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();

interface Case { d: number; k?: number; count: number; fitBias?: boolean; apply?: boolean; penalty?: PenaltyKind }

async function runCase(c: Case, seed: number) {
  const { device, scoped } = gpu();
  const rng = new Rng(seed);
  const k = c.k ?? 1;
  const spec = modelSpec({ d: c.d, outputs: k, loss: k > 1 ? 'softmax' : 'squared', fitBias: c.fitBias ?? true, penalty: c.penalty ?? 'none', penaltyParams: { alpha: 0.3, l1Ratio: 0.6 } });
  const layout: GradLayout = k > 1 ? softmaxLayout(c.d, k) : gradLayout(c.d);
  const { dp4, pstride4, cols } = layout;
  const first = 3;
  // Partial rows: gradient columns (padding zero, bias vec4 (Σg, 0, 0, 0)), then (Σloss, m…) sums.
  const partials = new Float32Array((first + c.count) * pstride4 * 4);
  for (let g = first; g < first + c.count; g++) {
    for (let i = 0; i < pstride4 * 4; i++) {
      const col = Math.floor(i / 4);
      const within = col < cols ? (col % (dp4 + 1) < dp4 ? (col % (dp4 + 1)) * 4 + (i % 4) < c.d : i % 4 === 0) : true;
      if (within) partials[g * pstride4 * 4 + i] = rng.uniform(-1, 1);
    }
  }
  // Weights near zero too, so the soft-threshold sets some exactly to zero.
  const p: ModelParams = { weights: Float64Array.from(rng.uniformArray(k * c.d), (v) => v * 0.05), bias: Float64Array.from(rng.uniformArray(k)) };
  const model = packModel(p, layout);
  const lr = 0.05;
  const rows = 10;
  const step = 5;
  const u = await scoped('linear_update pipelines', () => updatePipelines(device, layout, spec.penalty));
  const params = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const view = new DataView(new ArrayBuffer(UPDATE_PARAMS.bytes));
  UPDATE_PARAMS.write(view, 0, { first, count: c.count, step, fit_bias: spec.fitBias ? 1 : 0, lr, scale: 1 / rows });
  device.queue.writeBuffer(params, 0, view.buffer);
  const hp = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(hp, 0, packHyper(spec.lossHp, spec.penaltyHp));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const bufs = {
    params, hp,
    partials: storage(device, 'partials', partials),
    model: storage(device, 'model', model),
    sums: poisoned(device, 'sums', pstride4 * 16, usage),
    history: poisoned(device, 'history', 64, usage),
  };
  await scoped('linear_update', async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(c.apply === false ? u.sumOnly : u.apply);
    pass.setBindGroup(0, updateBindGroup(device, u, bufs), [0]);
    pass.dispatchWorkgroups(u.groups);
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  const [gotModel, gotSums, gotHistory] = await Promise.all([readF32(device, bufs.model), readF32(device, bufs.sums), readF32(device, bufs.history)]);

  const s = emptyGradSums(c.d, k);
  for (let g = first; g < first + c.count; g++) {
    const row = partials.subarray(g * pstride4 * 4, (g + 1) * pstride4 * 4);
    const sums = unpackModel(row, layout);
    sums.weights.forEach((v, i) => (s.grad[i] += v));
    sums.bias.forEach((v, i) => (s.gradBias[i] += v));
    s.loss += row[cols * 4];
  }
  s.rows = rows;
  expect(gotSums.every((v) => Number.isFinite(v)), 'every sum element written').toBe(true);
  const gotS = unpackModel(gotSums, layout);
  const sumsCheck = allclose([...gotS.weights, ...gotS.bias, gotSums[cols * 4]], [...s.grad, ...s.gradBias, s.loss], 1e-5, 1e-5);
  expect(sumsCheck.ok, sumsCheck.message).toBe(true);
  if (c.apply === false) {
    expect([...gotModel]).toEqual([...model]);
    expect(gotHistory.every(Number.isNaN), 'sum-only mode records no loss').toBe(true);
    return;
  }
  const want = { weights: Float64Array.from(p.weights), bias: Float64Array.from(p.bias) };
  const g = linearUpdateCpu(want, s, lr, spec);
  const got = unpackModel(gotModel, layout);
  const m = allclose([...got.weights, ...got.bias], [...want.weights, ...(spec.fitBias ? want.bias : p.bias)], 1e-6, 1e-5);
  expect(m.ok, m.message).toBe(true);
  expect([...got.weights].map((w) => w === 0), 'the same weights are exactly zero').toEqual([...want.weights].map((w) => Math.abs(w) < 1e-7));
  expect(Math.abs(gotHistory[step] - g.loss)).toBeLessThan(1e-6 + 1e-5 * Math.abs(g.loss));
  expect(Number.isNaN(gotHistory[step - 1]), 'only history[step] is written').toBe(true);
  for (let c0 = 0; c0 < k; c0++) {
    const pad = gotModel.subarray((c0 * (dp4 + 1) + dp4) * 4 + 1, (c0 * (dp4 + 1) + dp4) * 4 + 4);
    expect([...pad], 'the bias vec4 keeps (b, 0, 0, 0)').toEqual([0, 0, 0]);
  }
}

describe('linear_update parity with the CPU twin', () => {
  for (const d of [1, 3, 63, 64, 65, 1000]) {
    for (const count of [1, 7, 1000]) {
      it(`D=${d}, ${count} partial rows`, () => runCase({ d, count }, d * 31 + count));
    }
  }
  it.each(PENALTY_NAMES)('penalty %s (D=37): decay in the gradient, soft-threshold after the step, bias untouched', (penalty) =>
    runCase({ d: 37, count: 9, penalty }, 40 + penalty.length));
  it.each(PENALTY_NAMES)('K = 5 outputs (D=6), penalty %s', (penalty) => runCase({ d: 6, k: 5, count: 11, penalty }, 50 + penalty.length));
  it('K = 30 outputs (D=300): many workgroups of columns', () => runCase({ d: 300, k: 30, count: 4, penalty: 'elasticnet' }, 60));
  it('no bias: the biases are left alone', () => runCase({ d: 9, k: 3, count: 20, fitBias: false }, 2));
  it('sum only: the model is untouched and no loss recorded', () => runCase({ d: 9, count: 20, apply: false }, 3));
});
