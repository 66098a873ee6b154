// The CPU backend in a Web Worker, so CPU training and timing never stall the page. It rebuilds synthetic
// data from its spec and opens a File itself (Files pass to workers without copying their bytes), keeps
// the last dataset resident, and runs the page's loop.
import { CpuBackend } from '../cpu/backend';
import { benchmark } from '../train/bench';
import { uploadDataset, type ResidentData } from '../train/train';
import { openData, specKey, type DataSpec } from './datasets';
import { RunControl, runResident, runStreamed, type LoopEvents } from './loop';
import type { FromWorker, ToWorker } from './protocol';

const backend = new CpuBackend();
const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let held: { key: string; data: ResidentData } | null = null;
let control: RunControl | null = null;

/** The resident data for a spec, reusing what is held when the key matches. */
async function resident(spec: DataSpec): Promise<ResidentData> {
  const key = specKey(spec);
  if (held?.key === key) return held.data;
  held?.data.dispose();
  held = null;
  const data = await uploadDataset(backend, (await openData(spec)).source);
  held = { key, data };
  return data;
}

async function train(m: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  const c = (control = new RunControl(() => post({ type: 'paused', id: m.id })));
  const ev: LoopEvents = {
    onStep: (point) => post({ type: 'step', id: m.id, point }),
    onEpoch: (point) => post({ type: 'epoch', id: m.id, point }),
  };
  try {
    const result = m.stream
      ? await runStreamed(backend, (await openData(m.data)).source, m.opts, c, ev)
      : await runResident(backend, await resident(m.data), m.opts, c, ev);
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
      const result = await benchmark(backend, await resident(m.data), { batch: m.batch, runs: m.runs });
      post({ type: 'bench', id: m.id, result });
      return;
    }
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  handle(m).catch((e: unknown) => {
    post({ type: 'error', id: 'id' in m ? m.id : -1, message: e instanceof Error ? e.message : String(e) });
  });
};
post({ type: 'ready', device: backend.device });
