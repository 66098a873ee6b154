// The library boundary: what train() and uploadDataset() accept, checked before any row reaches a backend. Names
// (one per feature, distinct, the target apart), every chunk's shape (x holds rows × D values, y one per row, rows
// numbered consistently) and every value (finite, within float32) — so a wrong-length array or a NaN stops with
// what and where, instead of training on zero-filled or misaligned rows. Sources from src/data that read files
// check their values as they decode them (src/data/values.ts); the shapes of every source are checked here.
import { NO_EXTRAS, type Dataset, type HostChunk, type RowExtras, type RowRecords } from '../core/dataset';
import type { ModelParams } from '../core/model';
import type { TrainSpec } from '../core/spec';
import { DataError, nameList, quoteValue } from '../data/csv';
import { memorySource, type DataSource, type ReadOptions } from '../data/source';
import { LOSSES } from '../core/losses';
import { OptionError } from '../core/options';
import { checkWeights, f64WithRowColumns, withRowColumns } from '../data/row_columns';
import type { TrainPlan } from './plan';
import { checkValues } from '../data/values';
import { csrProblem } from '../core/csr';

/** A bad argument to the library (not a bad file): what was given and what was expected. */
export class InputError extends Error {
  override name = 'InputError';
}

function checkNames(where: string, features: unknown, target: unknown, sparse = false): void {
  if (!Array.isArray(features) || (features.length === 0 && !sparse) || !features.every((f) => typeof f === 'string')) {
    throw new InputError(`${where}: features must be a non-empty list of column names`);
  }
  if (typeof target !== 'string') throw new InputError(`${where}: target must be a column name (a string)`);
  const seen = new Set<string>();
  for (const f of features as string[]) {
    if (seen.has(f)) throw new InputError(`${where}: the feature name ${quoteValue(f)} appears more than once (${nameList(features as string[])})`);
    seen.add(f);
  }
  if (seen.has(target)) throw new InputError(`${where}: the target ${quoteValue(target)} is also listed as a feature`);
}

/**
 * Throws unless a chunk holds `rows` rows of d features: x a Float32Array of rows·d values, y one of rows, the
 * per-row weights and offsets its source declares (`extras`), one per row, and no others, and a sparse block of
 * `width` columns where the source has one (null: not checked here).
 */
function checkChunk(
  where: string, c: HostChunk, d: number, features: readonly string[], index: string, extras: RowExtras = NO_EXTRAS, width: number | null = null,
): void {
  if (!c || !Number.isSafeInteger(c.rows) || c.rows < 0) throw new InputError(`${where}: ${index} has no valid row count (rows = ${c?.rows})`);
  if (!(c.x instanceof Float32Array) || !(c.y instanceof Float32Array)) {
    throw new InputError(`${where}: ${index}: x and y must be Float32Arrays (convert with Float32Array.from)`);
  }
  if (c.x.length !== c.rows * d) {
    throw new InputError(`${where}: ${index} holds ${c.x.length} x values for ${c.rows} rows of ${d} features (${nameList(features)}); ` +
      `expected ${c.rows * d}`);
  }
  if (c.y.length !== c.rows) throw new InputError(`${where}: ${index} holds ${c.y.length} targets for ${c.rows} rows`);
  for (const [key, what, want] of [['w', 'sample weights', extras.weight], ['o', 'offsets', extras.offset]] as const) {
    const v = c[key];
    if (!want && v === undefined) continue;
    if (!want || !(v instanceof Float32Array) || v.length !== c.rows) {
      throw new InputError(`${where}: ${index} ${want ? `must carry ${what} (${key}) as a Float32Array of ${c.rows}` : `carries ${what} (${key}) that the other chunks lack`}`);
    }
  }
  if (width !== null) checkSparse(where, c, width, index);
}

/** Throws unless a chunk's sparse block is CSR of its rows with indices inside the width (sparse_check.ts). */
function checkSparse(where: string, c: HostChunk, width: number, index: string): void {
  const why = csrProblem(c.sparse, c.rows, width);
  if (why) throw new InputError(`${where}: ${index}: the sparse block ${why}`);
}

/** Checks an in-memory dataset's names, chunk shapes and row count (values are checked as they are read). */
function checkDataset(ds: Dataset, where: string): void {
  checkNames(where, ds.features, ds.target, !!ds.sparse);
  if (!Array.isArray(ds.chunks)) throw new InputError(`${where}: chunks must be a list of { rows, x, y }`);
  let rows = 0;
  const first = ds.chunks[0];
  const extras = first ? { weight: first.w !== undefined, offset: first.o !== undefined } : NO_EXTRAS;
  ds.chunks.forEach((c, i) => {
    checkChunk(where, c, ds.features.length, ds.features, `chunk ${i}`, extras, ds.sparse?.width ?? null);
    rows += c.rows;
  });
  if (ds.rows !== rows) throw new InputError(`${where}: rows is ${ds.rows} but the chunks hold ${rows} rows`);
}

/** A source whose every chunk is checked: shape always, values unless the source checks them itself (files). */
function checkedSource(src: DataSource): DataSource {
  const where = src.description;
  const d = src.features.length;
  const checkValuesToo = src.files === undefined;
  const check = (c: HostChunk, what: string): HostChunk => {
    // File readers build their sparse blocks themselves (and a cache checks its own); other sources' are checked here.
    checkChunk(where, c, d, src.features, what, src.extras, checkValuesToo ? src.sparse?.width ?? null : null);
    if (checkValuesToo) checkValues(where, c.x, d, c.firstRow ?? 0, (j) => src.features[j]);
    if (checkValuesToo) checkValues(where, c.y, 1, c.firstRow ?? 0, () => src.target);
    if (checkValuesToo && c.w) checkWeights(where, c.w, c.rows, c.firstRow ?? 0, 'w');
    if (checkValuesToo && c.o) checkValues(where, c.o, 1, c.firstRow ?? 0, () => 'o');
    return c;
  };
  const out: DataSource = {
    description: src.description, features: src.features, target: src.target, ...(src.extras ? { extras: src.extras } : {}),
    get rows() { return src.rows; },
    get targetLabels() { return src.targetLabels; },
    get skipped() { return src.skipped; },
    async *read(opts?: ReadOptions) {
      for await (const c of src.read(opts)) yield check(c, `the chunk at row ${(c?.firstRow ?? 0) + 1}`);
    },
    ...(src.files ? { files: src.files } : {}),
    ...(src.sparse ? { sparse: src.sparse } : {}),
    ...(src.readRows ? {
      readRows: async (start: number, count: number) => {
        const c = check(await src.readRows!(start, count), `rows ${start + 1}…${start + count}`);
        if (c.rows !== count) throw new InputError(`${where}: asked for ${count} rows at row ${start + 1}, got ${c.rows}`);
        return c;
      },
    } : {}),
    ...(src.readRowsInto ? {
      readRowsInto: async (start: number, count: number, into: HostChunk, featuresOnly?: boolean) => {
        await src.readRowsInto!(start, count, into, featuresOnly);
        check({ rows: count, x: into.x.subarray(0, count * d), y: into.y.subarray(0, count), firstRow: start }, `rows ${start + 1}…${start + count}`);
      },
    } : {}),
    ...(src.readTargets ? { readTargets: (opts?: ReadOptions) => src.readTargets!(opts) } : {}),
    ...(src.readFeaturesSync ? { readFeaturesSync: (start: number, count: number, into: HostChunk) => src.readFeaturesSync!(start, count, into) } : {}),
    ...(src.rowEntries ? { rowEntries: (start: number, count: number, select?: Uint8Array) => src.rowEntries!(start, count, select) } : {}),
    ...(src.readRecordsInto ? {
      readRecordsInto: (start: number, count: number, into: RowRecords, select?: Uint8Array) => src.readRecordsInto!(start, count, into, select),
    } : {}),
    ...(src.close ? { close: () => src.close!() } : {}),
    ...(src.part ? { part: (k: number, parts: number) => checkedSource(src.part!(k, parts)) } : {}),
    ...(src.rowGroups ? { rowGroups: src.rowGroups } : {}),
  };
  // A .dh cache's stored statistics spare the host loop a pass, and its dtype decides whether a column may become a
  // weight (data/row_columns.ts); keep them visible through the wrapper.
  const { stats, dtype } = src as { stats?: unknown; dtype?: unknown };
  return Object.assign(out, stats === undefined ? {} : { stats }, dtype === undefined ? {} : { dtype });
}

/** What train() reads: a dataset or a source, checked at the boundary (names now, shapes and values as they are read). */
export function checkedInput(input: DataSource | Dataset): DataSource {
  if (input === null || typeof input !== 'object') throw new InputError('train: expected a DataSource or a Dataset { features, target, rows, chunks }');
  if ('read' in input) {
    checkNames(input.description ?? 'source', input.features, input.target, !!input.sparse);
    return checkedSource(input);
  }
  checkDataset(input, 'dataset');
  return checkedSource(memorySource(input, 'dataset'));
}

/** Starting parameters must be K × D weights and K finite biases. */
export function checkInit(init: ModelParams | undefined, d: number, outputs: number): void {
  if (!init) return;
  const ok = init.weights?.length === outputs * d && init.bias?.length === outputs &&
    init.weights.every(Number.isFinite) && init.bias.every(Number.isFinite);
  if (!ok) throw new InputError(`init: expected ${outputs} × ${d} finite weights and ${outputs} biases, got ${init.weights?.length} weights and ${init.bias?.length} biases`);
}

/** Throws when no rows are left to train on (everything held out, or an empty source). */
export function checkTrainingRows(source: DataSource, trainRows: number, heldRows: number, spec: TrainSpec): void {
  if (trainRows > 0) return;
  const why = heldRows > 0 ? `--validation ${spec.validation} held out all ${heldRows} rows; use a smaller share or more data` : 'the data has no rows';
  throw new DataError(source.description, null, null, `no rows left to train on: ${why}`);
}

/**
 * The source with the plan's weight and offset columns taken out of its features into each chunk's w and o (and the
 * plan's f64 rows alike). A multiclass loss takes no offset: one column added to every class's output cancels out.
 */
export function withColumns(source: DataSource, plan: TrainPlan): { input: DataSource; plan: TrainPlan } {
  const { columns, spec } = plan;
  const input = withRowColumns(source, columns);
  if (input.extras?.offset && LOSSES[spec.loss].task === 'multiclass') {
    throw new OptionError('offset', `--loss ${spec.loss} takes no offset: one offset added to every class's output cancels out of the class probabilities`);
  }
  const f64Rows = plan.f64Rows && f64WithRowColumns(plan.f64Rows, source.description, source.features, source.target, columns);
  return { input, plan: f64Rows === plan.f64Rows ? plan : { ...plan, f64Rows } };
}
