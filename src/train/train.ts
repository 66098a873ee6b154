// The host loop's entry: train() resolves the options into a plan (plan.ts), prepares the targets, reads the data
// — resident in the backend's memory when it fits the budget, else streamed chunk by chunk every epoch — and hands
// the loaded run to the epoch loop (run.ts). Batch losses are read back once per window (an epoch, or every
// `lossEvery` steps), never inside the step loop; host-update mode applies the step in TypeScript.
import type { Backend, ChunkStore } from '../backend';
import type { Dataset } from '../core/dataset';
import { LOSSES, type LossKind } from '../core/losses';
import { OptionError } from '../core/options';
import { penaltyHp } from '../core/penalties';
import { denseOnlyOption, ITERATIVE as SOLVER_ITERATIVE } from '../core/solver/options';
import type { TrainSpec } from '../core/spec';
import { ColumnSet } from '../core/stats';
import { withRowColumns, type RowColumns } from '../data/row_columns';
import type { DataSource } from '../data/source';
import { trainDistributed } from './distributed';
import { prepareStream, type Stream } from './epochs';
import { checkedInput, checkInit, checkTrainingRows, withColumns } from './inputs';
import { loadPassStore, loadResident, readsPerPass, ValidationSet, type RowStats } from './load';
import { budgetRows, resolvePlan, RUNTIME_BYTES, sparseBlockBytes, type TrainOptions, type TrainPlan } from './plan';
import type { TrainResult } from './report';
import type { LoadedRun } from './loaded';
import { trainPath, type Loaded } from './path';
import { solveIterative } from './solve_iterative';
import { solveExact } from './solve';
import { prepareTargets, targetKind, type Targets } from './targets';
import { trainLoaded } from './train_loaded';

const now = (): number => performance.now() / 1000;

/** Solvers that iterate on the host over passes of the loaded rows (solve_iterative.ts). */
const ITERATIVE = new Set<string>(SOLVER_ITERATIVE);

/** Sparse rows train by gradient descent or L-BFGS (the exact solver, Newton and the Gram-based options need dense columns), and without sample weights, offsets or class weights yet. */
function checkSparseSolver(source: DataSource, spec: TrainSpec, columns: RowColumns = {}): void {
  if (!source.sparse) return;
  // Sparse sessions (SparseSessionBase and its backends' kin) read no per-row weights or offsets yet: refuse, never ignore.
  const extra = columns.weight !== undefined || source.extras?.weight ? 'weight'
    : columns.offset !== undefined || source.extras?.offset ? 'offset' : spec.classWeight !== 'none' ? 'class-weight' : null;
  if (extra) {
    throw new OptionError(extra, `--${extra} is not supported with categorical/sparse features yet: ${source.description} has a sparse block of ` +
      `${source.sparse.width} columns (categorical or svmlight features)`);
  }
  const name = denseOnlyOption(spec);
  if (name) {
    throw new OptionError(name, `--${name === 'solver' ? `solver ${spec.solver}` : name} needs dense columns; ${source.description} has a sparse block of ` +
      `${source.sparse.width} columns (categorical or svmlight features): train it with gradient descent (--solver gd) or L-BFGS (--solver lbfgs)`);
  }
}

/** Data read once into a backend's memory, to train on repeatedly (benchmarks, the web page). */
export interface ResidentData {
  readonly store: ChunkStore;
  readonly d: number;
  readonly rows: number;
  /** The source as loaded (targets mapped to class indices when prepared for classification). */
  readonly source: DataSource;
  readonly stats: RowStats;
  /** What the targets were prepared for: regression values, or classes (then `classes` lists them). */
  readonly targets: 'regression' | 'classes';
  readonly classes: string[] | null;
  dispose(): void;
}

/**
 * Reads a source (or dataset) into a backend's memory in chunks of `chunkRows` (default: the largest), its
 * targets prepared for `loss` (default squared: regression values; a classification loss maps labels to classes),
 * the `weight` and `offset` columns (if named) taken out as the rows' sample weights and offsets.
 */
export async function uploadDataset(
  backend: Backend, input: DataSource | Dataset, o: { chunkRows?: number; loss?: LossKind; signal?: AbortSignal } & RowColumns = {},
): Promise<ResidentData> {
  const raw = withRowColumns(checkedInput(input), { weight: o.weight, offset: o.offset });
  const targets = await prepareTargets(raw, o.loss ?? 'squared', o.signal);
  const source = targets.source;
  const d = source.features.length;
  const stats: RowStats = { x: new ColumnSet(d), y: new ColumnSet(1) };
  const slotRows = Math.min(o.chunkRows ?? Infinity, backend.maxChunkRows(d));
  const store = (await loadResident(backend, source, d, slotRows, Infinity, null, null, stats, o.signal))!;
  return {
    store, d, rows: stats.y.n, source, stats, targets: targetKind(o.loss ?? 'squared'), classes: targets.classes,
    dispose: () => store.dispose(),
  };
}

/** Trains on resident data (no holdout; the data stays loaded for the next call). */
export async function trainResident(backend: Backend, data: ResidentData, opts: TrainOptions): Promise<TrainResult> {
  const plan = resolvePlan(opts);
  const { spec } = plan;
  if (spec.validation) throw new Error('trainResident: a validation split needs train() (the split happens while reading)');
  if (plan.columns.weight !== undefined || plan.columns.offset !== undefined || spec.classWeight !== 'none') {
    throw new Error('trainResident: sample weights, offsets and class weights are loaded with the rows: name the columns to uploadDataset, or use train()');
  }
  checkSparseSolver(data.source, spec);
  if (spec.solver === 'exact') return solveExact(backend, data.source, plan);
  if (spec.cv > 0) throw new Error('trainResident: cross-validation needs train() (each fold is split while reading)');
  if (targetKind(spec.loss) !== data.targets || (LOSSES[spec.loss].task === 'binary' && data.classes!.length !== 2)) {
    throw new Error(`the data was loaded for ${data.classes ? `${data.classes.length} classes` : 'regression'}; --loss ${spec.loss} needs it loaded for its own targets`);
  }
  const stats: RowStats = { x: spec.standardize ? data.stats.x : null, y: data.stats.y, ...(data.stats.weight !== undefined ? { weight: data.stats.weight } : {}) };
  const outputs = LOSSES[spec.loss].task === 'multiclass' ? data.classes!.length : 1;
  const targets = { source: data.source, classes: data.classes, outputs };
  const loaded: LoadedRun = { targets, store: data.store, stats, validation: null, stream: null };
  if (spec.alphaPath > 0) return trainPath(backend, plan, async () => ({ data: loaded, uploadSeconds: 0, dispose: () => {} }));
  return (ITERATIVE.has(spec.solver) ? solveIterative : trainLoaded)(backend, plan, loaded, 0);
}

/** Trains a linear model on a source (or an in-memory dataset). */
export async function train(backend: Backend, input: DataSource | Dataset, opts: TrainOptions): Promise<TrainResult> {
  let plan = resolvePlan(opts);
  const { spec } = plan;
  const checked = checkedInput(input);
  checkSparseSolver(checked, spec, plan.columns);
  if (plan.collective && checked.sparse) throw new OptionError('launch', `a distributed run trains dense columns; ${checked.description} has a sparse block: train it in one process`);
  ({ input, plan } = withColumns(checked, plan));
  if (plan.collective) return trainDistributed(backend, input, plan);
  if (spec.solver === 'exact') return solveExact(backend, input, plan);
  const t0 = now();
  const targets = await prepareTargets(input, spec.loss, plan.signal ?? undefined, undefined, spec.classWeight);
  checkInit(plan.init ?? undefined, targets.source.features.length + (targets.source.sparse?.width ?? 0), targets.outputs);
  if (spec.alphaPath > 0) return trainPath(backend, plan, (p) => loadRun(backend, p, targets, t0));
  const l = await loadRun(backend, plan, targets, t0);
  try {
    return await (ITERATIVE.has(spec.solver) ? solveIterative : trainLoaded)(backend, plan, l.data, l.uploadSeconds);
  } finally {
    l.dispose();
  }
}

/**
 * Reads the training rows under a plan's holdout (or cross-validation fold) rule: resident in the backend when they
 * fit its budget, else prepared for streaming; the held-out rows in their own store.
 */
async function loadRun(backend: Backend, plan: TrainPlan, targets: Targets, t0 = now()): Promise<Loaded> {
  const { spec, hold } = plan;
  const source = targets.source;
  const d = source.features.length;
  const shape = source.sparse && { width: source.sparse.width, outputs: targets.outputs, optimizer: spec.optimizer, penalty: spec.penalty, penaltyHp: penaltyHp(spec.penalty, spec), clipNorm: spec.clipNorm };
  const reserved = shape ? sparseBlockBytes(backend, shape) + RUNTIME_BYTES : 0;
  const budget = budgetRows(plan, d, source.sparse?.nnzPerRow, reserved);
  const newStats = (): RowStats => ({ x: spec.standardize ? new ColumnSet(d) : null, y: new ColumnSet(1) });
  const newValidation = () => (hold ? new ValidationSet(backend, d, backend.maxChunkRows(d), Math.floor(budget / 2), source.extras) : null);
  let stats = newStats();
  let validation = newValidation();
  let store: ChunkStore | null = null;
  let stream: Stream | null = null;
  const dispose = () => {
    store?.dispose();
    validation?.store.dispose();
    stream?.evalStore.dispose();
  };
  try {
    if (source.rows === null || source.rows <= budget) {
      const slotRows = Math.min(plan.chunkRows, backend.maxChunkRows(d));
      if (readsPerPass(plan, source)) store = await loadPassStore(backend, source, d, slotRows, stats, plan.signal ?? undefined);
      store ??= await loadResident(backend, source, d, slotRows, budget, hold, validation, stats, plan.signal ?? undefined);
    }
    if (!store) {
      validation?.store.dispose();
      stats = newStats();
      validation = newValidation();
      stream = await prepareStream(backend, plan, source, validation, stats, reserved);
      store = stream.store;
    }
    if (!stream) checkTrainingRows(source, stats.y.n, validation?.rows ?? 0, spec);
  } catch (e) {
    dispose();
    throw e;
  }
  return { data: { targets, store, stats, validation, stream }, uploadSeconds: now() - t0, dispose };
}
