// What a training worker does, whichever backend it holds (the CPU's in cpu_worker.ts, WebGPU's in gpu_worker.ts):
// it opens the data itself from its spec (synthetic data rebuilt from its seed, a File read in the worker without a
// copy, a URL fetched), keeps the last dataset resident, runs the page's loop, and answers Pause, Resume and Stop
// between steps; asked to, it keeps the run's checkpoints in the origin-private file system. Messages are protocol.ts's. So neither backend's parsing, uploads or steps run on the page's thread.
import type { Backend } from '../../backend';
import type { LossKind } from '../../core/losses';
import { benchmark } from '../../train/bench';
import type { ResidentData } from '../../train/train';
import { openData, specKey, type DataSpec } from '../data/datasets';
import { ResidentCache, RunControl, runHeldOut, runResident, runStreamed, type LoopEvents } from './loop';
import { toErrorMessage, type FromWorker, type ToWorker } from './protocol';
import { serializeCheckpoint } from '../../train/checkpoint';
import { writeText } from '../data/opfs';
import { checkpointName } from './saved_run';
import { StepBatch } from './step_batch';

/** Posts a message to the page. */
export const post = (m: FromWorker): void => (self as unknown as Worker).postMessage(m);

/** Serves the page's requests with a backend until the worker ends. */
export function serve(backend: Backend): void {
  const held = new ResidentCache(backend);
  let control: RunControl | null = null;

  /** The resident data for a spec with targets for a loss, reusing what is held when it matches. */
  const resident = (spec: DataSpec, loss: LossKind, signal?: AbortSignal): Promise<ResidentData> =>
    held.get(specKey(spec), loss, async () => (await openData(spec, { cache: 'write' })).source, signal);

  async function train(m: Extract<ToWorker, { type: 'train' }>): Promise<void> {
    // Steps go in batches (StepBatch); any other message of the run goes after the steps before it.
    const steps = new StepBatch((points) => post({ type: 'steps', id: m.id, points }));
    const c = (control = new RunControl(() => {
      steps.flush();
      post({ type: 'paused', id: m.id });
    }));
    const ev: LoopEvents = {
      onStep: (point) => steps.add(point),
      onEpoch: (point) => {
        steps.flush();
        post({ type: 'epoch', id: m.id, point });
      },
      onPhase: (phase) => {
        steps.flush();
        post({ type: 'phase', id: m.id, phase });
      },
      // Kept in the origin-private file system, so a reloaded page resumes the run (saved_run.ts).
      ...(m.checkpoint ? { onCheckpoint: (ck) => writeText(checkpointName(backend.kind), serializeCheckpoint(ck)).then(() => undefined, () => undefined) } : {}),
    };
    try {
      // A validation split and cross-validation's folds are made while reading: those runs read the source.
      const fromSource = m.stream || m.opts.spec.validation > 0 || m.opts.spec.cv > 0;
      if (fromSource) held.drop();
      const result = fromSource
        ? await (m.stream ? runStreamed : runHeldOut)(backend, (await openData(m.data, { cache: 'write' })).source, m.opts, c, ev)
        : await runResident(backend, await resident(m.data, m.opts.spec.loss, c.signal), m.opts, c, ev);
      steps.flush();
      post({ type: 'done', id: m.id, result });
    } finally {
      steps.flush(); // before an error's message too
      if (control === c) control = null;
    }
  }

  async function handle(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'pause': control?.pause(); return;
      case 'resume': control?.resume(); return;
      case 'stop': control?.stop(); return;
      case 'train': return train(m);
      case 'bench': {
        const result = await benchmark(backend, await resident(m.data, 'squared'), { batch: m.batch, runs: m.runs });
        post({ type: 'bench', id: m.id, result });
        return;
      }
    }
  }

  self.onmessage = (ev: MessageEvent<ToWorker>) => {
    const m = ev.data;
    handle(m).catch((e: unknown) => {
      post({ type: 'error', id: 'id' in m ? m.id : -1, error: toErrorMessage(e) });
    });
  };
}
