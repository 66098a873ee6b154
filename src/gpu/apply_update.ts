// Host wrapper of shaders/apply_update.wgsl: sums a step's partial rows and (APPLY) updates the parameters with the
// optimizer and penalty linked in, clipping the gradient norm in one workgroup when CLIP. CPU twin:
// src/cpu/apply_update.ts.
import { OPTIMIZERS, type OptimizerKind } from '../core/optim';
import type { PenaltyKind } from '../core/penalties';
import type { GradLayout } from './linear_grad';
import { PipelineSet } from './shaders';
import { defineParams } from './params';

const COLS = 32;
const GROUPS = 8;

/** The Params record of shaders/apply_update.wgsl. */
export const UPDATE_PARAMS = defineParams('apply_update', [
  ['first', 'u32'], ['count', 'u32'], ['step', 'u32'], ['fit_bias', 'u32'], ['lr', 'f32'], ['scale', 'f32'],
  ['c1', 'f32'], ['c2', 'f32'], ['avg_rate', 'f32'], ['clip', 'f32'], ['avg_base', 'u32'], ['pad', 'u32'],
]);

/** Apply the step, or only sum the partial rows. */
export type UpdateVariant = 'apply' | 'sumOnly';

/** The update pipelines (apply the step, or only sum) for a gradient layout, each compiled when first needed. */
export interface UpdatePipelines {
  bindGroupLayout: GPUBindGroupLayout;
  readonly apply: GPUComputePipeline;
  readonly sumOnly: GPUComputePipeline;
  /** Compiles the named ones side by side (the other compiles if and when asked for). */
  prepare(names: Iterable<UpdateVariant>): Promise<void>;
  /** Workgroups per dispatch (1 when clipping: one workgroup finds the norm, then updates every column). */
  groups: number;
}

/** The units an update links: the penalty, the optimizer, and whether it clips the gradient norm. */
export interface UpdateUnits {
  penalty?: PenaltyKind;
  optimizer?: OptimizerKind;
  clip?: boolean;
}

/** The apply_update pipelines for a gradient layout; `prepare` names those compiled now, side by side (default: both). */
export async function updatePipelines(
  device: GPUDevice, layout: GradLayout, u: UpdateUnits = {}, prepare: readonly UpdateVariant[] = ['apply', 'sumOnly'],
): Promise<UpdatePipelines> {
  const entry = (binding: number, type: GPUBufferBindingType, dynamic = false): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type, hasDynamicOffset: dynamic, ...(dynamic ? { minBindingSize: UPDATE_PARAMS.bytes } : {}) } });
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'apply_update',
    entries: [entry(0, 'uniform', true), entry(1, 'read-only-storage'), entry(2, 'storage'), entry(3, 'storage'), entry(4, 'storage'), entry(5, 'uniform'), entry(6, 'storage')],
  });
  const pl = device.createPipelineLayout({ label: 'apply_update', bindGroupLayouts: [bindGroupLayout] });
  const constants = { COLS, GROUPS, DP4: layout.dp4, K: layout.k, CLIP: u.clip ? 1 : 0, DECOUPLED: OPTIMIZERS[u.optimizer ?? 'sgd'].decoupled ? 1 : 0,
    OWN_PENALTY: OPTIMIZERS[u.optimizer ?? 'sgd'].ownsPenalty ? 1 : 0 };
  const set = new PipelineSet<UpdateVariant>(device, 'apply_update', { penalty: u.penalty, optimizer: u.optimizer }, pl, {
    apply: { ...constants, APPLY: 1 }, sumOnly: { ...constants, APPLY: 0 },
  });
  await set.prepare(prepare);
  return {
    bindGroupLayout, groups: u.clip ? 1 : Math.ceil(layout.pstride4 / COLS),
    get apply() { return set.get('apply'); },
    get sumOnly() { return set.get('sumOnly'); },
    prepare: (names) => set.prepare(names),
  };
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
