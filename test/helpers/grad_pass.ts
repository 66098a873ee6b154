// Runs one gradient pass (shaders/linear_grad.wgsl or softmax_grad.wgsl, chosen by the loss) on the real adapter
// with poisoned partial rows, and the f64 CPU twin (src/cpu/grad_rows.ts) on the same inputs; the parity tests
// compare the two. Inputs are seeded uniform(−1, 1) (targets: the loss's domain). A case may pick a kernel variant: x
// stored as packed halves (the twin then reads the same rounded values) and subgroup reductions.
import { expect } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { LOSSES, type LossKind, type LossUnit, type ScalarLoss } from '../../src/core/losses';
import { confusionClasses } from '../../src/core/metrics';
import { modelSpec, type ModelParams, type ModelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { gradRows } from '../../src/cpu/grad_rows';
import { emptyGradSums, type GradSums } from '../../src/cpu/grad_sums';
import {
  GRAD_PARAMS, gradBindGroup, linearGradPipelines, packModel, packNorm, planGroups, type GradPipelines, type KernelVariant,
} from '../../src/gpu/linear_grad';
import { packF16, roundF16Array, type DType } from '../../src/core/f16';
import type { Reduction } from '../../src/gpu/shaders';
import { softmaxGradPipelines } from '../../src/gpu/softmax_grad';
import { feistelHalfBits } from '../../src/core/permute';
import { packHyper } from '../../src/gpu/params';
import type { GpuContext } from '../../src/gpu/device';
import { poisoned, readF32, storage } from './gpu';

/** One parity case. */
export interface GradCase {
  loss: LossKind;
  d: number;
  rows: number;
  /** Outputs K (multiclass only). */
  k?: number;
  start?: number;
  count?: number;
  shuffle?: boolean;
  standardize?: boolean;
  mode?: 'train' | 'evaluate';
  /** Most workgroups (few, so each runs several row iterations). */
  maxGroups?: number;
  /** How x is stored on the GPU (default f32; f16: packed halves, and the twin reads the rounded values). */
  dtype?: DType;
  /** The kernels' reductions (default workgroup memory); subgroup needs `sg`. */
  reduction?: Reduction;
  /** Subgroup variant: invocations per shuffle run. */
  sg?: number;
}

/** Hyperparameters that put rows on both sides of each loss's kink. */
const LOSS_PARAMS = { huberDelta: 0.3, epsilon: 0.2, quantile: 0.3 };

/** Pipelines per device (test files may share this module, each with its own device: isolate is off for unit tests). */
const pipelineCaches = new WeakMap<GPUDevice, Map<string, Promise<GradPipelines>>>();

/** The model spec of a case. */
export function caseSpec(c: GradCase, norm?: ModelSpec['standardize']): ModelSpec {
  const multi = LOSSES[c.loss].task === 'multiclass';
  return modelSpec({ d: c.d, outputs: multi ? c.k ?? 3 : 1, loss: c.loss, lossParams: LOSS_PARAMS, standardize: norm });
}

/** Whether a regression loss restricts its targets (checkTarget refuses a negative value): then it gets counts. */
const countTargets = (u: LossUnit) => u.task === 'regression' && !!u.checkTarget && u.checkTarget(-0.5) !== null;

/** Seeded targets in the loss's domain: class indices, counts (from 1 where 0 is refused), or uniform(−1, 1). */
function targets(rng: Rng, loss: LossKind, rows: number, k: number): Float32Array {
  const unit = LOSSES[loss];
  const task = unit.task;
  if (task === 'regression' && !countTargets(unit)) return rng.uniformArray(rows);
  const n = task === 'binary' ? 2 : task === 'multiclass' ? k : 6;
  const lo = task === 'regression' && unit.checkTarget!(0) !== null ? 1 : 0;
  return Float32Array.from({ length: rows }, () => lo + Math.floor(rng.float24() * n));
}

/** Whether a loss's link grows exponentially (log-link regression: exp(z) overflows f32 for z of order √D). */
const expLink = (u: LossUnit) => u.task === 'regression' && (u as ScalarLoss).link(8, LOSS_HP_PROBE) > 100;
const LOSS_HP_PROBE = [1.5, 0, 0, 0] as const;

/**
 * A case's seeded inputs drawn after its rows x (the same draws for the GPU harness and the fast CPU's parity test):
 * standardization, the spec, targets in the loss's domain, parameters, the permutation key.
 */
export function caseInputs(c: GradCase, rng: Rng): { norm: ModelSpec['standardize']; spec: ModelSpec; k: number; y: Float32Array; p: ModelParams; key: number; yShift: number } {
  const norm = c.standardize
    ? { mean: Float64Array.from(rng.uniformArray(c.d, -0.5, 0.5)), invStd: Float64Array.from(rng.uniformArray(c.d, 0.5, 3)) }
    : undefined;
  const spec = caseSpec(c, norm);
  const k = spec.outputs;
  const y = targets(rng, c.loss, c.rows, k);
  // A log link's exp(z) stays moderate with small weights; the others see z of order √D.
  const scale = expLink(LOSSES[c.loss]) ? 0.3 / Math.sqrt(c.d) : 1;
  const p: ModelParams = { weights: Float64Array.from(rng.uniformArray(k * c.d), (v) => v * scale), bias: Float64Array.from(rng.uniformArray(k), (v) => v * scale) };
  return { norm, spec, k, y, p, key: rng.u32(), yShift: 0.25 };
}

/** x padded to dp4·4 values per row, as f32 or as packed halves. */
function packRows(x: Float32Array, rows: number, d: number, dp4: number, dtype: DType): Float32Array | Uint16Array {
  const out = dtype === 'f16' ? new Uint16Array(rows * dp4 * 4) : new Float32Array(rows * dp4 * 4);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * d, (r + 1) * d);
    if (out instanceof Uint16Array) packF16(row, out, r * dp4 * 4);
    else out.set(row, r * dp4 * 4);
  }
  return out;
}

/**
 * Runs a case on the GPU and the CPU twin; asserts parity of every sum and of the class counts. Returns the GPU's
 * partial rows summed in f64 (to compare variants with each other).
 */
export async function checkGradCase(ctx: GpuContext, c: GradCase, seed: number): Promise<Float64Array> {
  const { device, scoped } = ctx;
  const rng = new Rng(seed);
  const start = c.start ?? 0;
  const count = c.count ?? c.rows;
  const dtype = c.dtype ?? 'f32';
  const variant: KernelVariant = { dtype, reduction: c.reduction ?? 'workgroup', sg: c.sg ?? 0 };
  const raw = rng.uniformArray(c.rows * c.d);
  // Stored as halves, the data is the rounded values: the twin reads exactly those.
  const x = dtype === 'f16' ? roundF16Array(raw.slice()) : raw;
  const { norm, spec, k, y, p, key, yShift } = caseInputs(c, rng);
  const mode = c.mode ?? 'train';
  const cacheKey = `${c.loss}/${c.d}/${k}/${!!c.standardize}/${dtype}/${variant.reduction}/${variant.sg}`;
  let pipelineCache = pipelineCaches.get(device);
  if (!pipelineCache) pipelineCaches.set(device, (pipelineCache = new Map()));
  if (!pipelineCache.has(cacheKey)) {
    const build = LOSSES[c.loss].task === 'multiclass' ? softmaxGradPipelines : linearGradPipelines;
    pipelineCache.set(cacheKey, scoped(`${c.loss} pipelines`, () => build(device, spec, 256, variant)));
  }
  const pl = await pipelineCache.get(cacheKey)!;
  const { dp4, pstride4, slots, cols, blocks } = pl.layout;
  const xp = packRows(raw, c.rows, c.d, dp4, dtype);
  const { span, groups } = planGroups(count, slots, c.maxGroups ?? 7);
  const base = 2; // written at an offset, to check partial_base
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const partials = poisoned(device, 'partials', (base + groups + 1) * pstride4 * 16, usage);
  const classes = confusionClasses(c.loss, k);
  const confusion = storage(device, 'confusion', new Float32Array(Math.max(4, classes * classes)), GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(confusion, 0, new Uint32Array(Math.max(4, classes * classes)));
  const params = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(params, 0, GRAD_PARAMS.pack({ start, count, rows: c.rows, span, key, half_bits: feistelHalfBits(c.rows), partial_base: base, y_shift: yShift }));
  const hp = device.createBuffer({ size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(hp, 0, packHyper(spec.lossHp, spec.penaltyHp));
  const [got, counts] = await scoped(`${c.loss} pass`, async () => {
    const bg = gradBindGroup(device, pl, {
      params, x: storage(device, 'x', new Float32Array(xp.buffer, 0, xp.byteLength >> 2)), y: storage(device, 'y', y), model: storage(device, 'model', packModel(p, pl.layout)), partials,
      norm: storage(device, 'norm', packNorm(pl.layout, norm)), history: storage(device, 'history', new Float32Array(4)), hp, confusion,
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(mode === 'evaluate' ? pl.evaluate : c.shuffle ? pl.trainShuffled : pl.train);
    pass.setBindGroup(0, bg, [0]);
    pass.dispatchWorkgroups(groups, blocks);
    pass.end();
    device.queue.submit([enc.finish()]);
    return Promise.all([readF32(device, partials), readF32(device, confusion)]);
  });
  const rowF = pstride4 * 4;
  expect(Number.isNaN(got[0]) && Number.isNaN(got[(base + groups) * rowF]), 'rows outside the dispatch stay poisoned').toBe(true);
  const summed = new Float64Array(rowF);
  for (let g = base; g < base + groups; g++) {
    for (let i = 0; i < cols * 4 + 5; i++) {
      const v = got[g * rowF + i];
      if (!Number.isFinite(v)) throw new Error(`partial ${g} element ${i} was not written: ${v}`);
      summed[i] += v;
    }
  }
  const want = gradRows(x, y, c.rows, p, { start, count, key, shuffle: !!c.shuffle }, spec, yShift, mode === 'train',
    emptyGradSums(c.d, k, classes));
  compare(summed, want, spec, dp4, count);
  if (classes && mode === 'evaluate') {
    const gotCounts = new Uint32Array(counts.buffer).subarray(0, classes * classes);
    const off = [...gotCounts].reduce((a, v, i) => a + Math.abs(v - want.confusion![i]), 0);
    // A row whose top outputs differ by < 1e-6 may flip between f32 and f64: allow one such row.
    expect(off, `class counts ${[...gotCounts]} vs ${[...want.confusion!]}`).toBeLessThanOrEqual(2);
    expect([...gotCounts].reduce((a, v) => a + v, 0)).toBe(count);
  }
  return summed;
}

function compare(summed: Float64Array, want: GradSums, spec: ModelSpec, dp4: number, count: number): void {
  const { d, outputs: k } = spec;
  const got: number[] = [];
  const ref: number[] = [];
  for (let c = 0; c < k; c++) {
    const at = c * (dp4 + 1) * 4;
    for (let j = 0; j < d; j++) got.push(summed[at + j]), ref.push(want.grad[c * d + j]);
    got.push(summed[at + dp4 * 4]), ref.push(want.gradBias[c]);
    for (let j = d; j < dp4 * 4; j++) expect(summed[at + j], `padding column ${j} of output ${c} must be zero`).toBe(0);
    for (let j = 1; j < 4; j++) expect(summed[at + dp4 * 4 + j]).toBe(0);
  }
  const s = k * (dp4 + 1) * 4;
  got.push(summed[s]), ref.push(want.loss);
  // Sums of up to ~1000 terms of magnitude ~√D in f32: scale the absolute tolerance with the terms' size.
  const atol = 2e-6 * count * Math.max(1, d) ** 0.5 * 4;
  const main = allclose(got, ref, atol, 1e-4);
  expect(main.ok, main.message).toBe(true);
  const task = LOSSES[spec.loss].task;
  for (let i = 0; i < 4; i++) {
    const g = summed[s + 1 + i];
    const r = want.m[i];
    // Class-count sums (correct predictions) may differ by a row whose output sits at a decision boundary.
    const tol = task !== 'regression' && i === 0 ? 1.5 : atol + 1e-4 * Math.abs(r);
    expect(Math.abs(g - r), `metric sum ${i}: ${g} vs ${r}`).toBeLessThanOrEqual(tol);
  }
}
