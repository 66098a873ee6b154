// A data-parallel run on one rank (train() comes here when the plan has a collective): agree on the global row
// count and the chunk size, read this rank's share of whole chunks (shards.ts) into the backend — the held-out rows
// beside them — merge the statistics, class labels and per-chunk row counts of every rank, then hand the ordinary
// epoch loop a store of the global chunks and a session whose gradients are the ranks' sums (dist_session.ts).
// Every rank computes the same updates; only rank 0 writes checkpoints, and they record every rank's share.
import type { Backend, ChunkStore } from '../backend';
import { splitChunk } from '../core/holdout';
import { OptionError } from '../core/options';
import { ITERATIVE as SOLVER_ITERATIVE } from '../core/solver/options';
import { ColumnSet, mergeStats, type ColumnStats } from '../core/stats';
import type { DataSource } from '../data/source';
import { allgatherJson, type Collective } from './collective';
import { DistStore, distBackend } from './dist_session';
import { checkInit, checkTrainingRows } from './inputs';
import { addStats, ValidationSet, type RowStats } from './load';
import { budgetRows, type TrainPlan } from './plan';
import type { TrainResult } from './report';
import { distChunkRows, globalRows, rankRecord, shardLayout, shardSource, type ShardLayout } from './shards';
import type { Loaded } from './path';
import { trainPath } from './path';
import { solveExact } from './solve';
import { solveIterative } from './solve_iterative';
import { prepareTargets, type Targets } from './targets';
import { trainLoaded } from './train_loaded';

const now = (): number => performance.now() / 1000;

/** Solvers that iterate over passes of the rows (solve_iterative.ts). */
const ITERATIVE = new Set<string>(SOLVER_ITERATIVE);

/** Trains on this rank's share of `input` with the plan's collective (every rank calls it with the same input and plan). */
export async function trainDistributed(backend: Backend, input: DataSource, plan: TrainPlan): Promise<TrainResult> {
  const c = plan.collective!;
  const { spec } = plan;
  const signal = plan.signal ?? undefined;
  const t0 = now();
  const d = input.features.length;
  checkSolver(plan);
  const { rows, partRows } = await globalRows(input, c, signal);
  // Rank 0's chunk size for everyone: backends on different machines may differ in their largest slot.
  const chunkRows = (await c.broadcast(Float64Array.of(distChunkRows(rows, backend.maxChunkRows(d), plan.chunkRows, input.rowGroups))))[0];
  const layout = shardLayout(rows, chunkRows, c.rank, c.size);
  const shard = shardSource(input, layout, partRows);
  if (spec.solver === 'exact') return solveExact(backend, shard, { ...plan, f64Rows: null });
  const share = layout.endRow - layout.firstRow;
  if (share > budgetRows(plan, d)) {
    throw new Error(`rank ${c.rank}'s share of ${share} rows does not fit --memory-budget (${budgetRows(plan, d)} rows of ${d} features): ` +
      'a distributed run keeps each share in memory; use more ranks or a larger budget');
  }
  const targets = await prepareTargets(shard, spec.loss, signal, c, spec.classWeight);
  checkInit(plan.init ?? undefined, d, targets.outputs);
  const load = (p: TrainPlan) => loadRun(backend, targets, layout, p, t0);
  if (ITERATIVE.has(spec.solver) || spec.alphaPath > 0) {
    // Newton and L-BFGS passes, a path's fits and each fold's: every pass's sums are the ranks' (DistSession).
    // A stop asked for on any rank reaches every rank in the same pass's sums (agreed), so all stop after it.
    const agreed = new AbortController();
    const dist = distBackend(backend, { collective: c, signal: plan.signal, agreed, syncEvery: 1, stepsPerEpoch: 1, seed: spec.seed, shuffle: false });
    const iterPlan: TrainPlan = { ...plan, signal: agreed.signal };
    if (spec.alphaPath > 0) return trainPath(dist, iterPlan, load);
    const l = await load(iterPlan);
    try {
      return await solveIterative(dist, iterPlan, l.data, l.uploadSeconds);
    } finally {
      l.dispose();
    }
  }
  const l = await load(plan);
  try {
    await checkSameResume(plan, c);
    const trainRows = l.data.stats.y.n;
    const agreed = new AbortController();
    const dist = distBackend(backend, {
      collective: c, signal: plan.signal, agreed, syncEvery: plan.syncEvery, seed: spec.seed, shuffle: spec.shuffle,
      stepsPerEpoch: Math.ceil(trainRows / Math.min(spec.batch, trainRows)),
    });
    const distPlan: TrainPlan = {
      ...plan, hostUpdate: true, signal: agreed.signal,
      checkpoint: { ...plan.checkpoint, write: c.rank === 0 ? plan.checkpoint.write : null, ranks: rankRecord(rows, chunkRows, c.size, plan.syncEvery) },
    };
    return await trainLoaded(dist, distPlan, l.data, l.uploadSeconds);
  } finally {
    l.dispose();
  }
}

/** What a distributed run cannot do, refused on every rank alike before any rank reads a row. */
function checkSolver(plan: TrainPlan): void {
  const { spec } = plan;
  if (spec.solver === 'dcd' || spec.solver === 'smoothing') {
    throw new OptionError('solver', `--solver ${spec.solver} holds every row in one process's memory, so it does not run on ranks; ` +
      'use one process, or --solver newton or lbfgs');
  }
  if (plan.syncEvery > 1 && (ITERATIVE.has(spec.solver) || spec.alphaPath > 0)) {
    throw new OptionError('syncEvery', `--sync-every is for gradient descent (--solver gd), not --solver ${spec.solver}${spec.alphaPath > 0 ? ' or --alpha-path' : ''}`);
  }
}

/**
 * This rank's share under a plan's holdout (or a fold's rule): its chunks resident in the backend, the held-out rows
 * beside them, the statistics, held-out rows and per-chunk row counts of every rank merged, as a run over the global
 * chunk list (DistStore).
 */
async function loadRun(backend: Backend, targets: Targets, layout: ShardLayout, plan: TrainPlan, t0: number): Promise<Loaded> {
  const c = plan.collective!;
  const { spec } = plan;
  const d = targets.source.features.length;
  const stats: RowStats = { x: spec.standardize ? new ColumnSet(d) : null, y: new ColumnSet(1) };
  const validation = plan.hold ? new ValidationSet(backend, d, layout.chunkRows, Math.floor(budgetRows(plan, d) / 2), targets.source.extras) : null;
  let local: ChunkStore | null = null;
  const dispose = () => {
    local?.dispose();
    validation?.store.dispose();
  };
  try {
    const loaded = await loadShard(backend, targets.source, layout, plan, validation, stats);
    local = loaded.store;
    const counts = await c.allreduce(loaded.counts);
    await mergeRowStats(stats, c, !!targets.source.extras?.weight);
    if (validation) await mergeValidation(validation, c);
    checkTrainingRows(targets.source, stats.y.n, validation?.rows ?? 0, spec);
    const store = new DistStore(local, Array.from(counts), loaded.slotOf);
    return { data: { targets, store, stats, validation, stream: null }, uploadSeconds: now() - t0, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/**
 * Loads the rank's chunks into one slot each (rows held out for validation go to `validation`) and counts the
 * training rows of each global chunk (zero outside the share).
 */
async function loadShard(
  backend: Backend, shard: DataSource, l: ShardLayout, plan: TrainPlan, validation: ValidationSet | null, stats: RowStats,
): Promise<{ store: ChunkStore; slotOf: Map<number, number>; counts: Float64Array }> {
  const d = shard.features.length;
  const store = backend.createStore(d, l.chunkRows, true, shard.extras);
  const slotOf = new Map<number, number>();
  const counts = new Float64Array(l.chunks);
  try {
    for await (const ch of shard.read({ maxRows: l.chunkRows, signal: plan.signal ?? undefined })) {
      const id = Math.floor((ch.firstRow ?? 0) / l.chunkRows);
      const parts = plan.hold ? splitChunk(ch, d, plan.hold) : { train: ch, held: null };
      if (parts.held) await validation?.add(parts.held);
      if (parts.train.rows === 0) continue;
      addStats(stats, parts.train);
      slotOf.set(id, slotOf.size);
      await store.load(slotOf.size - 1, parts.train);
      counts[id] += parts.train.rows;
    }
    return { store, slotOf, counts };
  } catch (e) {
    store.dispose();
    throw e;
  }
}

/** Replaces each rank's column statistics by those of every rank's rows (merged in rank order: the same everywhere). */
export async function mergeColumns(set: ColumnSet, c: Collective): Promise<void> {
  const all = await allgatherJson<[number, number, number, number | null, number | null][]>(c, set.cols.map((s) => [s.count, s.mean, s.m2, finite(s.min), finite(s.max)]));
  const merged: ColumnStats[] = set.cols.map(() => ({ count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity }));
  for (const cols of all) {
    cols.forEach(([count, mean, m2, min, max], j) => {
      merged[j] = mergeStats(merged[j], { count, mean, m2, min: min ?? Infinity, max: max ?? -Infinity });
    });
  }
  set.cols = merged;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Every rank's statistics; with sample weights, Σ w of every rank's rows (which normalises each step's gradient, ModelSpec.meanWeight). */
async function mergeRowStats(stats: RowStats, c: Collective, weighted: boolean): Promise<void> {
  if (stats.x) await mergeColumns(stats.x, c);
  await mergeColumns(stats.y, c);
  if (weighted) stats.weight = (await c.allreduce(Float64Array.of(stats.weight ?? 0)))[0];
}

/** Every rank's held-out rows count for all: their number and the mean their targets are shifted by. */
async function mergeValidation(v: ValidationSet, c: Collective): Promise<void> {
  await mergeColumns(v.y, c);
  v.rows = v.y.n;
}

/** Every rank must resume from the same checkpoint (or none): compares what each read. */
async function checkSameResume(plan: TrainPlan, c: Collective): Promise<void> {
  const r = plan.checkpoint.resume;
  const mine = r ? `step ${r.run.t} (epoch ${r.epoch + 1}, weights ${r.params.weights[0]}…${r.params.weights.at(-1)})` : 'no checkpoint';
  const all = await allgatherJson(c, mine);
  const other = all.findIndex((x) => x !== mine);
  if (other >= 0) throw new Error(`the ranks resume from different checkpoints: rank ${c.rank} read ${mine}, rank ${other} read ${all[other]}`);
}
