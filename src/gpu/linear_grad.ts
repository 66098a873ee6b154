// Host wrapper of shaders/linear_grad.wgsl: the layout of a D-feature pass, its pipelines, and how one
// piece of rows is split over workgroups. CPU twin: src/cpu/linear_grad.ts.
import { feistelHalfBits } from '../core/permute';
import { computePipelineAsync } from './shaders';

/** Largest vec4 count per lane the shader holds in registers (its MAX_VPL). */
export const MAX_VPL = 16;

/** How a D-feature row maps onto a workgroup. */
export interface GradLayout {
  d: number;
  /** Padded features / 4. */
  dp4: number;
  lanes: number;
  vpl: number;
  wg: number;
  /** Rows a workgroup handles at once. */
  slots: number;
  /** vec4s per partial row: the gradient, then two of sums. */
  pstride4: number;
}

/** Chooses lanes per row (about 4 vec4s per lane) for d features. */
export function gradLayout(d: number, wg = 256): GradLayout {
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`features must be a positive integer, got ${d}`);
  const dp4 = Math.ceil(d / 4);
  let lanes = 1;
  while (lanes < wg && lanes * 4 < dp4) lanes *= 2;
  const vpl = Math.ceil(dp4 / lanes);
  if (vpl > MAX_VPL) throw new Error(`${d} features exceed the most this kernel supports (${4 * MAX_VPL * wg})`);
  return { d, dp4, lanes, vpl, wg, slots: wg / lanes, pstride4: dp4 + 2 };
}

/** Splits `count` rows over at most `maxGroups` workgroups; span is a multiple of the row slots. */
export function planGroups(count: number, slots: number, maxGroups: number): { span: number; groups: number } {
  const span = Math.max(slots, Math.ceil(Math.ceil(count / maxGroups) / slots) * slots);
  return { span, groups: Math.max(1, Math.ceil(count / span)) };
}

/** Bytes of one Params record. */
export const GRAD_PARAMS_BYTES = 64;

/** The FUSED part of a Params record: apply the previous step first (see shaders/linear_grad.wgsl). */
export interface FuseParams {
  modelIn: number;
  modelOut: number;
  apply: boolean;
  store: boolean;
  fitBias: boolean;
  prevBase: number;
  prevCount: number;
  prevStep: number;
  prevScale: number;
  prevLossScale: number;
}

/** Packs a standardization as the shader's `norm` array (padding columns: mean 0, inverse std 0). */
export function packNorm(layout: GradLayout, s?: { mean: ArrayLike<number>; invStd: ArrayLike<number> }): Float32Array<ArrayBuffer> {
  const out = new Float32Array(layout.dp4 * 8);
  if (s) {
    for (let j = 0; j < layout.d; j++) {
      out[j] = s.mean[j];
      out[layout.dp4 * 4 + j] = s.invStd[j];
    }
  }
  return out;
}

/** Writes a Params record at byte `offset`. */
export function writeGradParams(
  view: DataView, offset: number,
  p: { start: number; count: number; rows: number; span: number; key: number; partialBase: number; yShift: number },
  f?: FuseParams,
): void {
  const u = [p.start, p.count, p.rows, p.span, p.key >>> 0, feistelHalfBits(Math.max(1, p.rows)), p.partialBase];
  u.forEach((v, i) => view.setUint32(offset + 4 * i, v, true));
  view.setFloat32(offset + 28, p.yShift, true);
  const bits = f ? (f.apply ? 1 : 0) | (f.store ? 2 : 0) | (f.fitBias ? 4 : 0) : 0;
  [f?.modelIn ?? 0, f?.modelOut ?? 0, bits, f?.prevBase ?? 0, f?.prevCount ?? 0, f?.prevStep ?? 0]
    .forEach((v, i) => view.setUint32(offset + 32 + 4 * i, v, true));
  view.setFloat32(offset + 56, f?.prevScale ?? 0, true);
  view.setFloat32(offset + 60, f?.prevLossScale ?? 0, true);
}

/** The bind group layout shared by every linear_grad pipeline. */
export function gradBindGroupLayout(device: GPUDevice): GPUBindGroupLayout {
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry =>
    ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  return device.createBindGroupLayout({
    label: 'linear_grad',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: GRAD_PARAMS_BYTES } },
      storage(1, 'read-only-storage'),
      storage(2, 'read-only-storage'),
      storage(3, 'storage'),
      storage(4, 'storage'),
      storage(5, 'read-only-storage'),
      storage(6, 'storage'),
    ],
  });
}

/** The pipelines of one layout: training passes (with and without shuffling) and evaluation. */
export interface GradPipelines {
  layout: GradLayout;
  bindGroupLayout: GPUBindGroupLayout;
  train: GPUComputePipeline;
  trainShuffled: GPUComputePipeline;
  evaluate: GPUComputePipeline;
  /** One-dispatch steps (null where the staged weights do not fit workgroup memory). */
  fused(shuffle: boolean): GPUComputePipeline | null;
}

/** Workgroup memory the FUSED variant needs: the dot buffers, the tree and the staged weights. */
export function fusedWorkgroupBytes(layout: GradLayout): number {
  return 2 * layout.wg * 4 + layout.wg * 16 + (layout.dp4 + 1) * 16;
}

/** Builds the linear_grad pipelines for d features (standardizing x on the fly when `standardize`), all at once. */
export async function gradPipelines(device: GPUDevice, d: number, standardize = false, wg = 256): Promise<GradPipelines> {
  const layout = gradLayout(d, wg);
  const bindGroupLayout = gradBindGroupLayout(device);
  const pl = device.createPipelineLayout({ label: 'linear_grad', bindGroupLayouts: [bindGroupLayout] });
  const base = { WG: layout.wg, LANES: layout.lanes, VPL: layout.vpl, DP4: layout.dp4, STANDARDIZE: standardize ? 1 : 0 };
  const make = (c: Record<string, number>) => computePipelineAsync(device, 'linear_grad', pl, { ...base, ...c });
  const fits = fusedWorkgroupBytes(layout) <= device.limits.maxComputeWorkgroupStorageSize;
  const fused = (shuffle: number) => (fits ? make({ GRAD: 1, SHUFFLE: shuffle, FUSED: 1, WM: layout.dp4 + 1 }) : Promise.resolve(null));
  const [train, trainShuffled, evaluate, fusedPlain, fusedShuffled] = await Promise.all([
    make({ GRAD: 1, SHUFFLE: 0 }), make({ GRAD: 1, SHUFFLE: 1 }), make({ GRAD: 0, SHUFFLE: 0 }), fused(0), fused(1),
  ]);
  return { layout, bindGroupLayout, train, trainShuffled, evaluate, fused: (shuffle) => (shuffle ? fusedShuffled : fusedPlain) };
}

/** Binds one chunk (x, y), the model, the partials and the standardization; params come from the ring. */
export function gradBindGroup(
  device: GPUDevice, p: GradPipelines,
  b: { params: GPUBuffer; x: GPUBuffer; y: GPUBuffer; model: GPUBuffer; partials: GPUBuffer; norm: GPUBuffer; history: GPUBuffer },
): GPUBindGroup {
  return device.createBindGroup({
    label: 'linear_grad',
    layout: p.bindGroupLayout,
    entries: [
      { binding: 0, resource: { buffer: b.params, size: GRAD_PARAMS_BYTES } },
      { binding: 1, resource: { buffer: b.x } },
      { binding: 2, resource: { buffer: b.y } },
      { binding: 3, resource: { buffer: b.model } },
      { binding: 4, resource: { buffer: b.partials } },
      { binding: 5, resource: { buffer: b.norm } },
      { binding: 6, resource: { buffer: b.history } },
    ],
  });
}
