// The fast CPU backend in a browser worker: its workers are module Web Workers; several only when the page is
// cross-origin isolated (SharedArrayBuffer), else one thread on a plain memory.
import { canShare } from './simd_arena';
import type { Spawner } from './simd_pool';
import { SimdCpuBackend } from './simd_backend';

/** Starts a module Web Worker on the shared arena. */
export const webSpawner: Spawner = (init) => {
  const w = new Worker(new URL('./threads/simd_thread_web.ts', import.meta.url), { type: 'module' });
  w.postMessage(init);
  return { terminate: () => w.terminate() };
};

/** The fast CPU backend on every core when isolated, else on one thread (with the reason in its device string). */
export function webCpuBackend(): SimdCpuBackend {
  if (!canShare()) return new SimdCpuBackend({ threads: 1, spawn: null, note: 'one thread: the page is not cross-origin isolated' });
  return new SimdCpuBackend({ threads: Math.max(1, navigator.hardwareConcurrency || 1), spawn: webSpawner });
}
