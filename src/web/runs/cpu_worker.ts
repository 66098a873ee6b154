// The CPU backend in a Web Worker, so CPU training and timing never stall the page: the fast f32 SIMD backend,
// on every core through nested workers when the page is cross-origin isolated, else on this worker alone (its
// device string says so). It rebuilds synthetic data from its spec and opens a File itself (Files pass to workers
// without copying their bytes), keeps the last dataset resident, and runs the page's loop.
import { webCpuBackend } from '../../cpu/simd_web';
import type { LossKind } from '../../core/losses';
import { benchmark } from '../../train/bench';
import type { ResidentData } from '../../train/train';
import { openData, specKey, type DataSpec } from '../data/datasets';
import { ResidentCache, RunControl, runHeldOut, runResident, runStreamed, type LoopEvents } from './loop';
import { toErrorMessage, type FromWorker, type ToWorker } from './protocol';

const backend = webCpuBackend();
const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
const held = new ResidentCache(backend);
let control: RunControl | null = null;

/** The resident data for a spec with targets for a loss, reusing what is held when it matches. */
function resident(spec: DataSpec, loss: LossKind, signal?: AbortSignal): Promise<ResidentData> {
  return held.get(specKey(spec), loss, async () => (await openData(spec)).source, signal);
}

async function train(m: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  const c = (control = new RunControl(() => post({ type: 'paused', id: m.id })));
  const ev: LoopEvents = {
    onStep: (point) => post({ type: 'step', id: m.id, point }),
    onEpoch: (point) => post({ type: 'epoch', id: m.id, point }),
    onPhase: (phase) => post({ type: 'phase', id: m.id, phase }),
  };
  try {
    const fromSource = m.stream || m.opts.spec.validation > 0;
    if (fromSource) held.drop();
    const result = fromSource
      ? await (m.stream ? runStreamed : runHeldOut)(backend, (await openData(m.data)).source, m.opts, c, ev)
      : await runResident(backend, await resident(m.data, m.opts.spec.loss, c.signal), m.opts, c, ev);
    post({ type: 'done', id: m.id, result });
  } finally {
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
post({ type: 'ready', device: backend.device });
