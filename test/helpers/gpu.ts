// Shared GPU test setup: one real adapter per test file, acquired in beforeAll (dawn.node must not be
// created inside a test body on a worker: dawn-gpu/node-webgpu#13) and destroyed in afterAll.
import { afterAll, beforeAll } from 'vitest';
import { acquireGpu, type GpuContext } from '../../src/gpu/device';

/** Acquires the adapter for this file; the getter throws inside tests if acquisition failed. */
export function useGpu(): () => GpuContext {
  let ctx: GpuContext | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      ctx = await acquireGpu();
      console.log(`WebGPU adapter: ${ctx.description}`);
    } catch (e) {
      failure = e;
      throw new Error(`No WebGPU adapter for the GPU tests: ${(e as Error).message}`);
    }
  });
  afterAll(() => ctx?.destroy());
  return () => {
    if (!ctx) throw new Error(`No WebGPU adapter: ${String(failure)}`);
    return ctx;
  };
}

/** Creates a storage buffer filled with NaN (to prove that a kernel writes every element it should). */
export function poisoned(device: GPUDevice, label: string, bytes: number, usage: number): GPUBuffer {
  const b = device.createBuffer({ label, size: bytes, usage, mappedAtCreation: true });
  new Float32Array(b.getMappedRange()).fill(NaN);
  b.unmap();
  return b;
}

/** Reads a whole buffer as f32. */
export async function readF32(device: GPUDevice, src: GPUBuffer, bytes = src.size): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

/** A storage buffer holding `data`. */
export function storage(device: GPUDevice, label: string, data: Float32Array, extraUsage = 0): GPUBuffer {
  const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(data.byteLength / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | extraUsage, mappedAtCreation: true });
  new Float32Array(b.getMappedRange()).set(data);
  b.unmap();
  return b;
}
