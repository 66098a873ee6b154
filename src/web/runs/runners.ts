// runs/: training and timing runs on both backends, and what a run reports (progress, results, errors, model).
// One face for both backends on the page: each runs in its own Web Worker (gpu_worker.ts, cpu_worker.ts), so the
// page's thread only draws; each keeps the last dataset resident between runs.
import type { BackendKind } from '../../backend';
import type { BenchResult } from '../../train/bench';
import type { LoadedData } from '../data/datasets';
import type { LoopEvents, LoopOptions, LoopResult } from './loop';
import { fromErrorMessage, type FromWorker, type ToWorker } from './protocol';

/** A backend the page can train and time on. */
export interface Runner {
  readonly kind: BackendKind;
  readonly device: string;
  /**
   * Trains; `stream` when the data is too large to hold (it is then read from its source every epoch); `checkpoint`:
   * keep checkpoints so a reloaded page can resume the run.
   */
  train(data: LoadedData, opts: LoopOptions, stream: boolean, ev: LoopEvents, checkpoint?: boolean): Promise<LoopResult>;
  bench(data: LoadedData, batch: number, runs: number): Promise<BenchResult>;
  pause(): void;
  resume(): void;
  stop(): void;
}

type Pending = { resolve: (v: never) => void; reject: (e: Error) => void; ev?: LoopEvents };

type Ready = Extract<FromWorker, { type: 'ready' }>;

/** A backend in a Web Worker. */
export class WorkerRunner implements Runner {
  device: string;
  /** The worker's first message: its device (for WebGPU, the adapter or why there is none). */
  readonly ready: Promise<Ready>;
  /** Told when the worker's GPU device is lost. */
  onLost: (message: string) => void = () => {};
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private started: (r: Ready) => void = () => {};

  constructor(readonly kind: BackendKind, private readonly worker: Worker) {
    this.device = kind === 'cpu' ? 'CPU, Web Worker' : 'WebGPU, Web Worker';
    this.ready = new Promise((r) => (this.started = r));
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => {
      const why = `the ${kind === 'cpu' ? 'CPU' : 'WebGPU'} worker failed: ${e.message || 'it could not start'}`;
      this.started({ type: 'ready', device: '', error: why });
      this.failAll(new Error(why));
    };
  }

  /** Starts the CPU worker from its module (Vite bundles it). */
  static cpu(): WorkerRunner {
    return new WorkerRunner('cpu', new Worker(new URL('./cpu_worker.ts', import.meta.url), { type: 'module' }));
  }

  /** Starts the WebGPU worker from its module; `ready` says which adapter it got. */
  static gpu(): WorkerRunner {
    return new WorkerRunner('webgpu', new Worker(new URL('./gpu_worker.ts', import.meta.url), { type: 'module' }));
  }

  /** Ends the worker (a WebGPU worker that found no adapter). */
  terminate(): void {
    this.worker.terminate();
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready') {
      if (!m.error) this.device = this.kind === 'cpu' ? `${m.device}, Web Worker` : m.device;
      this.started(m);
      return;
    }
    if (m.type === 'lost') return this.onLost(m.message);
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'steps') for (const point of m.points) p.ev?.onStep?.(point);
    else if (m.type === 'epoch') p.ev?.onEpoch?.(m.point);
    else if (m.type === 'paused') p.ev?.onPause?.();
    else if (m.type === 'phase') p.ev?.onPhase?.(m.phase);
    else {
      this.pending.delete(m.id);
      if (m.type === 'error') p.reject(fromErrorMessage(m.error));
      else if (m.type === 'done' || m.type === 'bench') p.resolve(m.result as never);
      // A worker of another build (a stale cache): its run ends with what went wrong, never with a missing result.
      else p.reject(new Error(`the ${this.kind} worker sent a message this page does not know (${JSON.stringify((m as { type: unknown }).type)}): reload the page`));
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private call<T>(msg: (id: number) => ToWorker, ev?: LoopEvents): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject, ev });
      this.worker.postMessage(msg(id));
    });
  }

  train(d: LoadedData, opts: LoopOptions, stream: boolean, ev: LoopEvents, checkpoint = false): Promise<LoopResult> {
    return this.call((id) => ({ type: 'train', id, data: d.spec, opts, stream, checkpoint }), ev);
  }

  bench(d: LoadedData, batch: number, runs: number): Promise<BenchResult> {
    return this.call((id) => ({ type: 'bench', id, data: d.spec, batch, runs }));
  }

  pause(): void { this.worker.postMessage({ type: 'pause' } satisfies ToWorker); }
  resume(): void { this.worker.postMessage({ type: 'resume' } satisfies ToWorker); }
  stop(): void { this.worker.postMessage({ type: 'stop' } satisfies ToWorker); }
}
