// The fast CPU backend in Node: its workers are worker_threads running the bundled thread script.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Spawner } from './simd_pool';
import { SimdCpuBackend, type SimdOptions } from './simd_backend';
import threadSource from './threads/simd_thread_node.ts?thread';

/** Starts a worker thread on the shared arena; it does not keep the process alive. */
export const nodeSpawner: Spawner = (init) => {
  const w = new Worker(threadSource, { eval: true, workerData: init });
  w.unref();
  return { terminate: () => void w.terminate() };
};

/** The fast CPU backend on at most `threads` cores (default: all; how many per job is measured unless `adapt: false`). */
export function nodeCpuBackend(o: Omit<SimdOptions, 'spawn'> = {}): SimdCpuBackend {
  return new SimdCpuBackend({ threads: availableParallelism(), ...o, spawn: nodeSpawner });
}
