// The page's state and rules without the DOM: parsing the form, which buttons a run state allows, the
// rows slider's log scale, per-dataset defaults, number formats and where the GPU starts to win.
import type { BackendKind } from '../backend';
import { LOSSES, type LossKind } from '../core/losses';
import type { TrainOptions } from '../train/train';

/** Built-in datasets and files. */
export type DataKind = 'line' | 'linear' | 'file';
/** Which backends a run trains on. */
export type BackendChoice = 'webgpu' | 'cpu' | 'both';
/** Where a training run is. */
export type RunState = 'idle' | 'loading' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'failed';

/** The models the engine trains (one so far). */
export const MODELS = [{ value: 'linear', label: 'Linear regression' }] as const;
/** The losses the engine offers, from core/model's LOSSES table. */
export const LOSS_OPTIONS: { value: LossKind; label: string }[] = (Object.keys(LOSSES) as LossKind[])
  .map((value) => ({ value, label: LOSSES[value].title }));

// A type error here means TrainOptions lost (or gained) `standardize`: keep the checkbox in step with the engine.
type EngineHasStandardize = 'standardize' extends keyof TrainOptions ? true : false;
/** Whether the engine can standardize features while streaming (the control is disabled when it cannot). */
export const STANDARDIZE_SUPPORTED: EngineHasStandardize = true;
/** Tooltip on the disabled standardize control. */
export const STANDARDIZE_TOOLTIP = 'coming with streamed standardization';

/** The training fields as typed into the form. */
export interface TrainForm {
  lr: string;
  batch: string;
  epochs: string;
  seed: string;
  fitBias: boolean;
  standardize: boolean;
  backend: BackendChoice;
}

/** A validated run configuration. */
export interface RunSettings {
  lr: number;
  /** Rows per step; Infinity for full-batch gradient descent. */
  batch: number;
  epochs: number;
  seed: number;
  fitBias: boolean;
  standardize: boolean;
  backends: BackendKind[];
}

/** Either settings or one message per bad field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

function integer(s: string, min: number, max: number): number | null {
  const t = s.trim();
  if (!/^\d+$/.test(t)) return null;
  const v = Number(t);
  return v >= min && v <= max ? v : null;
}

/** Parses the training form; errors are keyed by field name. */
export function parseTrainForm(f: TrainForm): Parsed<RunSettings> {
  const errors: Record<string, string> = {};
  const lr = Number(f.lr.trim());
  if (!(f.lr.trim() !== '' && Number.isFinite(lr) && lr > 0)) errors.lr = 'a positive number, e.g. 0.05';
  const full = /^(full|all|∞)$/i.test(f.batch.trim());
  const batch = full ? Infinity : integer(f.batch, 1, 2 ** 31);
  if (batch === null) errors.batch = 'a whole number of rows ≥ 1, or "full"';
  const epochs = integer(f.epochs, 1, 100_000);
  if (epochs === null) errors.epochs = 'a whole number from 1 to 100000';
  const seed = integer(f.seed, 0, 2 ** 32 - 1);
  if (seed === null) errors.seed = 'a whole number ≥ 0';
  if (Object.keys(errors).length) return { ok: false, errors };
  const backends: BackendKind[] = f.backend === 'both' ? ['webgpu', 'cpu'] : [f.backend];
  return { ok: true, value: { lr, batch: batch!, epochs: epochs!, seed: seed!, fitBias: f.fitBias, standardize: STANDARDIZE_SUPPORTED && f.standardize, backends } };
}

/** What the Start/Pause/Stop/Export controls allow in a state. */
export interface Controls {
  start: boolean;
  pause: boolean;
  pauseLabel: 'Pause' | 'Resume';
  stop: boolean;
  export: boolean;
  /** Data and training inputs can be edited. */
  editable: boolean;
}

/** The controls for a run state; `hasModel` says whether a trained model exists to export. */
export function controlsFor(s: RunState, hasModel: boolean): Controls {
  const busy = s === 'loading' || s === 'running' || s === 'paused' || s === 'stopping';
  return {
    start: !busy,
    pause: s === 'running' || s === 'paused',
    pauseLabel: s === 'paused' ? 'Resume' : 'Pause',
    stop: s === 'running' || s === 'paused',
    export: hasModel && !busy,
    editable: !busy,
  };
}

const ROWS_MIN = 100;
const ROWS_MAX = 4_000_000;
/** The rows slider's range of positions. */
export const SLIDER_STEPS = 1000;

/** Rounds to two significant digits (1234 → 1200). */
export function niceRows(n: number): number {
  if (n < 100) return Math.max(1, Math.round(n));
  const p = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / p) * p;
}

/** Rows for a slider position (log scale from 100 to 4M). */
export function sliderToRows(pos: number): number {
  const t = Math.min(1, Math.max(0, pos / SLIDER_STEPS));
  return niceRows(ROWS_MIN * (ROWS_MAX / ROWS_MIN) ** t);
}

/** The slider position showing `rows`. */
export function rowsToSlider(rows: number): number {
  const r = Math.min(ROWS_MAX, Math.max(ROWS_MIN, rows));
  return Math.round((SLIDER_STEPS * Math.log(r / ROWS_MIN)) / Math.log(ROWS_MAX / ROWS_MIN));
}

/** Checks a typed row count against the slider's range. */
export function parseRows(s: string): number | null {
  return integer(s.replace(/[_,\s]/g, ''), ROWS_MIN, ROWS_MAX);
}

/** Suggested data size and training settings per built-in dataset. */
export const DEFAULTS: Record<Exclude<DataKind, 'file'>, { rows: number; features: number; noise: number; lr: string; batch: string; epochs: string }> = {
  line: { rows: 200, features: 1, noise: 1, lr: '0.02', batch: '20', epochs: '150' },
  linear: { rows: 200_000, features: 8, noise: 0.1, lr: '0.05', batch: '1024', epochs: '10' },
};

/** The most cells (rows × features) the page generates: 256 MiB of float32, held by the page and the worker. */
export const MAX_SYNTHETIC_CELLS = 2 ** 26;

/** Multiply-adds the exact solve may take in the page (normal equations cost rows·p²). */
export const EXACT_BUDGET = 1.5e9;

/** Whether the exact least-squares answer is cheap enough to compute here. */
export function canSolveExactly(rows: number, d: number, fitBias: boolean): boolean {
  const p = d + (fitBias ? 1 : 0);
  return rows * p * p <= EXACT_BUDGET;
}

/** One point of the CPU-vs-GPU comparison. */
export interface ComparePoint {
  x: number;
  cpu: number;
  gpu: number;
}

/** The smallest x from which the GPU is faster at every larger x measured; null if it never is. */
export function gpuWinsFrom(points: readonly ComparePoint[]): number | null {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  let from: number | null = null;
  for (const p of sorted) {
    if (p.gpu < p.cpu) from ??= p.x;
    else from = null;
  }
  return from;
}

/** Parses a comma-separated list of sizes ("1k, 20000, 1M"). */
export function parseSizeList(s: string): number[] | null {
  const out: number[] = [];
  for (const part of s.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part);
    if (!m) return null;
    const v = Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6));
    if (!(v >= 1)) return null;
    out.push(v);
  }
  return out.length ? [...new Set(out)].sort((a, b) => a - b) : null;
}

/** 1234567 → "1.23M", 2500 → "2.5k", 200 → "200". */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  const [d, s] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${Number((n / d).toPrecision(3))}${s}`;
}

/** Seconds as "850 µs", "12.3 ms" or "1.25 s". */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

/** A coefficient to 4 decimals (or scientific when tiny or huge). */
export function fmtCoef(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}
