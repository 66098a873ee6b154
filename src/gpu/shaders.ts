// The one place shaders are loaded and linked: a kernel's entry file, the parts it calls, and the units the
// user chose (loss, penalty, optimizer), concatenated whole (`?raw` imports work in Vite, Vitest and the SSR bundle) and
// compiled once per device and combination. The unit tables below are checked against the registries: a
// registered loss, penalty or optimizer without its WGSL is a compile error.
import linearGrad from '../../shaders/linear_grad.wgsl?raw';
import applyUpdate from '../../shaders/apply_update.wgsl?raw';
import softmaxGrad from '../../shaders/softmax_grad.wgsl?raw';
import gram from '../../shaders/gram.wgsl?raw';
import adamMoments from '../../shaders/parts/adam_moments.wgsl?raw';
import fusedPrologue from '../../shaders/parts/fused_prologue.wgsl?raw';
import metricsBinary from '../../shaders/parts/metrics_binary.wgsl?raw';
import metricsRegression from '../../shaders/parts/metrics_regression.wgsl?raw';
import permute from '../../shaders/parts/permute.wgsl?raw';
import reduce from '../../shaders/parts/reduce.wgsl?raw';
import sgdStep from '../../shaders/parts/sgd_step.wgsl?raw';
import xF32 from '../../shaders/parts/x_f32.wgsl?raw';
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
import type { LossKind } from '../core/losses';
import type { OptimizerKind } from '../core/optim';
import type { PenaltyKind } from '../core/penalties';

/** Kernel entry files and the parts each always links; `units` says which user-chosen parts it takes. */
const KERNELS = {
  linear_grad: { source: linearGrad, parts: [permute, reduce, xF32, sgdStep, fusedPrologue], units: { loss: true, penalty: true, optimizer: false } },
  softmax_grad: { source: softmaxGrad, parts: [permute, reduce, xF32], units: { loss: true, penalty: false, optimizer: false } },
  gram: { source: gram, parts: [], units: { loss: false, penalty: false, optimizer: false } },
  apply_update: { source: applyUpdate, parts: [], units: { loss: false, penalty: true, optimizer: true } },
} as const;

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

/** The units linked into a kernel (those it does not take are ignored). */
export interface Units {
  loss?: LossKind;
  penalty?: PenaltyKind;
  optimizer?: OptimizerKind;
}

/** The full WGSL of a kernel with its parts and units: the entry file first, then whole part files. */
export function linkShader(stem: ShaderStem, u: Units = {}): string {
  const k = KERNELS[stem];
  const loss = u.loss ?? (stem === 'softmax_grad' ? 'softmax' : 'squared');
  if (k.units.loss && LOSS_WGSL[loss].kernel !== stem) throw new Error(`the ${loss} loss does not run in ${stem}`);
  const units = [
    ...(k.units.loss ? LOSS_WGSL[loss].parts : []), ...(k.units.penalty ? [PENALTY_WGSL[u.penalty ?? 'none']] : []),
    ...(k.units.optimizer ? OPTIM_WGSL[u.optimizer ?? 'sgd'] : []),
  ];
  return [k.source, ...k.parts, ...units].join('\n');
}

const cache = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

/** The compiled module of a kernel and units on a device (compiled on first use). */
export function shaderModule(device: GPUDevice, stem: ShaderStem, u: Units = {}): GPUShaderModule {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const k = KERNELS[stem].units;
  const key = `${stem}/${k.loss ? u.loss ?? '' : ''}/${k.penalty ? u.penalty ?? 'none' : ''}/${k.optimizer ? u.optimizer ?? 'sgd' : ''}`;
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
