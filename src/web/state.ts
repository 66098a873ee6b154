// The page's state and rules without the DOM: which buttons a run state allows, the rows slider's log scale,
// number formats and where the GPU starts to win. (Reading the form into a spec is settings.ts.)
import { ROWS_MAX, ROWS_MIN } from './form/settings';
/** Where a training run is. */
export type RunState = 'idle' | 'loading' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'diverged' | 'failed';

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

/** The controls for a run state; `hasModel` says whether a model exists to export (while paused: the one so far). */
export function controlsFor(s: RunState, hasModel: boolean): Controls {
  const busy = s === 'loading' || s === 'running' || s === 'paused' || s === 'stopping';
  return {
    start: !busy,
    pause: s === 'running' || s === 'paused',
    pauseLabel: s === 'paused' ? 'Resume' : 'Pause',
    stop: s === 'running' || s === 'paused',
    export: hasModel && (!busy || s === 'paused'),
    editable: !busy,
  };
}

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

/** A typed row count within the slider's range, or null. */
export function parseRows(s: string): number | null {
  const t = s.replace(/[_,\s]/g, '');
  const v = Number(t);
  return /^\d+$/.test(t) && v >= ROWS_MIN && v <= ROWS_MAX ? v : null;
}

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

/** A metric to 4 significant digits, in exponent form when huge or tiny ("1.726e+25", "0.01234"). */
export function fmtMetric(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '—' : String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** A fraction as a percentage ("97.5%"). */
export function fmtPercent(v: number): string {
  return Number.isFinite(v) ? `${Number((v * 100).toPrecision(4))}%` : '—';
}

/** A speed ratio (the other's time over this one's) as "3.2× faster" or "125× slower". */
export function fmtSpeedup(ratio: number): string {
  if (!(ratio > 0) || !Number.isFinite(ratio)) return '…';
  const n = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3))));
  return ratio >= 1 ? `${n(ratio)}× faster` : `${n(1 / ratio)}× slower`;
}

/** A coefficient to 4 decimals (or scientific when tiny or huge). */
export function fmtCoef(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}
