// Messages between the page and its training workers (cpu_worker.ts, gpu_worker.ts; worker_loop.ts serves them).
// Everything here survives structured cloning: specs, numbers, Float64Arrays.
import type { BenchResult } from '../../train/bench';
import type { DataSpec } from '../data/datasets';
import type { RunPhase } from '../../train/plan';
import type { EpochPoint, LoopOptions, LoopResult, StepPoint } from './loop';

/**
 * Page → worker. `stream`: the data is too large to hold and streams from its source every epoch; `checkpoint`: keep
 * the run's checkpoints (saved_run.ts).
 */
export type ToWorker =
  | { type: 'train'; id: number; data: DataSpec; opts: LoopOptions; stream: boolean; checkpoint?: boolean }
  | { type: 'bench'; id: number; data: DataSpec; batch: number; runs: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

/** The adapter a WebGPU worker got: its identity and limits as table rows, and its features. */
export interface AdapterReport {
  rows: { info: [string, string][]; limits: [string, string][] };
  features: string[];
}

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; device: string; adapter?: AdapterReport; error?: string }
  | { type: 'lost'; message: string }
  | { type: 'steps'; id: number; points: StepPoint[] }
  | { type: 'epoch'; id: number; point: EpochPoint }
  | { type: 'paused'; id: number }
  | { type: 'phase'; id: number; phase: RunPhase }
  | { type: 'done'; id: number; result: LoopResult }
  | { type: 'bench'; id: number; result: BenchResult }
  | { type: 'error'; id: number; error: ErrorMessage };

/** An error as a message: its name, its text, and its own data fields (a DivergedError's epoch, loss, suggested rate…). */
export interface ErrorMessage {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

/** What of an error crosses to the page: structured cloning keeps only an Error's message, not its class or fields. */
export function toErrorMessage(e: unknown): ErrorMessage {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'name' || k === 'message' || k === 'stack') continue;
    if (v === null || ['number', 'string', 'boolean'].includes(typeof v) || (typeof v === 'object' && Object.values(v).every((x) => typeof x !== 'object' && typeof x !== 'function'))) fields[k] = v;
  }
  return { name: e.name, message: e.message, fields };
}

/** The page's Error for a worker's error message: the same name and fields, so it is read as the original would be. */
export function fromErrorMessage(m: ErrorMessage): Error {
  const e = Object.assign(new Error(m.message), m.fields);
  e.name = m.name;
  return e;
}
