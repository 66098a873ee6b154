// data/: what the page trains on (synthetic data, the bundled flights, a user's file), opened and scanned.
// The page's data: a spec that survives postMessage (the CPU worker rebuilds synthetic data from its seed
// and opens a File itself rather than receiving rows), opening it as a DataSource, and one scan pass that
// counts rows, solves the exact least-squares answer when that is cheap (regression), finds the classes
// (classification) and samples rows to plot. Passes yield now and then so the page keeps painting. No DOM.
import type { Dataset, HostChunk } from '../../core/dataset';
import { LeastSquaresStream, solveFactor } from '../../core/solver/least_squares';
import { exactSummary } from '../../core/solver/report';
import type { ModelParams } from '../../core/model';
import { Rng } from '../../core/rng';
import { memorySource, type DataSource } from '../../data/source';
import { linearChunks, lineOptions, resolveSynthetic, shiftLine, type SyntheticOptions } from '../../data/synthetic';
import { blobsDataset, classesChunks, classesTruth, outlierChunks } from '../../data/synthetic_classes';
import { prepareTargets } from '../../train/targets';
import { rowBytes } from '../../train/plan';
import { HttpFile } from '../../data/http_file';
import { cachingSource, openCachedData } from './opfs';
import { loadFile, type FileTable } from './files';
import { FLIGHTS_FILE, flightsSource } from './flights';
import { DATA_OPTIONS, DATASETS, REAL_DATASETS, type SyntheticSpec } from '../form/settings';
import { EXACT_BUDGET, fmtCount } from '../state';

/** The seeds' line y = θ0 + θ1·x. */
export const LINE_THETA = { theta0: 4, theta1: 3 } as const;
/** Scale of the binary dataset's true weights (larger is more separable). */
export const BINARY_SCALE = 6;
/** Bytes of rows a backend holds for the page; larger data streams from its source every epoch. */
export const MEMORY_BUDGET = 2 ** 30;

/**
 * A user's file: a File (it passes to the workers without a copy), a URL each reader opens itself, or (a run resumed
 * after a reload, when the File is gone) the rows a worker cached in this browser, by the key of the data they are.
 */
export type FileRef = (Blob & { readonly name: string }) | { readonly url: string } | { readonly cached: string };

/** A user's file as a run reads it: its target (`labels`: read as class labels), and how its table is read. */
export interface FileSpec {
  kind: 'file';
  file: FileRef;
  /** The targets of an NPY pair (X.npy with X.y.npy). */
  yFile?: Blob & { readonly name: string };
  name: string;
  /** Bytes (a file larger than the page holds streams every epoch). */
  size: number;
  target: string;
  labels: boolean;
  table?: FileTable;
}

/** What data a run uses: a built-in dataset, the bundled flights, or a file. */
export type DataSpec = SyntheticSpec | { kind: 'flights'; file: Blob } | FileSpec;

/** An opened dataset with what the page knows about it. */
export interface LoadedData {
  key: string;
  spec: DataSpec;
  source: DataSource;
  /** The rows, for synthetic data (for the cloud and the exact answer without another pass). */
  dataset: Dataset | null;
  /** The coefficients synthetic data was generated from (one output for the binary dataset). */
  truth: ModelParams | null;
  /** What the target is, for built-in data; null for a file (it is what the loss makes of it). */
  task: 'regression' | 'classification' | null;
  description: string;
}

/** A key that is equal for specs that give the same rows. */
export function specKey(spec: DataSpec): string {
  if (spec.kind === 'file') {
    if ('cached' in spec.file) return spec.file.cached;
    const id = (f: Exclude<FileRef, { cached: string }>) => ('url' in f ? f.url : `${f.name}:${f.size}:${(f as Partial<File>).lastModified ?? 0}`);
    const y = spec.yFile ? `+${id(spec.yFile)}` : '';
    return `file:${id(spec.file)}${y}:${spec.target}:${spec.labels ? 'labels' : 'values'}:${JSON.stringify(spec.table ?? null)}`;
  }
  if (spec.kind === 'flights') return 'flights';
  const fields = DATA_OPTIONS.filter((o) => o.kinds.includes(spec.kind)).map((o) => spec[o.key]);
  return `${spec.kind}:${fields.join(':')}`;
}

/** The rows of a built-in dataset, in slices, with its truth and classes. */
function generate(spec: SyntheticSpec): { chunks: Iterable<HostChunk>; truth: ModelParams | null; classes: number; features: number } {
  const features = spec.features ?? 1;
  const lin: SyntheticOptions = { rows: spec.rows, features, noise: spec.noise, seed: spec.seed };
  switch (spec.kind) {
    case 'line': {
      const o = lineOptions(spec.rows, LINE_THETA.theta0, LINE_THETA.theta1, spec.noise ?? 1, spec.seed);
      const shifted = function* () {
        for (const c of linearChunks(o, SLICE_ROWS)) yield shiftLine(c, LINE_THETA.theta1);
      };
      return { chunks: shifted(), truth: resolveSynthetic(o).truth, classes: 0, features: 1 };
    }
    case 'linear': return { chunks: linearChunks(lin, SLICE_ROWS), truth: resolveSynthetic(lin).truth, classes: 0, features };
    case 'outliers':
      return { chunks: outlierChunks({ ...lin, outliers: spec.outliers ?? 0.05 }, SLICE_ROWS), truth: resolveSynthetic(lin).truth, classes: 0, features };
    case 'binary': {
      const o = { rows: spec.rows, features, classes: 2, seed: spec.seed, scale: BINARY_SCALE };
      return { chunks: classesChunks(o, SLICE_ROWS), truth: classesTruth(features, 2, spec.seed, BINARY_SCALE), classes: 2, features };
    }
    case 'blobs': {
      const k = spec.classes ?? 3;
      return { chunks: blobsDataset({ rows: spec.rows, features, classes: k, seed: spec.seed }).chunks, truth: null, classes: k, features };
    }
  }
}

function describe(spec: SyntheticSpec, k: number): string {
  const size = `${fmtCount(spec.rows)} rows${spec.kind === 'line' ? '' : ` × ${spec.features} feature${spec.features === 1 ? '' : 's'}`}`;
  switch (spec.kind) {
    case 'line': return `Line y = ${LINE_THETA.theta0} + ${LINE_THETA.theta1}·x + noise: ${size}`;
    case 'linear': return `Linear: ${size}, noise σ = ${spec.noise}`;
    case 'outliers': return `Linear with outliers: ${size}, noise σ = ${spec.noise}, ${Number(((spec.outliers ?? 0) * 100).toPrecision(3))}% of y moved far away`;
    case 'binary': return `Two classes drawn from a logistic model: ${size}`;
    case 'blobs': return `Gaussian blobs: ${size}, ${k} classes`;
  }
}

/** Builds a built-in dataset, yielding to the page between slices (no long freeze). */
export async function buildSynthetic(spec: SyntheticSpec): Promise<LoadedData> {
  const g = generate(spec);
  const chunks: HostChunk[] = [];
  for (const c of g.chunks) {
    chunks.push(c);
    await pause();
  }
  const features = spec.kind === 'line' ? ['x'] : Array.from({ length: g.features }, (_, j) => `x${j + 1}`);
  const ds: Dataset = { features, target: 'y', rows: spec.rows, chunks };
  const description = describe(spec, g.classes);
  const plain = memorySource(ds, description);
  // Class datasets hold class indices; naming them as labels makes the engine refuse a regression loss on them.
  const source: DataSource = g.classes ? { ...plain, targetLabels: Array.from({ length: g.classes }, (_, c) => String(c)) } : plain;
  return { key: specKey(spec), spec, source, dataset: ds, truth: g.truth, task: DATASETS[spec.kind].task, description };
}

/** A user's file opened as a source: its cached rows when this browser parsed it before, else the file itself. */
async function openFile(spec: FileSpec, key: string, cache: 'read' | 'write'): Promise<{ source: DataSource; cached: boolean }> {
  const hit = await openCachedData(key);
  if (hit) return { source: hit, cached: true };
  if ('cached' in spec.file) throw new Error(`${spec.name}: its rows are no longer in this browser's storage; choose the file again`);
  const file = 'url' in spec.file ? await HttpFile.open(spec.file.url) : spec.file;
  const source = await loadFile(file, spec.target, spec.labels, spec.table, spec.yFile);
  return { source: cache === 'write' ? cachingSource(key, source) : source, cached: false };
}

/**
 * Opens the data a spec describes. A file (or the bundled flights) parsed before in this browser is read from its
 * cache in the origin-private file system; `cache: 'write'` (a training worker) caches one that is not, during its
 * first complete pass.
 */
export async function openData(spec: DataSpec, o: { cache?: 'read' | 'write' } = {}): Promise<LoadedData> {
  const key = specKey(spec);
  if (spec.kind === 'flights') {
    const hit = await openCachedData(key);
    const source = hit ?? await flightsSource(spec.file);
    const description = `${FLIGHTS_FILE}: US flights Jan–Jun 2001, ${fmtCount(source.rows ?? 0)} rows, delay (minutes) from distance (miles) and departure hour`;
    return { key, spec, source: !hit && o.cache === 'write' ? cachingSource(key, source) : source, dataset: null, truth: null, task: 'regression', description };
  }
  if (spec.kind !== 'file') return buildSynthetic(spec);
  const { source, cached } = await openFile(spec, key, o.cache ?? 'read');
  const from = cached ? ' (parsed before: read from this browser\'s storage)' : '';
  // Hashed columns by the source's encoding (a run resumed from the cache has no table, its rows still have the block).
  const enc = source.sparse?.encoding;
  const names = enc?.categorical.filter((c) => c.kind === 'hash').map((c) => c.name) ?? [];
  const hashed = names.length && enc?.hash ? ` + ${names.join(', ')} hashed into 2^${enc.hash.bits} buckets` : '';
  const description = `${spec.name}: ${source.features.length} feature${source.features.length === 1 ? '' : 's'}${hashed} → ${source.target}${from}`;
  return { key, spec, source, dataset: null, truth: null, task: null, description };
}

/** The data's settings for the model file: a built-in dataset's fields and name, or the file and its target. */
export function dataSettings(spec: DataSpec): Record<string, unknown> {
  if (spec.kind === 'flights') return { kind: 'flights', file: FLIGHTS_FILE, name: REAL_DATASETS.flights.label, source: 'vega-datasets' };
  return spec.kind === 'file'
    ? { kind: 'file', file: spec.name, ...('url' in spec.file ? { url: spec.file.url } : {}), target: spec.target, labels: spec.labels, ...(spec.table ? { table: spec.table } : {}) }
    : { ...spec, name: DATASETS[spec.kind].label };
}

/** The data summary: what it is, its size and its task (with the classes). */
export function dataSummary(d: LoadedData, v: Scan): string {
  const skipped = v.skipped ? ` (${v.skipped.toLocaleString('en-US')} row${v.skipped === 1 ? '' : 's'} with blank cells skipped)` : '';
  const rows = d.dataset || d.spec.kind === 'flights' ? '' : `, ${v.rows.toLocaleString('en-US')} rows${skipped}`;
  const shown = v.classes?.slice(0, 12).join(', ');
  const task = v.classes ? `classification, ${v.classes.length} classes (${shown}${v.classes.length > 12 ? ', …' : ''})`
    : `regression on ${d.source.target}`;
  return `${d.description}${rows}. Task: ${task}.`;
}

/** Whether data is too large to hold: by its rows when known, else (CSV) by the file's size. */
export function mustStream(d: LoadedData): boolean {
  const rows = d.dataset?.rows ?? d.source.rows;
  if (rows !== null) return !fitsInMemory(rows, d.source.features.length);
  return d.spec.kind === 'file' && d.spec.size > MEMORY_BUDGET;
}

/** Whether rows of d features fit the page's memory budget (otherwise they stream). */
export function fitsInMemory(rows: number, d: number): boolean {
  return rows * rowBytes(d) <= MEMORY_BUDGET;
}

/** The exact least-squares answer, or why there is none here. */
export type ExactAnswer = ModelParams | 'too-large' | 'singular';


/** A uniform sample of rows, sorted by y (by x for one feature), to plot. */
export interface Sample {
  rows: number;
  d: number;
  x: Float64Array;
  y: Float64Array;
}

/** What one pass over the data found. */
export interface Scan {
  rows: number;
  /** The least-squares answer (regression), or null when the target is classes. */
  exact: ExactAnswer | null;
  /** What the exact solver warns about (collinear columns, ill-conditioning), in the CLI's words. */
  exactWarnings: string[];
  /** Sampled rows: y holds class indices (into `classes`) for classification. */
  sample: Sample;
  /** The class labels in index order (as the engine numbers them), or null for regression. */
  classes: string[] | null;
  /** Rows the source skipped (blank cells, with the columns panel's "skip those rows"). */
  skipped: number;
}

const SAMPLE_ROWS = 1500;
const SLICE_ROWS = 32_768;
const pause = () => new Promise<void>((r) => setTimeout(r, 0));

/** A uniform sample of rows from a stream of unknown length (reservoir sampling, seeded). */
class Reservoir {
  private readonly rows: { x: Float32Array; y: number }[] = [];
  private seen = 0;
  private readonly rng = new Rng(12345);

  constructor(private readonly d: number) {}

  add(c: HostChunk): void {
    const d = this.d;
    for (let i = 0; i < c.rows; i++, this.seen++) {
      const slot = this.seen < SAMPLE_ROWS ? this.seen : this.rng.int(this.seen + 1);
      if (slot < SAMPLE_ROWS) this.rows[slot] = { x: c.x.slice(i * d, (i + 1) * d), y: c.y[i] };
    }
  }

  /** The sample sorted by its plot's x axis: the first feature for one feature or classes, else the target. */
  sample(byFeature: boolean): Sample {
    const d = this.d;
    const sorted = [...this.rows].sort(d === 1 || byFeature ? (a, b) => a.x[0] - b.x[0] : (a, b) => a.y - b.y);
    const x = new Float64Array(sorted.length * d);
    sorted.forEach((r, i) => x.set(r.x, i * d));
    return { rows: sorted.length, d, x, y: Float64Array.from(sorted, (r) => r.y) };
  }
}

/**
 * One pass: row count, the cloud sample, and for regression the exact least squares (the engine's streamed QR
 * solver, in f64, when rows·p² is within budget); with `classes`, the target is read as class labels the way the
 * engine reads them (its own pass).
 */
export async function scanData(
  data: LoadedData, fitBias: boolean, o: { classes?: boolean; signal?: AbortSignal; onRows?: (rows: number) => void } = {},
): Promise<Scan> {
  const d = data.source.features.length;
  const p = d + (fitBias ? 1 : 0);
  const targets = o.classes ? await prepareTargets(data.source, 'softmax', o.signal) : null;
  // No exact answer beside a sparse block (hashed columns): the dense columns alone would give another model.
  let ls: LeastSquaresStream | null = targets || data.source.sparse ? null : new LeastSquaresStream(d, fitBias);
  const sample = new Reservoir(d);
  let rows = 0;
  for await (const c of (targets?.source ?? data.source).read({ maxRows: SLICE_ROWS, signal: o.signal })) {
    rows += c.rows;
    if (ls && rows * p * p > EXACT_BUDGET) ls = null;
    ls?.add(c.x, c.y, c.rows);
    sample.add(c);
    o.onRows?.(rows);
    await pause();
  }
  let exact: ExactAnswer | null = targets || data.source.sparse ? null : 'too-large';
  let exactWarnings: string[] = [];
  if (ls && rows > 0) {
    try {
      const sol = solveFactor(ls.factor());
      exact = sol.params;
      exactWarnings = exactSummary(sol, data.source.features, 0).warnings;
    } catch {
      exact = 'singular';
    }
  }
  return { rows, exact, exactWarnings, sample: sample.sample(!!targets), classes: targets?.classes ?? null, skipped: data.source.skipped ?? 0 };
}
