// The page's data: a spec that survives postMessage (the CPU worker rebuilds synthetic data from its seed
// and opens a File itself rather than receiving rows), opening it as a DataSource, and one scan pass that
// counts rows, solves the exact least-squares answer when that is cheap, and samples rows to plot. Passes yield now and then so the page keeps painting. No DOM.
import type { Dataset, HostChunk } from '../core/dataset';
import { NormalEquations } from '../core/lstsq';
import type { ModelParams } from '../core/model';
import { Rng } from '../core/rng';
import { memorySource, type DataSource } from '../data/source';
import { linearChunks, lineOptions, resolveSynthetic, shiftLine } from '../data/synthetic';
import { rowBytes } from '../train/train';
import { loadFile, type NamedBlob } from './files';
import { EXACT_BUDGET, fmtCount } from './state';

/** The seeds' line y = θ0 + θ1·x. */
export const LINE_THETA = { theta0: 4, theta1: 3 } as const;
/** Bytes of rows a backend holds for the page; larger data streams from its source every epoch. */
export const MEMORY_BUDGET = 2 ** 30;

/** What data a run uses. */
export type DataSpec =
  | { kind: 'line'; rows: number; noise: number; seed: number }
  | { kind: 'linear'; rows: number; features: number; noise: number; seed: number }
  | { kind: 'file'; file: NamedBlob; target: string };

/** An opened dataset with what the page knows about it. */
export interface LoadedData {
  key: string;
  spec: DataSpec;
  source: DataSource;
  /** The rows, for synthetic data (for the cloud and the exact answer without another pass). */
  dataset: Dataset | null;
  /** The coefficients synthetic data was generated from. */
  truth: ModelParams | null;
  description: string;
}

/** A key that is equal for specs that give the same rows. */
export function specKey(spec: DataSpec): string {
  switch (spec.kind) {
    case 'line': return `line:${spec.rows}:${spec.noise}:${spec.seed}`;
    case 'linear': return `linear:${spec.rows}:${spec.features}:${spec.noise}:${spec.seed}`;
    case 'file': return `file:${spec.file.name}:${spec.file.size}:${(spec.file as Partial<File>).lastModified ?? 0}:${spec.target}`;
  }
}

/** Builds synthetic data for a line or linear spec, yielding to the page between chunks (no long freeze). */
export async function buildSynthetic(spec: Exclude<DataSpec, { kind: 'file' }>): Promise<LoadedData> {
  const { theta0, theta1 } = LINE_THETA;
  const o = spec.kind === 'line'
    ? lineOptions(spec.rows, theta0, theta1, spec.noise, spec.seed)
    : { rows: spec.rows, features: spec.features, noise: spec.noise, seed: spec.seed };
  const chunks: HostChunk[] = [];
  for (const c of linearChunks(o, SLICE_ROWS)) {
    chunks.push(spec.kind === 'line' ? shiftLine(c, theta1) : c);
    await pause();
  }
  const { truth } = resolveSynthetic(o);
  const features = spec.kind === 'line' ? ['x'] : Array.from({ length: spec.features }, (_, j) => `x${j + 1}`);
  const ds: Dataset = { features, target: 'y', rows: spec.rows, chunks };
  const description = spec.kind === 'line'
    ? `Line y = ${theta0} + ${theta1}·x + noise: ${fmtCount(ds.rows)} rows`
    : `Linear: ${fmtCount(ds.rows)} rows × ${spec.features} features, noise σ = ${spec.noise}`;
  return { key: specKey(spec), spec, source: memorySource(ds, description), dataset: ds, truth, description };
}

/** Opens the data a spec describes. */
export async function openData(spec: DataSpec): Promise<LoadedData> {
  if (spec.kind !== 'file') return buildSynthetic(spec);
  const source = await loadFile(spec.file, spec.target);
  const description = `${spec.file.name}: ${source.features.length} features → ${source.target}`;
  return { key: specKey(spec), spec, source, dataset: null, truth: null, description };
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
  exact: ExactAnswer;
  sample: Sample;
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

  /** The sample sorted by its plot's x axis: the feature for one feature, else the target. */
  sample(): Sample {
    const d = this.d;
    const sorted = [...this.rows].sort(d === 1 ? (a, b) => a.x[0] - b.x[0] : (a, b) => a.y - b.y);
    const x = new Float64Array(sorted.length * d);
    sorted.forEach((r, i) => x.set(r.x, i * d));
    return { rows: sorted.length, d, x, y: Float64Array.from(sorted, (r) => r.y) };
  }
}

/** One pass: row count, exact least squares (when rows·p² is within budget) and the cloud sample. */
export async function scanData(data: LoadedData, fitBias: boolean, signal?: AbortSignal): Promise<Scan> {
  const d = data.source.features.length;
  const p = d + (fitBias ? 1 : 0);
  let ne: NormalEquations | null = new NormalEquations(d, fitBias);
  const sample = new Reservoir(d);
  let rows = 0;
  for await (const c of data.source.read({ maxRows: SLICE_ROWS, signal })) {
    rows += c.rows;
    if (ne && rows * p * p > EXACT_BUDGET) ne = null;
    ne?.add(c.x, c.y, c.rows);
    sample.add(c);
    await pause();
  }
  let exact: ExactAnswer = 'too-large';
  if (ne) {
    try {
      exact = ne.solve();
    } catch {
      exact = 'singular';
    }
  }
  return { rows, exact, sample: sample.sample() };
}
