// Loading a source into backend stores: resident data (one exact slot per chunk, read once), the held-out
// validation rows, and the statistics standardization needs — all from one pass where possible.
import type { Backend, ChunkStore } from '../backend';
import type { HostChunk } from '../core/dataset';
import { splitChunk, type Holdout } from '../core/holdout';
import type { Standardization } from '../core/model';
import { ColumnSet } from '../core/stats';
import type { DataSource } from '../data/source';
import { rechunkAsync } from './chunks';

/** Statistics of the training rows: features (when asked for) and the target. */
export interface RowStats {
  x: ColumnSet | null;
  y: ColumnSet;
}

/** A validation store filled chunk by chunk. */
export class ValidationSet {
  readonly store: ChunkStore;
  rows = 0;
  private slot = 0;
  readonly y = new ColumnSet(1);

  constructor(backend: Backend, d: number, slotRows: number, private readonly budgetRows: number) {
    this.store = backend.createStore(d, slotRows, true);
  }

  async add(c: HostChunk): Promise<void> {
    if (c.rows === 0) return;
    this.rows += c.rows;
    if (this.rows > this.budgetRows) {
      throw new Error(`the validation rows (${this.rows}+) exceed half of --memory-budget; use a smaller --validation or a larger budget`);
    }
    this.y.add(c.y, c.rows);
    await this.store.load(this.slot++, c);
  }
}

/** Splits held-out rows off a stream, sending them to `validation`. */
export async function* trainRows(
  chunks: AsyncIterable<HostChunk>, d: number, hold: Holdout | null, validation: ValidationSet | null,
): AsyncGenerator<HostChunk> {
  for await (const c of chunks) {
    if (!hold) {
      yield c;
      continue;
    }
    const { train, held } = splitChunk(c, d, hold);
    if (validation) await validation.add(held);
    if (train.rows > 0) yield train;
  }
}

/** Adds a chunk's rows to the statistics. */
export function addStats(s: RowStats, c: HostChunk): void {
  s.x?.add(c.x, c.rows);
  s.y.add(c.y, c.rows);
}

/**
 * Reads the whole source into an exact-slot store when its training rows fit in `budgetRows`; returns null
 * (and frees what it loaded) as soon as they do not.
 */
export async function loadResident(
  backend: Backend, source: DataSource, d: number, slotRows: number, budgetRows: number,
  hold: Holdout | null, validation: ValidationSet | null, stats: RowStats, signal?: AbortSignal,
): Promise<ChunkStore | null> {
  const store = backend.createStore(d, slotRows, true);
  let rows = 0;
  let slot = 0;
  try {
    const chunks = trainRows(source.read({ maxRows: slotRows, signal }), d, hold, validation);
    for await (const c of rechunkAsync(chunks, d, slotRows)) {
      rows += c.rows;
      if (rows > budgetRows) {
        store.dispose();
        return null;
      }
      addStats(stats, c);
      await store.load(slot++, c);
    }
    return store;
  } catch (e) {
    store.dispose();
    throw e;
  }
}

/**
 * Per-feature scaling from the training rows' statistics. With a bias the columns are centered and scaled; without
 * one they are only scaled (by the root mean square), since centering would add an intercept the model lacks.
 */
export function standardizationOf(s: ColumnSet, fitBias: boolean): Standardization {
  const d = s.columns;
  const scale = (j: number) => (fitBias ? s.std(j) : Math.sqrt(s.std(j) ** 2 + s.mean(j) ** 2));
  const invStd = Float64Array.from({ length: d }, (_, j) => (scale(j) > 0 ? 1 / scale(j) : 1));
  return { mean: Float64Array.from({ length: d }, (_, j) => (fitBias ? s.mean(j) : 0)), invStd };
}
