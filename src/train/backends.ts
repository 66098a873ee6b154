// Backend construction by name, for the CLI and the web page.
import type { Backend, BackendKind } from '../backend';
import { CpuBackend } from '../cpu/backend';
import { ParallelCpuBackend } from '../cpu/parallel';
import { WebGpuBackend, type WebGpuOptions } from '../gpu/backend';

/** The backend names users can pass. */
export const BACKENDS: readonly BackendKind[] = ['webgpu', 'cpu', 'cpu-mt'];

/** Checks a user-supplied backend name. */
export function parseBackend(name: string, option = '--backend'): BackendKind {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendKind;
  throw new Error(`${option} must be one of ${BACKENDS.join(', ')}; got "${name}"`);
}

/** Creates a backend; WebGPU acquires a device (and fails clearly when there is no adapter). */
export async function createBackend(kind: BackendKind, gpu: WebGpuOptions = {}): Promise<Backend> {
  if (kind === 'cpu') return new CpuBackend();
  if (kind === 'cpu-mt') return new ParallelCpuBackend();
  return WebGpuBackend.create(gpu);
}
