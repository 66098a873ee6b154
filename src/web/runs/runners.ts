// runs/: training and timing runs on both backends, and what a run reports (progress, results, errors, model).
// One face for both backends on the page: WebGPU runs in the page (its work is on the GPU; the page only
// encodes and awaits), the CPU runs in a Web Worker. Each keeps the last dataset resident between runs.
import type { BackendKind } from '../../backend';
import type { WebGpuBackend } from '../../gpu/backend';
import { benchmark, type BenchResult } from '../../train/bench';
import type { LoadedData } from '../data/datasets';
import { ResidentCache, RunControl, runHeldOut, runResident, runStreamed, type LoopEvents, type LoopOptions, type LoopResult } from './loop';
import { fromErrorMessage, type FromWorker, type ToWorker } from './protocol';

/** A backend the page can train and time on. */
export interface Runner {
  readonly kind: BackendKind;
  readonly device: string;
  /** Trains; `stream` when the data is too large to hold (it is then read from its source every epoch). */
  train(data: LoadedData, opts: LoopOptions, stream: boolean, ev: LoopEvents): Promise<LoopResult>;
  bench(data: LoadedData, batch: number, runs: number): Promise<BenchResult>;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** WebGPU in the page. */
export class GpuRunner implements Runner {
  readonly kind = 'webgpu' as const;
  private readonly held: ResidentCache;
  private control: RunControl | null = null;

  constructor(readonly backend: WebGpuBackend) {
    this.held = new ResidentCache(backend);
  }

  get device(): string {
    return this.backend.device;
  }

  async train(d: LoadedData, opts: LoopOptions, stream: boolean, ev: LoopEvents): Promise<LoopResult> {
    const control = (this.control = new RunControl(ev.onPause));
    try {
      if (stream || opts.spec.validation > 0) {
        this.held.drop();
        return await (stream ? runStreamed : runHeldOut)(this.backend, d.source, opts, control, ev);
      }
      const data = await this.held.get(d.key, opts.spec.loss, async () => d.source, control.signal);
      return await runResident(this.backend, data, opts, control, ev);
    } finally {
      if (this.control === control) this.control = null;
    }
  }

  async bench(d: LoadedData, batch: number, runs: number): Promise<BenchResult> {
    return benchmark(this.backend, await this.held.get(d.key, 'squared', async () => d.source), { batch, runs });
  }

  pause(): void { this.control?.pause(); }
  resume(): void { this.control?.resume(); }
  stop(): void { this.control?.stop(); }
}

type Pending = { resolve: (v: never) => void; reject: (e: Error) => void; ev?: LoopEvents };

/** The CPU backend in a Web Worker. */
export class WorkerRunner implements Runner {
  readonly kind = 'cpu' as const;
  device = 'CPU, Web Worker';
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => this.failAll(new Error(`the CPU worker failed: ${e.message || 'it could not start'}`));
  }

  /** Starts the worker from its module (Vite bundles it). */
  static start(): WorkerRunner {
    return new WorkerRunner(new Worker(new URL('./cpu_worker.ts', import.meta.url), { type: 'module' }));
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready') {
      this.device = `${m.device}, Web Worker`;
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'step') p.ev?.onStep?.(m.point);
    else if (m.type === 'epoch') p.ev?.onEpoch?.(m.point);
    else if (m.type === 'paused') p.ev?.onPause?.();
    else if (m.type === 'phase') p.ev?.onPhase?.(m.phase);
    else {
      this.pending.delete(m.id);
      if (m.type === 'error') p.reject(fromErrorMessage(m.error));
      else p.resolve(m.result as never);
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

  train(d: LoadedData, opts: LoopOptions, stream: boolean, ev: LoopEvents): Promise<LoopResult> {
    return this.call((id) => ({ type: 'train', id, data: d.spec, opts, stream }), ev);
  }

  bench(d: LoadedData, batch: number, runs: number): Promise<BenchResult> {
    return this.call((id) => ({ type: 'bench', id, data: d.spec, batch, runs }));
  }

  pause(): void { this.worker.postMessage({ type: 'pause' } satisfies ToWorker); }
  resume(): void { this.worker.postMessage({ type: 'resume' } satisfies ToWorker); }
  stop(): void { this.worker.postMessage({ type: 'stop' } satisfies ToWorker); }
}
