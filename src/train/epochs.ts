// One epoch over resident data, or over data streamed from its source through a ring of slots; and the
// final metrics pass over streamed data.
import type { Backend, ChunkStore, TrainSession, Which } from '../backend';
import { splitChunk, type Holdout } from '../core/holdout';
import type { LossUnit } from '../core/losses';
import { addSums, confusionClasses, emptySums, metricsFromSums, type Metrics } from '../core/metrics';
import type { ModelSpec } from '../core/model';
import { BatchPlanner, chunkKey, epochSteps, type Step } from '../core/schedule';
import { stripeCount, stripedSteps } from '../core/stripes';
import { ColumnSet, type ColumnStats } from '../core/stats';
import type { DataSource } from '../data/source';
import { epochChunks, epochRanges, readAhead } from './chunks';
import { addStats, canRecords, loadRange, readPiece, shareOf, trainRows, type RowStats, type ValidationSet } from './load';
import type { RunState } from './run_state';
import { DistStore } from './dist_session';
import { StepSink } from './sink';
import type { Targets } from './targets';
import { budgetRows, type TrainPlan } from './plan';

/** A streamed run's ring of slots. */
export interface Stream {
  store: ChunkStore;
  /** A one-slot store for the final metrics pass. */
  evalStore: ChunkStore;
  slotRows: number;
  slots: number;
  /** Whether the training rows' statistics were complete before the first epoch (a first pass ran). */
  counted: boolean;
}

/** Everything an epoch needs. */
export interface EpochContext {
  backend: Backend;
  session: TrainSession;
  store: ChunkStore;
  source: DataSource;
  /** The prepared targets: the source, the class labels (null for regression) and the model's outputs. */
  targets: Targets;
  d: number;
  /** The run's resolved options. */
  plan: TrainPlan;
  /** The model being trained (its penalty applies in host-update mode). */
  model: ModelSpec;
  stats: RowStats;
  validation: ValidationSet | null;
  stream: Stream | null;
  /** Step numbering, rates, averaging and early stopping across epochs. */
  run: RunState;
  /** Called after each loss window with the epoch's batch losses so far (checkpoints every N steps). */
  onWindow?: (epoch: number, losses: readonly number[]) => Promise<void>;
}

const now = (): number => performance.now() / 1000;
const RING = 3;

function sinkFor(ctx: EpochContext, epoch: number, t0: number, stepsHint: number): StepSink {
  const { plan } = ctx;
  const { onProgress } = plan;
  const every = Math.max(1, Math.min(plan.lossEvery ?? stepsHint, plan.checkpoint.everySteps || stepsHint, stepsHint, 65536));
  // Local steps (--sync-every k) agree on losses and models every k steps: windows end where averaging periods do.
  const window = Math.ceil(every / plan.syncEvery) * plan.syncEvery;
  const total = ctx.stats.y.n > 0 && !(ctx.stream && epoch === 0 && ctx.source.rows === null) ? ctx.stats.y.n : NaN;
  return new StepSink(ctx.session, window, plan.hostUpdate, ctx.model,
    onProgress ? (rowsDone, loss) => onProgress({ epoch, rowsDone, rowsTotal: total, loss, elapsed: now() - t0 }) : undefined, plan.pause ?? undefined,
    ctx.onWindow && ((losses) => ctx.onWindow!(epoch, losses)));
}

/**
 * One epoch over resident data; returns the batch losses of the steps it took. `skip` steps of the epoch were
 * taken before (a resumed run): the epoch's steps are numbered from run.t − skip and the first `skip` are passed over.
 */
export async function residentEpoch(ctx: EpochContext, epoch: number, t0: number, skip = 0): Promise<number[]> {
  const { plan, store } = ctx;
  const { spec } = plan;
  const rows = ctx.stats.y.n;
  const batch = Math.min(spec.batch, rows);
  const sink = sinkFor(ctx, epoch, t0, Math.ceil(rows / batch));
  const first = ctx.run.t - skip;
  const o = { chunkRows: store.rowsIn, batch, lr: ctx.run.rule, seed: spec.seed, epoch, shuffle: spec.shuffle, firstStep: first };
  // Ranks take every step together: each step draws from every stripe of the global chunks (core/stripes.ts).
  const steps = store instanceof DistStore ? stripedSteps({ ...o, stripes: stripeCount(store.rowsIn.length, batch) }) : epochSteps(o);
  for (const step of steps) {
    if (step.index < skip) continue;
    await sink.push(step);
    if (plan.signal?.aborted) break;
  }
  await sink.flush();
  ctx.run.t = first + skip + sink.losses.length;
  return sink.losses;
}

/**
 * Sizes the ring for streaming and, when standardizing or when rows carry sample weights (whose mean scales every
 * step), computes the statistics in a first pass.
 */
export async function prepareStream(
  backend: Backend, plan: TrainPlan, source: DataSource, validation: ValidationSet | null, stats: RowStats, reserved = 0,
): Promise<Stream> {
  const { hold } = plan;
  const d = source.features.length;
  // Only gradient descent takes batches; the other solvers stream one chunk at a time.
  const batch = plan.spec.solver === 'gd' ? plan.spec.batch : 1;
  const budget = budgetRows(plan, d, source.sparse?.nnzPerRow, reserved);
  let slotRows = Math.min(plan.chunkRows, backend.maxChunkRows(d), Math.floor(budget / (2 * (RING + 1))));
  // A batch's pieces must stay loaded until the batch is complete: the ring holds every slot a batch spans.
  const slots = Math.max(RING, Math.ceil(Math.min(batch, source.rows ?? batch) / Math.max(1, slotRows)) + 2);
  if (slots * slotRows > budget) {
    throw new Error(`a batch of ${batch} rows does not fit the memory budget when streaming (${budget} rows); ` +
      `use a smaller --batch or a larger --memory-budget (full-batch gradient descent needs the data resident)`);
  }
  slotRows = Math.max(1, slotRows);
  const cached = (source as { stats?: { features: readonly ColumnStats[]; target: ColumnStats } }).stats;
  const weighted = !!source.extras?.weight;
  // Gradient descent collects the held-out rows in its first epoch; the other solvers have none: this pass does.
  const collect = plan.spec.solver !== 'gd' && hold ? validation : null;
  let counted = false;
  if (stats.x && cached && !hold && !weighted) {
    // A .dh cache carries its statistics: no first pass needed.
    stats.x = ColumnSet.of(cached.features);
    stats.y = ColumnSet.of([cached.target]);
    counted = true;
  } else if (stats.x || weighted || collect) {
    for await (const c of trainRows(source.read({ maxRows: slotRows }), d, hold, collect)) addStats(stats, c);
    counted = true;
  }
  const store = () => backend.createStore(d, slotRows, false, source.extras);
  return { store: store(), evalStore: store(), slotRows, slots, counted };
}

/** One epoch streamed from the source through the ring of slots; returns the batch losses (`skip`: see residentEpoch). */
export async function streamedEpoch(ctx: EpochContext, epoch: number, t0: number, skip = 0): Promise<number[]> {
  const { plan, d, stream } = ctx;
  const { hold, spec: { seed, shuffle } } = plan;
  const { store, slotRows, slots } = stream!;
  const known = ctx.source.rows ?? (ctx.stats.y.n || 1 << 20);
  const batch = Math.min(plan.spec.batch, known);
  const sink = sinkFor(ctx, epoch, t0, Math.ceil(known / batch));
  const first = ctx.run.t - skip;
  const planner = new BatchPlanner(batch, ctx.run.rule, shuffle, first);
  const push = async (step: Step) => (step.index < skip ? undefined : sink.push(step));
  const countRows = !stream!.counted && (ctx.stats.y.n === 0 || (epoch === 0 && !ctx.stats.x));
  let slot = 0;
  const next = async (id: number, rows: number) => {
    for (const step of planner.add(slot, rows, chunkKey(seed, epoch, id))) await push(step);
    slot = (slot + 1) % slots;
  };
  if (canRecords(ctx.source, store)) {
    // A cache's rows go straight into the ring's records (its memory touched in the first round only), a holdout's
    // shares through selections of rows: the chunks the other path reads, in its order, split as it splits them.
    for (const { id, start, count } of epochRanges(ctx.source.rows!, slotRows, seed, epoch, shuffle)) {
      const share = hold ? shareOf(start, count, hold) : undefined;
      if (share && epoch === 0 && ctx.validation) await ctx.validation.addShare(ctx.source, start, count, share);
      const rows = share ? share.trained : count;
      if (rows === 0) continue;
      sink.enqueue(); // steps still queued on the host may read the slot about to be reloaded
      await loadRange(ctx.source, store, slot, start, count, countRows ? ctx.stats : null, share);
      await next(id, rows);
      if (plan.signal?.aborted) break;
    }
  } else {
    for await (const { id, chunk } of readAhead(epochChunks(ctx.source, d, slotRows, seed, epoch, shuffle))) {
      let train = chunk;
      if (hold) {
        const parts = splitChunk(chunk, d, hold);
        train = parts.train;
        if (epoch === 0 && ctx.validation) await ctx.validation.add(parts.held);
      }
      if (countRows) addStats(ctx.stats, train);
      if (train.rows === 0) continue;
      sink.enqueue(); // steps still queued on the host may read the slot about to be reloaded
      await store.load(slot, train);
      await next(id, train.rows);
      if (plan.signal?.aborted) break;
    }
  }
  for (const step of planner.finish()) await push(step);
  await sink.flush();
  ctx.run.t = first + skip + sink.losses.length;
  return sink.losses;
}

/** Metrics over every training row of streamed data, one chunk at a time. */
export async function streamedMetrics(
  ctx: Pick<EpochContext, 'stream' | 'source' | 'd' | 'plan' | 'stats' | 'session' | 'model'>, unit: LossUnit, which: Which = 'current',
): Promise<Metrics> {
  const { evalStore, slotRows } = ctx.stream!;
  const sums = emptySums(confusionClasses(ctx.model.loss, ctx.model.outputs));
  const add = async () => addSums(sums, await ctx.session.evaluate(evalStore, ctx.stats.y.mean(0), which));
  if (canRecords(ctx.source, evalStore)) {
    // Straight into the one slot's records, in the pieces a pass reads, their training share (the same sums, in the same order).
    const piece = readPiece(ctx.source, slotRows);
    const hold = ctx.plan.hold;
    for (let start = 0, rows = ctx.source.rows!; start < rows; start += piece) {
      const count = Math.min(piece, rows - start);
      const share = hold ? shareOf(start, count, hold) : undefined;
      if (share?.trained === 0) continue;
      await loadRange(ctx.source, evalStore, 0, start, count, null, share);
      await add();
    }
    return metricsFromSums(sums, unit);
  }
  for await (const c of trainRows(ctx.source.read({ maxRows: slotRows }), ctx.d, ctx.plan.hold, null)) {
    await evalStore.load(0, c);
    await add();
  }
  return metricsFromSums(sums, unit);
}
