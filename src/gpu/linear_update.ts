// Host wrapper of shaders/linear_update.wgsl: sums a step's partial rows and (APPLY) takes the SGD step.
// CPU twin: src/cpu/linear_update.ts.
import type { GradLayout } from './linear_grad';
import { computePipeline } from './shaders';

const COLS = 32;
const GROUPS = 8;

/** Bytes of one Params record. */
export const UPDATE_PARAMS_BYTES = 32;

/** Writes a Params record at byte `offset`. */
export function writeUpdateParams(
  view: DataView, offset: number,
  p: { first: number; count: number; step: number; fitBias: boolean; lr: number; scale: number },
): void {
  view.setUint32(offset, p.first, true);
  view.setUint32(offset + 4, p.count, true);
  view.setUint32(offset + 8, p.step, true);
  view.setUint32(offset + 12, p.fitBias ? 1 : 0, true);
  view.setFloat32(offset + 16, p.lr, true);
  view.setFloat32(offset + 20, p.scale, true);
}

/** The update pipelines (apply the step, or only sum) for a gradient layout. */
export interface UpdatePipelines {
  bindGroupLayout: GPUBindGroupLayout;
  apply: GPUComputePipeline;
  sumOnly: GPUComputePipeline;
  /** Workgroups per dispatch. */
  groups: number;
}

/** Builds the linear_update pipelines. */
export function updatePipelines(device: GPUDevice, layout: GradLayout): UpdatePipelines {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'linear_update',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: UPDATE_PARAMS_BYTES } },
      entry(1, 'read-only-storage'),
      entry(2, 'storage'),
      entry(3, 'storage'),
      entry(4, 'storage'),
    ],
  });
  const pl = device.createPipelineLayout({ label: 'linear_update', bindGroupLayouts: [bindGroupLayout] });
  const constants = { COLS, GROUPS, DP4: layout.dp4 };
  return {
    bindGroupLayout,
    apply: computePipeline(device, 'linear_update', pl, { ...constants, APPLY: 1 }),
    sumOnly: computePipeline(device, 'linear_update', pl, { ...constants, APPLY: 0 }),
    groups: Math.ceil(layout.pstride4 / COLS),
  };
}

/** Binds partials, model, sums and the loss history; params come from the ring with a dynamic offset. */
export function updateBindGroup(
  device: GPUDevice, p: UpdatePipelines,
  b: { params: GPUBuffer; partials: GPUBuffer; model: GPUBuffer; sums: GPUBuffer; history: GPUBuffer },
): GPUBindGroup {
  return device.createBindGroup({
    label: 'linear_update',
    layout: p.bindGroupLayout,
    entries: [
      { binding: 0, resource: { buffer: b.params, size: UPDATE_PARAMS_BYTES } },
      { binding: 1, resource: { buffer: b.partials } },
      { binding: 2, resource: { buffer: b.model } },
      { binding: 3, resource: { buffer: b.sums } },
      { binding: 4, resource: { buffer: b.history } },
    ],
  });
}
