// Host wrapper of shaders/linear_grad.wgsl (one output): how a D-feature row maps onto a workgroup, its
// pipelines for a loss and penalty, and what it shares with softmax_grad (the same bindings and Params, the
// model and partial-row layout). CPU twin: src/cpu/linear_grad.ts.
import type { ModelParams, ModelSpec } from '../core/model';
import { LOSSES } from '../core/losses';
import type { DType } from '../core/f16';
import { NO_EXTRAS, type RowExtras } from '../core/dataset';
import { PipelineSet, type GradKernel, type Reduction } from './shaders';
import { defineParams } from './params';
import { rowValueConstants } from './row_values';

/** Largest vec4 count per lane the shader holds in registers (its MAX_VPL). */
export const MAX_VPL = 16;

/** How a gradient pass lays out a model of K outputs over D features. */
export interface GradLayout {
  kernel: GradKernel;
  d: number;
  /** Padded features / 4. */
  dp4: number;
  /** Outputs K. */
  k: number;
  /** Parameter vec4 columns: K × (DP4 weight vec4s, then (bias, 0, 0, 0)). */
  cols: number;
  /** vec4s per partial row: the parameter columns, then two of sums. */
  pstride4: number;
  wg: number;
  /** A workgroup's span of rows is a multiple of this. */
  slots: number;
  /** Workgroups along y per piece (softmax_grad's column blocks; 1 for linear_grad). */
  blocks: number;
  /** linear_grad: invocations per row (softmax_grad: 1). */
  lanes: number;
  /** linear_grad: vec4s per invocation; softmax_grad: gradient columns per invocation. */
  vpl: number;
}

/** Chooses lanes per row (about 4 vec4s per lane) for d features. */
export function gradLayout(d: number, wg = 256): GradLayout {
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`features must be a positive integer, got ${d}`);
  const dp4 = Math.ceil(d / 4);
  let lanes = 1;
  while (lanes < wg && lanes * 4 < dp4) lanes *= 2;
  const vpl = Math.ceil(dp4 / lanes);
  if (vpl > MAX_VPL) throw new Error(`${d} features exceed the most this kernel supports (${4 * MAX_VPL * wg})`);
  return { kernel: 'linear_grad', d, dp4, k: 1, cols: dp4 + 1, pstride4: dp4 + 3, wg, slots: wg / lanes, blocks: 1, lanes, vpl };
}

/** Splits `count` rows over at most `maxGroups` workgroups; span is a multiple of the row slots. */
export function planGroups(count: number, slots: number, maxGroups: number): { span: number; groups: number } {
  const span = planSpan(count, slots, maxGroups);
  return { span, groups: Math.max(1, Math.ceil(count / span)) };
}

/** planGroups' span alone (its groups: max(1, ⌈count / span⌉)), for the encoding loop, which allocates nothing. */
export function planSpan(count: number, slots: number, maxGroups: number): number {
  return Math.max(slots, Math.ceil(Math.ceil(count / maxGroups) / slots) * slots);
}

/** The Params record of both gradient kernels (shaders/linear_grad.wgsl, softmax_grad.wgsl). */
export const GRAD_PARAMS = defineParams('linear_grad', [
  ['start', 'u32'], ['count', 'u32'], ['rows', 'u32'], ['span', 'u32'], ['key', 'u32'], ['half_bits', 'u32'],
  ['partial_base', 'u32'], ['y_shift', 'f32'], ['model_in', 'u32'], ['model_out', 'u32'], ['fuse', 'u32'],
  ['prev_base', 'u32'], ['prev_count', 'u32'], ['prev_step', 'u32'], ['prev_lr', 'f32'], ['prev_inv_rows', 'f32'],
]);

/** Bits of the FUSED `fuse` field: apply the previous step, store the weights, update the bias. */
export const FUSE = { apply: 1, store: 2, bias: 4 } as const;

/** Packs parameters as the kernels' model: per output, DP4 weight vec4s (zero-padded), then (bias, 0, 0, 0). */
export function packModel(p: ModelParams, layout: GradLayout): Float32Array<ArrayBuffer> {
  const { d, dp4, k } = layout;
  const out = new Float32Array(layout.cols * 4);
  for (let c = 0; c < k; c++) {
    out.set(p.weights.subarray(c * d, (c + 1) * d), c * (dp4 + 1) * 4);
    out[(c * (dp4 + 1) + dp4) * 4] = p.bias[c];
  }
  return out;
}

/** Unpacks the kernels' model into f64 parameters (the inverse of packModel). */
export function unpackModel(f: Float32Array, layout: GradLayout): ModelParams {
  const { d, dp4, k } = layout;
  const weights = new Float64Array(k * d);
  const bias = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) weights[c * d + j] = f[c * (dp4 + 1) * 4 + j];
    bias[c] = f[(c * (dp4 + 1) + dp4) * 4];
  }
  return { weights, bias };
}

/** Packs a standardization as the shaders' `norm` array (padding columns: mean 0, inverse std 0). */
export function packNorm(layout: Pick<GradLayout, 'd' | 'dp4'>, s?: { mean: ArrayLike<number>; invStd: ArrayLike<number> }): Float32Array<ArrayBuffer> {
  const out = new Float32Array(layout.dp4 * 8);
  if (s) {
    for (let j = 0; j < layout.d; j++) {
      out[j] = s.mean[j];
      out[layout.dp4 * 4 + j] = s.invStd[j];
    }
  }
  return out;
}

/** The bind group layout shared by every gradient pipeline. */
export function gradBindGroupLayout(device: GPUDevice): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType, dynamic = false): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type, hasDynamicOffset: dynamic, ...(dynamic ? { minBindingSize: GRAD_PARAMS.bytes } : {}) } });
  return device.createBindGroupLayout({
    label: 'grad',
    entries: [
      entry(0, 'uniform', true), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'storage'),
      entry(4, 'storage'), entry(5, 'read-only-storage'), entry(6, 'storage'), entry(7, 'uniform'), entry(8, 'storage'),
    ],
  });
}

/** The buffers a gradient pass binds. */
export interface GradBuffers {
  params: GPUBuffer;
  x: GPUBuffer;
  y: GPUBuffer;
  model: GPUBuffer;
  partials: GPUBuffer;
  norm: GPUBuffer;
  history: GPUBuffer;
  hp: GPUBuffer;
  confusion: GPUBuffer;
}

/**
 * Which variant of a gradient kernel to build: how x is stored, which per-row values y holds beside the targets, and
 * how invocations reduce (SG: the run size).
 */
export interface KernelVariant {
  dtype: DType;
  /** Sample weights and offsets packed in y (default none). */
  extras?: RowExtras;
  reduction: Reduction;
  /** Subgroup variant: invocations per shuffle run, a power of two ≤ the subgroup size (src/gpu/subgroups.ts). */
  sg: number;
}

/** f32 rows, workgroup-memory reductions: runs on every adapter (the oracle of the other variants). */
export const BASE_VARIANT: KernelVariant = { dtype: 'f32', reduction: 'workgroup', sg: 0 };

/** The linker's units and the override constants of a variant. */
export function variantLink(v: KernelVariant): { units: { dtype: DType; reduction: Reduction }; constants: Record<string, number> } {
  return {
    units: { dtype: v.dtype, reduction: v.reduction },
    constants: { ...(v.reduction === 'subgroup' ? { SG: v.sg } : {}), ...rowValueConstants(v.extras ?? NO_EXTRAS) },
  };
}

/** The variants of a gradient kernel: training passes (in storage order or shuffled), evaluation, and one-dispatch steps. */
export type GradVariant = 'train' | 'trainShuffled' | 'evaluate' | 'fused' | 'fusedShuffled';

/** The pipelines of one model: training passes (with and without shuffling) and evaluation, each compiled when first needed. */
export interface GradPipelines {
  layout: GradLayout;
  variant: KernelVariant;
  bindGroupLayout: GPUBindGroupLayout;
  readonly train: GPUComputePipeline;
  readonly trainShuffled: GPUComputePipeline;
  /** Loss and metric sums (and class counts when classifying), no gradient. */
  readonly evaluate: GPUComputePipeline;
  /** Whether the model has one-dispatch steps (not where the staged weights overflow workgroup memory, nor for K outputs). */
  readonly fusable: boolean;
  /** One-dispatch steps (null where not fusable). */
  fused(shuffle: boolean): GPUComputePipeline | null;
  /** Compiles the variants a run will use, side by side (the others compile if and when asked for). */
  prepare(names: Iterable<GradVariant>): Promise<void>;
  /** How many variants are compiled. */
  readonly compiled: number;
}

/** Every variant a model has. */
export function allGradVariants(p: Pick<GradPipelines, 'fusable'>): GradVariant[] {
  return ['train', 'trainShuffled', 'evaluate', ...(p.fusable ? ['fused', 'fusedShuffled'] as const : [])];
}

/** A model's gradient pipelines over a PipelineSet of its variants' constants. */
export function gradPipelineSet(
  layout: GradLayout, variant: KernelVariant, bindGroupLayout: GPUBindGroupLayout, set: PipelineSet<GradVariant>, fusable: boolean,
): GradPipelines {
  return {
    layout, variant, bindGroupLayout, fusable,
    get train() { return set.get('train'); },
    get trainShuffled() { return set.get('trainShuffled'); },
    get evaluate() { return set.get('evaluate'); },
    fused: (shuffle) => (fusable ? set.get(shuffle ? 'fusedShuffled' : 'fused') : null),
    prepare: (names) => set.prepare([...names].filter((n) => fusable || (n !== 'fused' && n !== 'fusedShuffled'))),
    get compiled() { return set.compiled; },
  };
}

/** Workgroup memory the FUSED variant needs: the dot buffers, the tree and the staged weights. */
export function fusedWorkgroupBytes(layout: GradLayout): number {
  return 2 * layout.wg * 4 + layout.wg * 16 + (layout.dp4 + 1) * 16;
}

/**
 * The linear_grad pipelines of a one-output model; `prepare` names the variants compiled now, side by side (default:
 * all of them), the rest compile when first used.
 */
export async function linearGradPipelines(
  device: GPUDevice, spec: ModelSpec, wg = 256, variant = BASE_VARIANT, prepare?: readonly GradVariant[],
): Promise<GradPipelines> {
  const layout = gradLayout(spec.d, wg);
  const bindGroupLayout = gradBindGroupLayout(device);
  const pl = device.createPipelineLayout({ label: 'linear_grad', bindGroupLayouts: [bindGroupLayout] });
  const link = variantLink(variant);
  const units = { loss: spec.loss, penalty: spec.penalty, ...link.units };
  const base = {
    WG: layout.wg, LANES: layout.lanes, VPL: layout.vpl, DP4: layout.dp4, PSTRIDE4: layout.pstride4, STANDARDIZE: spec.standardize ? 1 : 0, ...link.constants,
  };
  const fusable = fusedWorkgroupBytes(layout) <= device.limits.maxComputeWorkgroupStorageSize;
  const classify = LOSSES[spec.loss].task === 'binary';
  const fused = { GRAD: 1, FUSED: 1, WM: layout.dp4 + 1 };
  const set = new PipelineSet<GradVariant>(device, 'linear_grad', units, pl, {
    train: { ...base, GRAD: 1, SHUFFLE: 0 }, trainShuffled: { ...base, GRAD: 1, SHUFFLE: 1 },
    evaluate: { ...base, GRAD: 0, SHUFFLE: 0, CONFUSION: classify ? 1 : 0 },
    fused: { ...base, ...fused, SHUFFLE: 0 }, fusedShuffled: { ...base, ...fused, SHUFFLE: 1 },
  });
  const p = gradPipelineSet(layout, variant, bindGroupLayout, set, fusable);
  await p.prepare(prepare ?? allGradVariants(p));
  return p;
}

/** Binds one chunk (x, y), the model, the partials, the standardization and the hyperparameters. */
export function gradBindGroup(device: GPUDevice, p: GradPipelines, b: GradBuffers): GPUBindGroup {
  const order = [b.params, b.x, b.y, b.model, b.partials, b.norm, b.history, b.hp, b.confusion];
  return device.createBindGroup({
    label: p.layout.kernel,
    layout: p.bindGroupLayout,
    entries: order.map((buffer, binding) => ({ binding, resource: binding === 0 ? { buffer, size: GRAD_PARAMS.bytes } : { buffer } })),
  });
}
