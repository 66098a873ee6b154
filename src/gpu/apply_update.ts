// Host wrapper of shaders/linear_update.wgsl: sums a step's partial rows and (APPLY) takes the SGD step with
// the penalty linked in. CPU twin: src/cpu/linear_update.ts.
import type { PenaltyKind } from '../core/penalties';
import type { GradLayout } from './linear_grad';
import { computePipeline } from './shaders';
import { uniformLayout } from './uniforms';

const COLS = 32;
const GROUPS = 8;

/** The Params record of shaders/linear_update.wgsl. */
export const UPDATE_PARAMS = uniformLayout([
  ['first', 'u32'], ['count', 'u32'], ['step', 'u32'], ['fit_bias', 'u32'], ['lr', 'f32'], ['scale', 'f32'],
]);

/** The update pipelines (apply the step, or only sum) for a gradient layout. */
export interface UpdatePipelines {
  bindGroupLayout: GPUBindGroupLayout;
  apply: GPUComputePipeline;
  sumOnly: GPUComputePipeline;
  /** Workgroups per dispatch. */
  groups: number;
}

/** Builds the linear_update pipelines for a gradient layout and a penalty. */
export function updatePipelines(device: GPUDevice, layout: GradLayout, penalty: PenaltyKind = 'none'): UpdatePipelines {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'linear_update',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: UPDATE_PARAMS.bytes } },
      entry(1, 'read-only-storage'), entry(2, 'storage'), entry(3, 'storage'), entry(4, 'storage'), entry(5, 'uniform'),
    ],
  });
  const pl = device.createPipelineLayout({ label: 'linear_update', bindGroupLayouts: [bindGroupLayout] });
  const constants = { COLS, GROUPS, DP4: layout.dp4, K: layout.k };
  return {
    bindGroupLayout,
    apply: computePipeline(device, 'linear_update', { penalty }, pl, { ...constants, APPLY: 1 }),
    sumOnly: computePipeline(device, 'linear_update', { penalty }, pl, { ...constants, APPLY: 0 }),
    groups: Math.ceil(layout.pstride4 / COLS),
  };
}

/** Binds partials, model, sums, the loss history and the hyperparameters; params come from the ring. */
export function updateBindGroup(
  device: GPUDevice, p: UpdatePipelines,
  b: { params: GPUBuffer; partials: GPUBuffer; model: GPUBuffer; sums: GPUBuffer; history: GPUBuffer; hp: GPUBuffer },
): GPUBindGroup {
  const order = [b.params, b.partials, b.model, b.sums, b.history, b.hp];
  return device.createBindGroup({
    label: 'linear_update',
    layout: p.bindGroupLayout,
    entries: order.map((buffer, binding) => ({ binding, resource: binding === 0 ? { buffer, size: UPDATE_PARAMS.bytes } : { buffer } })),
  });
}
