// Parity: shaders/apply_update.wgsl against its CPU twin (src/cpu/apply_update.ts → core/optim/apply.ts): random
// partial rows are summed and the update applied with each penalty and each optimizer over several steps (so the
// state matters), with gradient clipping and the running average, for one output and for K outputs; the model,
// the step's sums, the recorded batch losses, the optimizer state and the average are compared; outputs start
// poisoned.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { modelSpec, type ModelParams } from '../../src/core/model';
import { OPTIMIZER_NAMES, OPTIMIZERS, type OptimizerKind } from '../../src/core/optim';
import { newOptimState } from '../../src/core/optim/apply';
import { PENALTY_NAMES, type PenaltyKind } from '../../src/core/penalties';
import { Rng } from '../../src/core/rng';
import { applyUpdateCpu } from '../../src/cpu/apply_update';
import { emptyGradSums } from '../../src/cpu/grad_sums';
import { UPDATE_PARAMS, updateBindGroup, updatePipelines } from '../../src/gpu/apply_update';
import { gradLayout, packModel, unpackModel, type GradLayout } from '../../src/gpu/linear_grad';
import { softmaxLayout } from '../../src/gpu/softmax_grad';
import { packHyper } from '../../src/gpu/params';
import { poisoned, readF32, storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();

interface Case {
  d: number; k?: number; count: number; fitBias?: boolean; apply?: boolean; penalty?: PenaltyKind; optimizer?: OptimizerKind;
  /** Clip the mean gradient to this norm. */
  clip?: number;
  /** Average the iterates from the second step. */
  average?: boolean;
  steps?: number;
}

const SLOT = 256;

async function runCase(c: Case, seed: number) {
  const { device, scoped } = gpu();
  const rng = new Rng(seed);
  const k = c.k ?? 1;
  const steps = c.steps ?? 3;
  const spec = modelSpec({
    d: c.d, outputs: k, loss: k > 1 ? 'softmax' : 'squared', fitBias: c.fitBias ?? true, penalty: c.penalty ?? 'none',
    penaltyParams: { alpha: 0.3, l1Ratio: 0.6 }, optimizer: c.optimizer ?? 'sgd', optimParams: { weightDecay: 0.2, rho: 0.9 }, clipNorm: c.clip ?? 0,
  });
  const opt = OPTIMIZERS[spec.optimizer];
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
  // Sessions keep the biases at zero when not fitting them.
  const p: ModelParams = { weights: Float64Array.from(rng.uniformArray(k * c.d), (v) => v * 0.05), bias: Float64Array.from(rng.uniformArray(k), (v) => (spec.fitBias ? v : 0)) };
  const lr = 0.05;
  const rows = 10;
  const rules = Array.from({ length: steps }, (_, s) => ({ lr: lr * (1 + 0.5 * s), t: s + 1, average: c.average && s >= 1 ? s : 0 }));
  const u = await scoped('apply_update pipelines', () => updatePipelines(device, layout, { penalty: spec.penalty, optimizer: spec.optimizer, clip: spec.clipNorm > 0 }));
  const params = device.createBuffer({ size: SLOT * steps, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const records = new Uint8Array(SLOT * steps);
  rules.forEach((r, s) => {
    const [c1, c2] = opt.correction(r.t, spec.optimizerHp);
    records.set(new Uint8Array(UPDATE_PARAMS.pack({
      first, count: c.count, step: s, fit_bias: spec.fitBias ? 1 : 0, lr: r.lr, scale: 1 / rows, c1, c2,
      avg_rate: r.average ? 1 / r.average : 0, clip: spec.clipNorm, avg_base: 2 * cols,
    })), s * SLOT);
  });
  device.queue.writeBuffer(params, 0, records);
  const hp = device.createBuffer({ size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(hp, 0, packHyper(spec.lossHp, spec.penaltyHp, spec.optimizerHp));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const model = new Float32Array(3 * cols * 4);
  model.set(packModel(p, layout));
  const bufs = {
    params, hp,
    partials: storage(device, 'partials', partials),
    model: storage(device, 'model', model),
    sums: poisoned(device, 'sums', pstride4 * 16, usage),
    history: poisoned(device, 'history', 64, usage),
    state: storage(device, 'state', new Float32Array(Math.max(4, cols * opt.slots * 4))),
  };
  await scoped('apply_update', async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(c.apply === false ? u.sumOnly : u.apply);
    const bg = updateBindGroup(device, u, bufs);
    for (let s = 0; s < steps; s++) {
      pass.setBindGroup(0, bg, [s * SLOT]);
      pass.dispatchWorkgroups(u.groups);
    }
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  const [gotModel, gotSums, gotHistory, gotState] = await Promise.all([
    readF32(device, bufs.model), readF32(device, bufs.sums), readF32(device, bufs.history), readF32(device, bufs.state)]);

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
    expect([...gotModel.subarray(0, cols * 4)]).toEqual([...model.subarray(0, cols * 4)]);
    expect(gotHistory.every(Number.isNaN), 'sum-only mode records no loss').toBe(true);
    return;
  }
  const want = { weights: Float64Array.from(p.weights), bias: Float64Array.from(p.bias) };
  const state = newOptimState(spec);
  let loss = 0;
  for (const r of rules) loss = applyUpdateCpu(want, s, state, r, spec).loss;
  const got = unpackModel(gotModel, layout);
  // f32 arithmetic over a few steps; the adaptive rules divide by √v + ε, which amplifies rounding of tiny v.
  const m = allclose([...got.weights, ...got.bias], [...want.weights, ...(spec.fitBias ? want.bias : p.bias)], 2e-6, 1e-4);
  expect(m.ok, m.message).toBe(true);
  if (spec.penalty === 'l1' || spec.penalty === 'elasticnet') {
    expect([...got.weights].map((w) => w === 0), 'the same weights are exactly zero').toEqual([...want.weights].map((w) => Math.abs(w) < 1e-7));
  }
  for (let st = 0; st < steps; st++) expect(Math.abs(gotHistory[st] - loss)).toBeLessThan(1e-6 + 1e-5 * Math.abs(loss));
  expect(Number.isNaN(gotHistory[steps]), 'only history[0 … steps) is written').toBe(true);
  for (let c0 = 0; c0 < k; c0++) {
    const pad = gotModel.subarray((c0 * (dp4 + 1) + dp4) * 4 + 1, (c0 * (dp4 + 1) + dp4) * 4 + 4);
    expect([...pad], 'the bias vec4 keeps (b, 0, 0, 0)').toEqual([0, 0, 0]);
  }
  // The optimizer state: slot s of column col at vec4 col·S + s; the CPU keeps parameter i's slots at i·S.
  const S = opt.slots;
  const gotSlots: number[] = [];
  const wantSlots: number[] = [];
  for (let o = 0; o < k; o++) {
    for (let j = 0; j <= c.d; j++) {
      if (j === c.d && !spec.fitBias) continue;
      const col = o * (dp4 + 1) + (j < c.d ? j >> 2 : dp4);
      const i = j < c.d ? o * c.d + j : k * c.d + o;
      for (let q = 0; q < S; q++) {
        gotSlots.push(gotState[(col * S + q) * 4 + (j < c.d ? j & 3 : 0)]);
        wantSlots.push(state.slots[i * S + q]);
      }
    }
  }
  const st = allclose(gotSlots, wantSlots, 1e-6, 1e-4);
  expect(st.ok, `optimizer state: ${st.message}`).toBe(true);
  if (c.average) {
    const avg = unpackModel(gotModel.subarray(2 * cols * 4), layout);
    const a = allclose([...avg.weights, ...avg.bias], [...state.average!.weights, ...(spec.fitBias ? state.average!.bias : p.bias)], 2e-6, 1e-4);
    expect(a.ok, `running average: ${a.message}`).toBe(true);
  }
}

describe('apply_update parity with the CPU twin', () => {
  for (const d of [1, 3, 63, 64, 65, 1000]) {
    for (const count of [1, 7, 1000]) {
      it(`D=${d}, ${count} partial rows`, () => runCase({ d, count }, d * 31 + count));
    }
  }
  it.each(PENALTY_NAMES)('penalty %s (D=37): decay in the gradient, soft-threshold after the step, bias untouched', (penalty) =>
    runCase({ d: 37, count: 9, penalty }, 40 + penalty.length));
  it.each(OPTIMIZER_NAMES)('optimizer %s, five steps (D=65): the rule, its state, Adam\'s bias correction', (optimizer) =>
    runCase({ d: 65, count: 5, optimizer, steps: 5 }, 70 + optimizer.length));
  it.each(OPTIMIZER_NAMES)('optimizer %s with elastic net, K = 4 outputs (D=6)', (optimizer) =>
    runCase({ d: 6, k: 4, count: 3, optimizer, penalty: 'elasticnet' }, 80 + optimizer.length));
  it('gradient clipping in one workgroup (D=300, norm well above the clip), with Adam', () => runCase({ d: 300, count: 20, clip: 0.5, optimizer: 'adam' }, 90));
  it('gradient clipping below the norm changes nothing (clip 1e6)', () => runCase({ d: 9, count: 4, clip: 1e6 }, 91));
  it('the running average from the second step, with momentum and no bias', () => runCase({ d: 17, count: 6, average: true, optimizer: 'momentum', fitBias: false, steps: 4 }, 92));
  it('K = 30 outputs (D=300): many workgroups of columns', () => runCase({ d: 300, k: 30, count: 4, penalty: 'elasticnet', optimizer: 'adamw' }, 60));
  it('no bias: the biases are left alone', () => runCase({ d: 9, k: 3, count: 20, fitBias: false }, 2));
  it('sum only: the model is untouched and no loss recorded', () => runCase({ d: 9, count: 20, apply: false }, 3));
});
