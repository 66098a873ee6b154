// Host wrapper of shaders/softmax_grad.wgsl (K outputs): its tile and column-block layout and its pipelines.
// It shares linear_grad's bindings, Params, model and partial-row layout. CPU twin: src/cpu/softmax_grad.ts.
import type { ModelSpec } from '../core/model';
import { allGradVariants, BASE_VARIANT, gradBindGroupLayout, gradPipelineSet, variantLink, type GradLayout, type GradPipelines, type GradVariant } from './linear_grad';
import { PipelineSet } from './shaders';

/** Most z values a tile holds in workgroup memory (TILE·K); the shader sizes `zs` from its overrides. */
const Z_CAP = 2048;
/** Gradient columns one invocation accumulates in registers (the shader's MAX_CPI). */
const MAX_CPI = 8;
/** Most outputs the kernel supports. */
export const MAX_OUTPUTS = Z_CAP;

/** Rows per tile and gradient columns per invocation for K outputs over d features. */
export function softmaxLayout(d: number, k: number, wg = 256): GradLayout {
  if (!(Number.isInteger(k) && k >= 2 && k <= MAX_OUTPUTS)) throw new Error(`the softmax kernel takes 2 to ${MAX_OUTPUTS} classes, got ${k}`);
  const dp4 = Math.ceil(d / 4);
  const cols = k * (dp4 + 1);
  const tile = Math.min(wg, Math.floor(Z_CAP / k));
  const cpi = Math.min(MAX_CPI, Math.ceil(cols / wg));
  return { kernel: 'softmax_grad', d, dp4, k, cols, pstride4: cols + 2, wg, slots: tile, blocks: Math.ceil(cols / (wg * cpi)), lanes: 1, vpl: cpi };
}

/** The softmax_grad pipelines of a K-output model (no fused variant); `prepare` as for linearGradPipelines. */
export async function softmaxGradPipelines(
  device: GPUDevice, spec: ModelSpec, wg = 256, variant = BASE_VARIANT, prepare?: readonly GradVariant[],
): Promise<GradPipelines> {
  const layout = softmaxLayout(spec.d, spec.outputs, wg);
  const bindGroupLayout = gradBindGroupLayout(device);
  const pl = device.createPipelineLayout({ label: 'softmax_grad', bindGroupLayouts: [bindGroupLayout] });
  const link = variantLink(variant);
  const base = { WG: wg, K: layout.k, DP4: layout.dp4, TILE: layout.slots, CPI: layout.vpl, STANDARDIZE: spec.standardize ? 1 : 0, ...link.constants };
  const set = new PipelineSet<GradVariant>(device, 'softmax_grad', { loss: spec.loss, ...link.units }, pl, {
    train: { ...base, GRAD: 1, SHUFFLE: 0 }, trainShuffled: { ...base, GRAD: 1, SHUFFLE: 1 }, evaluate: { ...base, GRAD: 0, SHUFFLE: 0, CONFUSION: 1 },
    fused: {}, fusedShuffled: {},
  });
  const p = gradPipelineSet(layout, variant, bindGroupLayout, set, false);
  await p.prepare(prepare ?? allGradVariants(p));
  return p;
}
