// Host wrapper of shaders/apply_update.wgsl: sums a step's partial rows and (APPLY) updates the parameters with the
// optimizer and penalty linked in, clipping the gradient norm in one workgroup when CLIP. CPU twin:
// src/cpu/apply_update.ts.
import { OPTIMIZERS, type OptimizerKind } from '../core/optim';
import type { PenaltyKind } from '../core/penalties';
import type { GradLayout } from './linear_grad';
import { computePipelineAsync } from './shaders';
import { defineParams } from './params';

const COLS = 32;
const GROUPS = 8;

/** The Params record of shaders/apply_update.wgsl. */
export const UPDATE_PARAMS = defineParams('apply_update', [
  ['first', 'u32'], ['count', 'u32'], ['step', 'u32'], ['fit_bias', 'u32'], ['lr', 'f32'], ['scale', 'f32'],
  ['c1', 'f32'], ['c2', 'f32'], ['avg_rate', 'f32'], ['clip', 'f32'], ['avg_base', 'u32'], ['pad', 'u32'],
]);

/** The update pipelines (apply the step, or only sum) for a gradient layout. */
export interface UpdatePipelines {
  bindGroupLayout: GPUBindGroupLayout;
  apply: GPUComputePipeline;
  sumOnly: GPUComputePipeline;
  /** Workgroups per dispatch (1 when clipping: one workgroup finds the norm, then updates every column). */
  groups: number;
}

/** The units an update links: the penalty, the optimizer, and whether it clips the gradient norm. */
export interface UpdateUnits {
  penalty?: PenaltyKind;
  optimizer?: OptimizerKind;
  clip?: boolean;
}

/** Builds the apply_update pipelines for a gradient layout (compiled off the calling thread, both at once). */
export async function updatePipelines(device: GPUDevice, layout: GradLayout, u: UpdateUnits = {}): Promise<UpdatePipelines> {
  const entry = (binding: number, type: GPUBufferBindingType, dynamic = false): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type, hasDynamicOffset: dynamic, ...(dynamic ? { minBindingSize: UPDATE_PARAMS.bytes } : {}) } });
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'apply_update',
    entries: [entry(0, 'uniform', true), entry(1, 'read-only-storage'), entry(2, 'storage'), entry(3, 'storage'), entry(4, 'storage'), entry(5, 'uniform'), entry(6, 'storage')],
  });
  const pl = device.createPipelineLayout({ label: 'apply_update', bindGroupLayouts: [bindGroupLayout] });
  const constants = { COLS, GROUPS, DP4: layout.dp4, K: layout.k, CLIP: u.clip ? 1 : 0, DECOUPLED: OPTIMIZERS[u.optimizer ?? 'sgd'].decoupled ? 1 : 0,
    OWN_PENALTY: OPTIMIZERS[u.optimizer ?? 'sgd'].ownsPenalty ? 1 : 0 };
  const units = { penalty: u.penalty, optimizer: u.optimizer };
  const [apply, sumOnly] = await Promise.all([
    computePipelineAsync(device, 'apply_update', units, pl, { ...constants, APPLY: 1 }),
    computePipelineAsync(device, 'apply_update', units, pl, { ...constants, APPLY: 0 }),
  ]);
  return { bindGroupLayout, apply, sumOnly, groups: u.clip ? 1 : Math.ceil(layout.pstride4 / COLS) };
}

/** The buffers an update binds. */
export interface UpdateBuffers {
  params: GPUBuffer;
  partials: GPUBuffer;
  model: GPUBuffer;
  sums: GPUBuffer;
  history: GPUBuffer;
  hp: GPUBuffer;
  state: GPUBuffer;
}

/** Binds partials, model, sums, the loss history, the hyperparameters and the optimizer state; params come from the ring. */
export function updateBindGroup(device: GPUDevice, p: UpdatePipelines, b: UpdateBuffers): GPUBindGroup {
  const order = [b.params, b.partials, b.model, b.sums, b.history, b.hp, b.state];
  return device.createBindGroup({
    label: 'apply_update',
    layout: p.bindGroupLayout,
    entries: order.map((buffer, binding) => ({ binding, resource: binding === 0 ? { buffer, size: UPDATE_PARAMS.bytes } : { buffer } })),
  });
}
