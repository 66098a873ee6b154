// The one place shaders are loaded: `?raw` imports (Vite, Vitest and the SSR bundle) compiled once per device.
import linearGrad from '../../shaders/linear_grad.wgsl?raw';
import linearUpdate from '../../shaders/linear_update.wgsl?raw';

const SOURCES = { linear_grad: linearGrad, linear_update: linearUpdate } as const;

/** Shader stems, matching the files in shaders/. */
export type ShaderStem = keyof typeof SOURCES;

const cache = new WeakMap<GPUDevice, Map<ShaderStem, GPUShaderModule>>();

/** The compiled module for a shader stem on a device (compiled on first use). */
export function shaderModule(device: GPUDevice, stem: ShaderStem): GPUShaderModule {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  let mod = perDevice.get(stem);
  if (!mod) {
    mod = device.createShaderModule({ label: stem, code: SOURCES[stem] });
    perDevice.set(stem, mod);
  }
  return mod;
}

/** A compute pipeline for a stem with override constants. */
export function computePipeline(
  device: GPUDevice, stem: ShaderStem, layout: GPUPipelineLayout, constants: Record<string, number>,
): GPUComputePipeline {
  return device.createComputePipeline({
    label: stem,
    layout,
    compute: { module: shaderModule(device, stem), entryPoint: 'main', constants },
  });
}

/** Like computePipeline, compiled off the calling thread (several can compile at once). */
export function computePipelineAsync(
  device: GPUDevice, stem: ShaderStem, layout: GPUPipelineLayout, constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  return device.createComputePipelineAsync({
    label: stem,
    layout,
    compute: { module: shaderModule(device, stem), entryPoint: 'main', constants },
  });
}
