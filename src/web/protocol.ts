// Messages between the page and the CPU worker (src/web/cpu_worker.ts). Everything here survives
// structured cloning: specs, numbers, Float64Arrays.
import type { BenchResult } from '../train/bench';
import type { DataSpec } from './datasets';
import type { EpochPoint, LoopOptions, LoopResult, StepPoint } from './loop';

/** Page → worker. `stream`: the data is too large to hold and streams from its source every epoch. */
export type ToWorker =
  | { type: 'train'; id: number; data: DataSpec; opts: LoopOptions; stream: boolean }
  | { type: 'bench'; id: number; data: DataSpec; batch: number; runs: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; device: string }
  | { type: 'step'; id: number; point: StepPoint }
  | { type: 'epoch'; id: number; point: EpochPoint }
  | { type: 'paused'; id: number }
  | { type: 'done'; id: number; result: LoopResult }
  | { type: 'bench'; id: number; result: BenchResult }
  | { type: 'error'; id: number; message: string };
