// The page's side of a training worker (src/web/runs/runners.ts) against a stand-in Worker that answers as the real
// ones do (protocol.ts): batched steps reach onStep one by one and in order before the epoch and the result; a message
// the page does not know (a worker of another build) ends the run with an error instead of a result of undefined.
import { describe, expect, it } from 'vitest';
import type { LoadedData } from '../../../src/web/data/datasets';
import type { LoopOptions } from '../../../src/web/runs/loop';
import type { FromWorker, ToWorker } from '../../../src/web/runs/protocol';
import { WorkerRunner } from '../../../src/web/runs/runners';

/** A Worker whose answers the test sends; `sent` holds what the page posted. */
function standIn() {
  const sent: ToWorker[] = [];
  const w = {
    onmessage: null as ((e: MessageEvent<FromWorker>) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    postMessage: (m: ToWorker) => sent.push(m),
    terminate: () => {},
  };
  return { worker: w as unknown as Worker, sent, answer: (m: FromWorker) => w.onmessage!({ data: m } as MessageEvent<FromWorker>) };
}

const data = { spec: { kind: 'linear' } } as unknown as LoadedData;
const opts = {} as LoopOptions;

describe('WorkerRunner', () => {
  it('hands batched steps to onStep in order, then the epoch, and resolves with the result', async () => {
    const { worker, sent, answer } = standIn();
    const r = new WorkerRunner('cpu', worker);
    const seen: string[] = [];
    const run = r.train(data, opts, false, { onStep: (p) => seen.push(`step ${p.step}`), onEpoch: (e) => seen.push(`epoch ${e.epoch}`) });
    const id = (sent[0] as Extract<ToWorker, { type: 'train' }>).id;
    answer({ type: 'steps', id, points: [1, 2, 3].map((step) => ({ step, loss: 1, done: step / 3 })) });
    answer({ type: 'epoch', id, point: { epoch: 1, loss: 1, seconds: 0.1, metrics: null, params: null, validation: null, gap: null } });
    answer({ type: 'done', id, result: { epochsDone: 1 } as never });
    expect(await run).toEqual({ epochsDone: 1 });
    expect(seen).toEqual(['step 1', 'step 2', 'step 3', 'epoch 1']);
  });

  it('ends a run with an error on a message it does not know', async () => {
    const { worker, sent, answer } = standIn();
    const r = new WorkerRunner('webgpu', worker);
    const run = r.train(data, opts, false, {});
    const id = (sent[0] as Extract<ToWorker, { type: 'train' }>).id;
    answer({ type: 'step', id, point: { step: 1, loss: 1, done: 0 } } as unknown as FromWorker);
    await expect(run).rejects.toThrow(/the webgpu worker sent a message this page does not know \("step"\): reload the page/);
  });
});
