// Loading a source into backend stores: resident data (one exact slot per chunk, read once), the held-out
// validation rows, and the statistics standardization needs — all from one pass where possible.
import type { Backend, ChunkStore } from '../backend';
import { NO_EXTRAS, type HostChunk, type RowExtras, type RowRecords } from '../core/dataset';
import { rowRole, splitChunk, type Holdout } from '../core/holdout';
import type { Standardization } from '../core/model';
import { ColumnSet, mergeStats, type ColumnStats } from '../core/stats';
import { chunkRows } from '../data/blocks';
import type { DataSource } from '../data/source';
import { rechunkAsync } from './chunks';
import type { TrainPlan } from './plan';

/**
 * Statistics of the training rows: features (when asked for; weighted by the sample weights, as the objective is) and
 * the target (y.n counts rows), and Σ w of the sample weights when the rows carry them.
 */
export interface RowStats {
  x: ColumnSet | null;
  y: ColumnSet;
  weight?: number;
}

/** A validation store filled chunk by chunk. */
export class ValidationSet {
  readonly store: ChunkStore;
  rows = 0;
  private slot = 0;
  readonly y = new ColumnSet(1);

  constructor(backend: Backend, d: number, slotRows: number, private readonly budgetRows: number, extras: RowExtras = NO_EXTRAS) {
    this.store = backend.createStore(d, slotRows, true, extras);
  }

  async add(c: HostChunk): Promise<void> {
    if (c.rows === 0) return;
    this.count(c.rows);
    this.y.add(c.y, c.rows);
    await this.store.load(this.slot++, c);
  }

  /**
   * Adds the held-out rows of [start, start + count) of a source of known size (`share`: shareOf's) as `add` would add
   * them as a chunk (one slot, the target's statistics): straight into the store's row records where both can.
   */
  async addShare(source: DataSource, start: number, count: number, share: Share): Promise<void> {
    if (share.heldRows === 0) return;
    const y: RowStats = { x: null, y: new ColumnSet(1) };
    if (!(await loadRecords(source, this.store, this.slot, start, count, y, share.held, share.heldRows))) {
      await this.add(splitChunk(await source.readRows!(start, count), source.features.length, share.hold).held);
      return;
    }
    this.count(share.heldRows);
    this.y.cols[0] = mergeStats(this.y.cols[0], y.y.cols[0]);
    this.slot++;
  }

  private count(rows: number): void {
    this.rows += rows;
    if (this.rows > this.budgetRows) {
      throw new Error(`the validation rows (${this.rows}+) exceed half of --memory-budget; use a smaller --validation or a larger budget`);
    }
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
  s.x?.add(c.x, c.rows, c.w);
  s.y.add(c.y, c.rows);
  if (c.w) {
    let sum = 0;
    for (let i = 0; i < c.rows; i++) sum += c.w[i];
    s.weight = (s.weight ?? 0) + sum;
  }
}

/**
 * The mean sample weight of the training rows (ModelSpec.meanWeight), undefined when they are unweighted; weights
 * that are all 0 leave nothing to fit, an error.
 */
export function meanWeightOf(s: RowStats, description: string): number | undefined {
  if (s.weight === undefined) return undefined;
  if (!(s.weight > 0)) throw new Error(`${description}: every sample weight of the training rows is 0, which leaves nothing to fit`);
  return s.weight / s.y.n;
}

/**
 * Reads the whole source into an exact-slot store when its training rows fit in `budgetRows`; returns null
 * (and frees what it loaded) as soon as they do not.
 */
export async function loadResident(
  backend: Backend, source: DataSource, d: number, slotRows: number, budgetRows: number,
  hold: Holdout | null, validation: ValidationSet | null, stats: RowStats, signal?: AbortSignal,
): Promise<ChunkStore | null> {
  const store = backend.createStore(d, slotRows, true, source.extras);
  let rows = 0;
  let slot = 0;
  try {
    if (!hold && source.rows !== null && source.readRows) {
      if (source.rows > budgetRows) return (store.dispose(), null);
      await loadSlots(source as SlotSource, store, stats, signal);
      return store;
    }
    if (hold && source.rows !== null && source.readRows && source.readRecordsInto && source.rowEntries && store.recordView) {
      const loaded = await loadSplit(source as SlotSource, store, d, slotRows, budgetRows, hold, validation, stats, signal);
      if (loaded === null) return (store.dispose(), null);
      return store;
    }
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

/** Bytes of rows (x and y as f32) from which a solver of few passes reads them at every pass (readsPerPass). */
export const PASS_STORE_BYTES = 64 * 2 ** 20;

/**
 * Whether a run's rows are better read again at every pass than held: L-BFGS makes ~10–30 passes, and on a machine
 * where a fresh page of memory costs ~10 µs (bench/NOTES.md) reading 128 MB again into the same buffer (~0.02 s) ten
 * times is cheaper than holding it once (~0.6 s). Not for a path or folds (hundreds of passes), nor Newton (its
 * Hessian pass reads the rows on the host), nor gradient descent (shuffled steps).
 */
export function readsPerPass(plan: Pick<TrainPlan, 'spec' | 'hold' | 'passReads'>, source: DataSource): boolean {
  const { spec } = plan;
  if (spec.solver !== 'lbfgs' || spec.alphaPath > 0 || spec.cv > 0 || plan.hold || source.rows === null || plan.passReads === false) return false;
  return plan.passReads === true || source.rows * (source.features.length + 1) * 4 >= PASS_STORE_BYTES;
}

/**
 * A store that reads the source's rows again at every pass (Backend.createPassStore), after one pass that checks every
 * value and takes the targets' statistics exactly as loadResident's slots would (the same bits); null, reading
 * nothing, where the backend or the source cannot (no positioned reads into its memory, per-row weights or offsets, a
 * sparse block, or feature statistics to take: standardization).
 */
export async function loadPassStore(
  backend: Backend, source: DataSource, d: number, slotRows: number, stats: RowStats, signal?: AbortSignal,
): Promise<ChunkStore | null> {
  const read = source.readRowsInto?.bind(source);
  if (!backend.createPassStore || !read || source.rows === null || source.extras?.weight || source.extras?.offset || source.sparse || stats.x) return null;
  const sync = source.readFeaturesSync?.bind(source);
  const store = backend.createPassStore(d, slotRows, { rows: source.rows, readInto: read, ...(sync ? { readFeaturesSync: sync } : {}) });
  try {
    await store.scan(signal);
    const x = new Float32Array(0);
    store.rowsIn.forEach((rows, slot) => addStats(stats, { rows, x, y: store.targets(slot) }));
    return store;
  } catch (e) {
    store.dispose();
    throw e;
  }
}

type SlotSource = DataSource & { rows: number; readRows: NonNullable<DataSource['readRows']> };

/**
 * Reads a random-access source of known size slot by slot: into the store's own memory where both allow it (one copy,
 * the read itself), else one fresh chunk per slot that the store keeps or copies — no re-blocking either way.
 */
async function loadSlots(source: SlotSource, store: ChunkStore, stats: RowStats, signal?: AbortSignal): Promise<void> {
  for (let start = 0, slot = 0; start < source.rows; start += store.slotRows, slot++) {
    signal?.throwIfAborted();
    const count = Math.min(store.slotRows, source.rows - start);
    if (await loadRecords(source, store, slot, start, count, stats)) continue;
    const view = source.readRowsInto ? store.slotView?.(slot, count) : null;
    const c = view ?? await source.readRows(start, count);
    if (view) await source.readRowsInto!(start, count, view);
    addStats(stats, c);
    await store.load(slot, c);
  }
}

/**
 * Reads a random-access source under a holdout rule with its rows straight into row records where the source and the
 * stores can (a .dh cache into the fast CPU backend), slot by slot where a store declines them, as the pass it
 * replaces gives them: the training rows in slots of `slotRows` (rechunkAsync of trainRows), the held-out rows of
 * each piece that pass reads (source.read with maxRows slotRows: chunkRows' rows) a slot of the validation store, so
 * the same rows land in the same slots; the statistics from the records. null (nothing kept) when the training rows
 * exceed `budgetRows`.
 */
async function loadSplit(
  source: SlotSource, store: ChunkStore, d: number, slotRows: number, budgetRows: number, hold: Holdout, validation: ValidationSet | null,
  stats: RowStats, signal?: AbortSignal,
): Promise<true | null> {
  const n = source.rows;
  const roles = new Uint8Array(n);
  let trained = 0;
  for (let r = 0; r < n; r++) {
    const role = rowRole(r, hold);
    roles[r] = role === 'train' ? 1 : role === 'held' ? 2 : 0;
    if (role === 'train') trained++;
  }
  if (trained > budgetRows) return null;
  const train = roles.map((v) => (v === 1 ? 1 : 0));
  for (let start = 0, slot = 0, left = trained; left > 0; slot++) {
    signal?.throwIfAborted();
    const rows = Math.min(slotRows, left);
    let end = start;
    for (let k = 0; k < rows; end++) k += train[end];
    if (!(await loadRecords(source, store, slot, start, end - start, stats, train.subarray(start, end), rows))) {
      const c = splitChunk(await source.readRows(start, end - start), d, hold).train;
      addStats(stats, c);
      await store.load(slot, c);
    }
    [start, left] = [end, left - rows];
  }
  if (!validation) return true;
  const piece = readPiece(source, slotRows);
  for (let start = 0; start < n; start += piece) {
    signal?.throwIfAborted();
    await validation.addShare(source, start, Math.min(piece, n - start), shareOf(start, Math.min(piece, n - start), hold));
  }
  return true;
}

/** Whether a source of known size reads its rows straight into the store's row records (a .dh cache, the fast CPU backend). */
export function canRecords(source: DataSource, store: ChunkStore): boolean {
  return !!(source.readRecordsInto && source.rowEntries && source.readRows && store.recordView) && source.rows !== null;
}

/** A holdout rule's shares of a range of rows: selections of the rows it trains on and holds out, and their counts. */
export interface Share {
  hold: Holdout;
  train: Uint8Array;
  held: Uint8Array;
  trained: number;
  heldRows: number;
}

/** The shares of rows [start, start + count) under a holdout rule (rows it drops in neither). */
export function shareOf(start: number, count: number, hold: Holdout): Share {
  const train = new Uint8Array(count);
  const held = new Uint8Array(count);
  let [trained, heldRows] = [0, 0];
  for (let i = 0; i < count; i++) {
    const role = rowRole(start + i, hold);
    if (role === 'train') (train[i] = 1, trained++);
    else if (role === 'held') (held[i] = 1, heldRows++);
  }
  return { hold, train, held, trained, heldRows };
}

/**
 * Rows [start, start + count) of a source of known size — the training share's alone where `share` is given — into
 * slot `slot`: straight into its records where the store takes them, else as a chunk; their statistics added to
 * `stats` when it is given.
 */
export async function loadRange(source: DataSource, store: ChunkStore, slot: number, start: number, count: number, stats: RowStats | null, share?: Share): Promise<void> {
  if (await loadRecords(source, store, slot, start, count, stats, share?.train, share?.trained ?? count)) return;
  let c = await source.readRows!(start, count);
  if (share) c = splitChunk(c, source.features.length, share.hold).train;
  if (stats) addStats(stats, c);
  await store.load(slot, c);
}

/** The rows of each chunk a pass of source.read({ maxRows: slotRows }) gives (a .dh cache's: data/blocks.ts chunkRows). */
export function readPiece(source: DataSource, slotRows: number): number {
  return chunkRows({ maxRows: slotRows }, source.features.length + Math.ceil(source.sparse?.nnzPerRow ?? 0));
}

/**
 * Reads rows with a sparse block straight into a store's row records where both can (a .dh cache into the fast CPU
 * backend: no chunk in between), and adds their statistics from the records (when `stats` is given); false, reading
 * nothing, where they cannot. With `select`, only the `rows` rows of [start, start + count) it takes (a holdout's
 * share), one after another.
 */
export async function loadRecords(
  source: DataSource, store: ChunkStore, slot: number, start: number, count: number, stats: RowStats | null, select?: Uint8Array, rows = count,
): Promise<boolean> {
  if (!source.readRecordsInto || !source.rowEntries || !store.recordView) return false;
  const into = store.recordView(slot, rows, await source.rowEntries(start, count, select));
  if (!into) return false;
  await source.readRecordsInto(start, count, into, select);
  if (!stats) return true;
  // The dense columns (when asked for) and the target in one set (one pass over the records), then merged as addStats would fold them.
  const d = stats.x ? source.features.length : 0;
  const offsets = [...Array(d).keys(), into.yAt];
  const both = into.columnStats?.(offsets) ?? recordStats(into, rows, offsets);
  if (stats.x) stats.x.cols = stats.x.cols.map((s, j) => mergeStats(s, both[j]));
  stats.y.cols[0] = mergeStats(stats.y.cols[0], both[d]);
  return true;
}

/** The statistics of the records' columns at these word offsets, computed here. */
function recordStats(into: RowRecords, count: number, offsets: number[]): ColumnStats[] {
  const set = new ColumnSet(offsets.length);
  set.addRows(into.f32, count, into.stride, into.at, offsets);
  return set.cols;
}

/** A standardization of the dense columns, extended over a sparse block of `width` columns (left as they are). */
export function withSparse(s: Standardization, width: number): Standardization {
  if (width === 0) return s;
  const mean = new Float64Array(s.mean.length + width);
  const invStd = new Float64Array(s.mean.length + width).fill(1);
  mean.set(s.mean);
  invStd.set(s.invStd);
  return { mean, invStd };
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
