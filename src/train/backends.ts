// Backend construction by name, for the CLI.
import type { Backend, BackendKind } from '../backend';
import { CpuBackend } from '../cpu/backend';
import { nodeCpuBackend } from '../cpu/simd_node';
import type { WebGpuOptions } from '../gpu/backend';

/** The backend names users can pass: WebGPU, the fast CPU (f32 SIMD, every core) and the f64 reference. */
export const BACKENDS: readonly BackendKind[] = ['webgpu', 'cpu', 'reference'];

/** Checks a user-supplied backend name. */
export function parseBackend(name: string, option = '--backend'): BackendKind {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendKind;
  if (name === 'cpu-mt') throw new Error(`${option} cpu-mt is gone: "cpu" now runs on every core (f32 SIMD); "reference" is the f64 oracle`);
  throw new Error(`${option} must be one of ${BACKENDS.join(', ')}; got "${name}"`);
}

/**
 * Creates a backend; WebGPU acquires a device (and fails clearly when there is no adapter). `cpu`: the fast CPU
 * backend's threads at most (a number, or with `adapt: false` every job on exactly that many).
 */
export async function createBackend(kind: BackendKind, gpu: WebGpuOptions = {}, cpu: number | { threads?: number; adapt?: boolean } = {}): Promise<Backend> {
  if (kind === 'reference') return new CpuBackend();
  if (kind === 'cpu') {
    const o = typeof cpu === 'number' ? { threads: cpu } : cpu;
    return nodeCpuBackend({ ...(o.threads ? { threads: o.threads } : {}), ...(o.adapt !== undefined ? { adapt: o.adapt } : {}) });
  }
  // Loaded only when asked for: the GPU code and its shaders are a chunk of their own.
  const { WebGpuBackend } = await import('../gpu/backend');
  return WebGpuBackend.create(gpu);
}
