// The one place shaders are loaded and linked: a kernel's entry file, the parts it calls, and the units the
// user chose (loss, penalty, optimizer), concatenated whole (`?raw` imports work in Vite, Vitest and the SSR bundle) and
// compiled once per device and combination. The unit tables below are checked against the registries: a
// registered loss, penalty or optimizer without its WGSL is a compile error. Two variant axes pick whole parts too:
// the data encoding (x_f32 / x_f16) and the reductions (workgroup memory, or subgroups: their variant's directive
// part, `enable subgroups;`, goes first, since WGSL directives must lead the module).
import linearGrad from '../../shaders/linear_grad.wgsl?raw';
import applyUpdate from '../../shaders/apply_update.wgsl?raw';
import softmaxGrad from '../../shaders/softmax_grad.wgsl?raw';
import gram from '../../shaders/gram.wgsl?raw';
import readCeiling from '../../shaders/read_ceiling.wgsl?raw';
import adamMoments from '../../shaders/parts/adam_moments.wgsl?raw';
import fusedPrologue from '../../shaders/parts/fused_prologue.wgsl?raw';
import metricsBinary from '../../shaders/parts/metrics_binary.wgsl?raw';
import metricsRegression from '../../shaders/parts/metrics_regression.wgsl?raw';
import permute from '../../shaders/parts/permute.wgsl?raw';
import reduce from '../../shaders/parts/reduce.wgsl?raw';
import reduceSubgroup from '../../shaders/parts/reduce_subgroup.wgsl?raw';
import lanes from '../../shaders/parts/lanes.wgsl?raw';
import lanesSubgroup from '../../shaders/parts/lanes_subgroup.wgsl?raw';
import enableSubgroups from '../../shaders/parts/enable_subgroups.wgsl?raw';
import loadX from '../../shaders/parts/load_x.wgsl?raw';
import sgdStep from '../../shaders/parts/sgd_step.wgsl?raw';
import xF16 from '../../shaders/parts/x_f16.wgsl?raw';
import xF32 from '../../shaders/parts/x_f32.wgsl?raw';
import subgroupProbe from '../../shaders/subgroup_probe.wgsl?raw';
import epsilonInsensitive from '../../shaders/losses/epsilon_insensitive.wgsl?raw';
import hinge from '../../shaders/losses/hinge.wgsl?raw';
import huber from '../../shaders/losses/huber.wgsl?raw';
import logistic from '../../shaders/losses/logistic.wgsl?raw';
import modifiedHuber from '../../shaders/losses/modified_huber.wgsl?raw';
import poisson from '../../shaders/losses/poisson.wgsl?raw';
import quantile from '../../shaders/losses/quantile.wgsl?raw';
import softmax from '../../shaders/losses/softmax.wgsl?raw';
import squared from '../../shaders/losses/squared.wgsl?raw';
import penaltyElasticnet from '../../shaders/penalties/elasticnet.wgsl?raw';
import penaltyL1 from '../../shaders/penalties/l1.wgsl?raw';
import penaltyL2 from '../../shaders/penalties/l2.wgsl?raw';
import penaltyNone from '../../shaders/penalties/none.wgsl?raw';
import optimAdagrad from '../../shaders/optim/adagrad.wgsl?raw';
import optimAdam from '../../shaders/optim/adam.wgsl?raw';
import optimAdamw from '../../shaders/optim/adamw.wgsl?raw';
import optimMomentum from '../../shaders/optim/momentum.wgsl?raw';
import optimNesterov from '../../shaders/optim/nesterov.wgsl?raw';
import optimRmsprop from '../../shaders/optim/rmsprop.wgsl?raw';
import optimSgd from '../../shaders/optim/sgd.wgsl?raw';
import type { DType } from '../core/f16';
import type { LossKind } from '../core/losses';
import type { OptimizerKind } from '../core/optim';
import type { PenaltyKind } from '../core/penalties';

/**
 * Kernel entry files and the parts each always links; `units` says which user-chosen parts it takes, `data` whether it
 * reads rows through a data part, `reductions` which reduction parts it links in the chosen variant.
 */
const KERNELS = {
  linear_grad: {
    source: linearGrad, parts: [permute, loadX, sgdStep, fusedPrologue], data: true, reductions: ['reduce', 'lanes'],
    units: { loss: true, penalty: true, optimizer: false },
  },
  softmax_grad: { source: softmaxGrad, parts: [permute, loadX], data: true, reductions: ['reduce'], units: { loss: true, penalty: false, optimizer: false } },
  gram: { source: gram, parts: [], data: true, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
  apply_update: { source: applyUpdate, parts: [], data: false, reductions: [], units: { loss: false, penalty: true, optimizer: true } },
  read_ceiling: { source: readCeiling, parts: [], data: false, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
  subgroup_probe: { source: subgroupProbe, parts: [], data: false, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
} as const satisfies Record<string, { source: string; parts: readonly string[]; data: boolean; reductions: readonly ReductionPart[]; units: object }>;

/** How a kernel's invocations add up values: through workgroup memory and barriers, or subgroup shuffles. */
export type Reduction = 'workgroup' | 'subgroup';

/** The reduction parts a kernel may link: reduce_tree (parts/reduce*.wgsl) and lane_sum (parts/lanes*.wgsl). */
type ReductionPart = 'reduce' | 'lanes';

/** Each reduction variant: the directive parts that lead the module, and its reduction parts. */
const REDUCTION_WGSL = {
  workgroup: { directives: [], reduce, lanes },
  subgroup: { directives: [enableSubgroups], reduce: reduceSubgroup, lanes: lanesSubgroup },
} as const satisfies Record<Reduction, { directives: readonly string[] } & Record<ReductionPart, string>>;

/** Each stored data type's part (XWord and x_word). */
export const DTYPE_WGSL = { f32: xF32, f16: xF16 } as const satisfies Record<DType, string>;

/** Kernel stems, matching the entry files in shaders/. */
export type ShaderStem = keyof typeof KERNELS;

/** The gradient kernels a loss can run in. */
export type GradKernel = 'linear_grad' | 'softmax_grad';

/** Each loss's WGSL: its part and its task's metrics part, and the gradient kernel it runs in. */
export const LOSS_WGSL = {
  squared: { kernel: 'linear_grad', parts: [squared, metricsRegression] },
  huber: { kernel: 'linear_grad', parts: [huber, metricsRegression] },
  'epsilon-insensitive': { kernel: 'linear_grad', parts: [epsilonInsensitive, metricsRegression] },
  quantile: { kernel: 'linear_grad', parts: [quantile, metricsRegression] },
  poisson: { kernel: 'linear_grad', parts: [poisson, metricsRegression] },
  logistic: { kernel: 'linear_grad', parts: [logistic, metricsBinary] },
  hinge: { kernel: 'linear_grad', parts: [hinge, metricsBinary] },
  'modified-huber': { kernel: 'linear_grad', parts: [modifiedHuber, metricsBinary] },
  softmax: { kernel: 'softmax_grad', parts: [softmax] },
} as const satisfies Record<LossKind, { kernel: GradKernel; parts: readonly string[] }>;

/** Each penalty's WGSL part. */
export const PENALTY_WGSL = {
  none: penaltyNone, l2: penaltyL2, l1: penaltyL1, elasticnet: penaltyElasticnet,
} as const satisfies Record<PenaltyKind, string>;

/** Each optimizer's WGSL: the parts it needs, then its own. */
export const OPTIM_WGSL = {
  sgd: [optimSgd], momentum: [optimMomentum], nesterov: [optimNesterov], adagrad: [optimAdagrad], rmsprop: [optimRmsprop],
  adam: [adamMoments, optimAdam], adamw: [adamMoments, optimAdamw],
} as const satisfies Record<OptimizerKind, readonly string[]>;

/** The units linked into a kernel, and its variant (what a kernel does not take is ignored). */
export interface Units {
  loss?: LossKind;
  penalty?: PenaltyKind;
  optimizer?: OptimizerKind;
  /** How the rows' features are stored (default f32). */
  dtype?: DType;
  /** Reductions through workgroup memory (default) or subgroups (needs the device's `subgroups` feature). */
  reduction?: Reduction;
}

/** The full WGSL of a kernel with its parts and units: directive parts, the entry file, then whole part files. */
export function linkShader(stem: ShaderStem, u: Units = {}): string {
  const k = KERNELS[stem];
  const loss = u.loss ?? (stem === 'softmax_grad' ? 'softmax' : 'squared');
  if (k.units.loss && LOSS_WGSL[loss].kernel !== stem) throw new Error(`the ${loss} loss does not run in ${stem}`);
  const variant = REDUCTION_WGSL[stem === 'subgroup_probe' ? 'subgroup' : u.reduction ?? 'workgroup'];
  const units = [
    ...(k.units.loss ? LOSS_WGSL[loss].parts : []), ...(k.units.penalty ? [PENALTY_WGSL[u.penalty ?? 'none']] : []),
    ...(k.units.optimizer ? OPTIM_WGSL[u.optimizer ?? 'sgd'] : []),
  ];
  const reductions = (k.reductions as readonly ReductionPart[]).map((r) => variant[r]);
  const directives = reductions.length || stem === 'subgroup_probe' ? variant.directives : [];
  return [...directives, k.source, ...k.parts, ...reductions, ...(k.data ? [DTYPE_WGSL[u.dtype ?? 'f32']] : []), ...units].join('\n');
}

const cache = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

/** The compiled module of a kernel and units on a device (compiled on first use). */
export function shaderModule(device: GPUDevice, stem: ShaderStem, u: Units = {}): GPUShaderModule {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const k = KERNELS[stem].units;
  const { data, reductions } = KERNELS[stem];
  const key = `${stem}/${k.loss ? u.loss ?? '' : ''}/${k.penalty ? u.penalty ?? 'none' : ''}/${k.optimizer ? u.optimizer ?? 'sgd' : ''}` +
    `/${data ? u.dtype ?? 'f32' : ''}/${reductions.length ? u.reduction ?? 'workgroup' : ''}`;
  let mod = perDevice.get(key);
  if (!mod) {
    mod = device.createShaderModule({ label: key, code: linkShader(stem, u) });
    perDevice.set(key, mod);
  }
  return mod;
}

function descriptor(device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>): GPUComputePipelineDescriptor {
  return { label: stem, layout, compute: { module: shaderModule(device, stem, u), entryPoint: 'main', constants } };
}

/** A compute pipeline for a kernel and units with override constants. */
export function computePipeline(
  device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>,
): GPUComputePipeline {
  return device.createComputePipeline(descriptor(device, stem, u, layout, constants));
}

/** Like computePipeline, compiled off the calling thread (several can compile at once). */
export function computePipelineAsync(
  device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  return device.createComputePipelineAsync(descriptor(device, stem, u, layout, constants));
}
