// Where a streamed epoch's time goes: each stage alone (reading the source, uploading chunks, computing the
// steps) and then the real pipelined epoch; overlap efficiency = epoch time ÷ the slowest stage alone.
import type { Backend } from '../backend';
import { modelSpec } from '../core/model';
import { BatchPlanner } from '../core/schedule';
import type { DataSource } from '../data/source';
import { epochChunks } from './chunks';
import { train } from './train';

/** The measured stages of one streamed epoch. */
export interface StreamBenchResult {
  rows: number;
  /** Bytes of rows (x and y as float32) one epoch moves. */
  bytes: number;
  slotRows: number;
  readSeconds: number;
  uploadSeconds: number;
  computeSeconds: number;
  epochSeconds: number;
  /** epochSeconds ÷ max(read, upload, compute): 1 is perfect overlap. */
  overlap: number;
}

const now = (): number => performance.now() / 1000;

/** Measures the stages of a streamed epoch over `source` with batch `batch` and chunks of `slotRows`. */
export async function streamBenchmark(
  backend: Backend, source: DataSource, o: { batch: number; slotRows: number; lr?: number },
): Promise<StreamBenchResult> {
  const d = source.features.length;
  let rows = 0;
  let t0 = now();
  let sample = null;
  for await (const { chunk } of epochChunks(source, d, o.slotRows, 0, 0, false)) {
    rows += chunk.rows;
    sample ??= chunk;
  }
  const readSeconds = now() - t0;
  if (!sample) throw new Error(`${source.description}: no rows`);
  const chunks = Math.ceil(rows / sample.rows);

  const store = backend.createStore(d, sample.rows);
  try {
    t0 = now();
    for (let i = 0; i < chunks; i++) await store.load(i % 3, sample);
    const session = await backend.createSession(store, modelSpec({ d }));
    await session.sync();
    const uploadSeconds = now() - t0;

    const planner = new BatchPlanner(Math.min(o.batch, sample.rows), o.lr ?? 1e-3, true);
    const steps = [...planner.add(0, sample.rows, 1), ...planner.finish()].map((s, i) => ({ ...s, index: i % 65536 }));
    t0 = now();
    for (let i = 0; i < chunks; i++) session.runSteps(steps);
    await session.sync();
    const computeSeconds = now() - t0;
    session.dispose();

    const budget = o.slotRows * 8 * (Math.ceil(d / 4) * 16 + 4);
    t0 = now();
    await train(backend, source, { epochs: 1, batch: o.batch, lr: o.lr ?? 1e-3, chunkRows: o.slotRows, memoryBudget: budget, skipFinalMetrics: true });
    const epochSeconds = now() - t0;
    const stage = Math.max(readSeconds, uploadSeconds, computeSeconds);
    return { rows, bytes: rows * (d + 1) * 4, slotRows: sample.rows, readSeconds, uploadSeconds, computeSeconds, epochSeconds, overlap: epochSeconds / stage };
  } finally {
    store.dispose();
  }
}
