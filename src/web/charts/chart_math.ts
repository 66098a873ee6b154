// Number labels and series helpers for the page's charts, without the DOM or uPlot: compact tick labels
// ("500M", "1e27", "−0.25"), the widths of the label gutters they need, powers-of-ten ticks for log axes,
// exact batch labels, the smoothing (a centered running median) of a noisy per-step loss, and
// the loss chart's range after a divergence.

const MINUS = '\u2212';
const SUFFIXES: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** Trims a fixed or exponent string: "2.500" → "2.5", "1.00e+27" → "1e27". */
function trim(s: string): string {
  const [m, e] = s.split('e');
  const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
  return e === undefined ? mant : `${mant}e${Number(e)}`;
}

/**
 * A compact label with `digits` significant digits: 0 → "0", 1234 → "1.23k", 5e8 → "500M", 1e27 → "1e27",
 * 0.00012 → "1.2e-4", −2.5 → "−2.5" (a real minus sign). Non-finite values read "∞", "−∞" or "—".
 */
export function fmtNumber(v: number, digits = 3): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : `${MINUS}∞`;
  if (v === 0) return '0';
  const sign = v < 0 ? MINUS : '';
  let a = Math.abs(v);
  // Rounding can carry into the next power (999.96 → "1000"): round first, then choose the form.
  a = Number(a.toPrecision(digits));
  let body: string;
  if (a >= 1e15 || a < 1e-3) body = trim(a.toExponential(digits - 1));
  else {
    const suffix = SUFFIXES.find(([p]) => a >= p);
    body = suffix ? `${trim((a / suffix[0]).toPrecision(digits))}${suffix[1]}` : trim(a.toPrecision(digits));
    if (/e/.test(body)) body = trim(Number(body.replace(/[kMGT]$/, '')).toString()) + (suffix?.[1] ?? '');
  }
  return sign + body;
}

/**
 * Labels for a set of ticks: the fewest significant digits (up to 7) that write every tick exactly (150 is "150",
 * never "200") and tell them apart; a tick the chart left out (null) gets an empty label.
 */
export function fmtTicks(values: readonly (number | null | undefined)[]): string[] {
  const shown = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const ticks = values.filter(shown);
  const distinct = new Set(ticks).size;
  const label = (digits: number) => values.map((v) => (shown(v) ? fmtNumber(v, digits) : v === null || v === undefined ? '' : fmtNumber(v)));
  for (let digits = 1; digits < 7; digits++) {
    const exact = ticks.every((v) => Math.abs(Number(v.toPrecision(digits)) - v) <= 1e-9 * Math.abs(v));
    const labels = label(digits);
    if (exact && new Set(labels.filter((_, i) => shown(values[i]))).size === distinct) return labels;
  }
  return label(7);
}

/** Average glyph width of the axis font (12 px system UI) in CSS pixels, and the room ticks and gaps take. */
const CHAR_PX = 7.2;
const GUTTER_PAD = 18;

/** The width in CSS pixels a y-axis gutter needs to hold these labels without clipping. */
export function gutterWidth(labels: readonly (string | null | undefined)[], min = 40): number {
  const longest = Math.max(0, ...labels.map((l) => (l ? [...l].length : 0)));
  return Math.max(min, Math.ceil(longest * CHAR_PX + GUTTER_PAD));
}

/**
 * Ticks of a log axis over [min, max] (both > 0): powers of ten, every k-th decade when there are many, and
 * 1-2-5 steps when the range spans less than a decade or two; at most about `most` ticks.
 */
export function logSplits(min: number, max: number, most = 7): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  if (hi - lo <= 2) {
    for (const steps of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
      const out: number[] = [];
      for (let e = lo; e <= hi; e++) for (const m of steps) if (inRange(m * 10 ** e)) out.push(Number((m * 10 ** e).toPrecision(12)));
      if (out.length >= 2 && out.length <= most + 2) return out;
    }
  }
  const step = Math.max(1, Math.ceil((hi - lo + 1) / most));
  const out: number[] = [];
  for (let e = Math.ceil(lo / step) * step; e <= hi; e += step) if (inRange(10 ** e)) out.push(Number(`1e${e}`));
  return out.length ? out : [min, max];
}

/** The first index of the sorted array a whose value is not below v (binary search). */
function lowerBound(a: readonly number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts v into the sorted array a. */
function insertSorted(a: number[], v: number): void {
  a.splice(lowerBound(a, v), 0, v);
}

/** Removes one v from the sorted array a. */
function removeSorted(a: number[], v: number): void {
  a.splice(lowerBound(a, v), 1);
}

/**
 * The smoothed line of a noisy loss: the median of a centered window of `half` points on each side, the window
 * shrinking near the ends so it stays symmetric. A centered window has no lag, and a median follows a trend and a
 * kink exactly (on a falling curve it is the point itself) while noise averages out; an even count takes the mean
 * of its two middle values in the scale drawn (log10 when `log`). So the smoothed line stays on the curve of a loss
 * that falls by decades in a few steps, where a causal moving average trails far above it. Values that cannot be
 * drawn (non-finite, or ≤ 0 on a log axis) are left out of every window and read null. O(n·half).
 */
export function smoothCentered(values: readonly number[], half: number, log: boolean): (number | null)[] {
  const n = values.length;
  const ok = (v: number) => Number.isFinite(v) && (!log || v > 0);
  const win: number[] = [];
  let lo = 0;
  let hi = -1;
  return values.map((v, i) => {
    const k = Math.min(half, i, n - 1 - i);
    while (hi < i + k) if (ok(values[++hi])) insertSorted(win, values[hi]);
    while (lo < i - k) if (ok(values[lo++])) removeSorted(win, values[lo - 1]);
    while (hi > i + k) if (ok(values[hi--])) removeSorted(win, values[hi + 1]);
    if (!ok(v) || win.length === 0) return null;
    const m = win.length >> 1;
    if (win.length % 2 === 1) return win[m];
    return log ? Math.sqrt(win[m - 1] * win[m]) : (win[m - 1] + win[m]) / 2;
  });
}

/** The half window of the smoothing for a run of n points: about 2% of the run on each side (1 to 50 points). */
export function smoothHalf(n: number): number {
  return Math.max(1, Math.min(50, Math.round(n / 50)));
}

/**
 * The y range of a loss chart that keeps the finite part of a run in view: when some value rises above `cap` (a run
 * that diverged), the range ends at the largest value below it, so the points before the explosion are not
 * squashed against the axis; otherwise null (the chart's own range).
 */
export function cappedRange(values: readonly (number | null)[], cap: number, log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  let over = false;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
    if (v > cap) {
      over = true;
      continue;
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!over || !(hi >= lo)) return null;
  if (log) return [lo / 1.5, hi * 1.5];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/** A batch size as the page says it: exact ("4,096"), and "full" when it covers every row. */
export function fmtBatch(batch: number, rows?: number): string {
  if (!Number.isFinite(batch) || (rows !== undefined && batch >= rows)) return rows !== undefined ? `full (${rows.toLocaleString('en-US')})` : 'full';
  return batch.toLocaleString('en-US');
}

/** Ticks of a linear axis over [min, max]: multiples of a 1-2-5 step, at most about `most` of them. */
export function niceTicks(min: number, max: number, most = 6): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max) && max > min)) return Number.isFinite(min) ? [min] : [];
  const raw = (max - min) / Math.max(1, most);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9))!;
  const out: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)) || 0);
  return out;
}

/** An (x, y) range of a plot. */
export interface Box {
  x: [number, number];
  y: [number, number];
}

/**
 * The box grown around its center so that one unit is as long on both axes of a plot `width` × `height` pixels
 * (a circle stays round); returns it with the pixels per unit.
 */
export function equalAspect(box: Box, width: number, height: number): Box & { scale: number } {
  const span = (r: [number, number]) => Math.max(r[1] - r[0], 1e-12);
  const scale = Math.min(width / span(box.x), height / span(box.y));
  const around = (r: [number, number], px: number): [number, number] => {
    const c = (r[0] + r[1]) / 2;
    return [c - px / scale / 2, c + px / scale / 2];
  };
  return { x: around(box.x, width), y: around(box.y, height), scale };
}

/** Most points a series of the loss chart keeps (see BoundedSeries). */
export const MAX_SERIES_POINTS = 4096;

/**
 * A chart series that keeps at most `max` points however long the run: past it, neighbours merge pairwise (their mean
 * at the later x) and the points that follow are averaged in groups as large, so a run of millions of steps costs the
 * page what one of thousands does (memory, smoothing and drawing grew with every step before).
 */
export class BoundedSeries {
  readonly x: number[] = [];
  readonly y: number[] = [];
  /** The last x added, counted also while its group is incomplete. */
  last = 0;
  private group = 1;
  private n = 0;
  private sum = 0;

  constructor(private readonly max = MAX_SERIES_POINTS) {
    if (!(max >= 2)) throw new RangeError(`a series keeps at least 2 points, got ${max}`);
  }

  /** Points added per kept point now (1 until the first merge, then doubling). */
  get perPoint(): number {
    return this.group;
  }

  add(x: number, y: number): void {
    this.last = x;
    this.sum += y;
    if (++this.n < this.group) return;
    this.x.push(x);
    this.y.push(this.sum / this.n);
    this.sum = 0;
    this.n = 0;
    if (this.x.length > this.max) this.halve();
  }

  private halve(): void {
    const { x, y } = this;
    const pairs = x.length >> 1;
    for (let i = 0; i < pairs; i++) {
      x[i] = x[2 * i + 1];
      y[i] = (y[2 * i] + y[2 * i + 1]) / 2;
    }
    // An odd point out (a group of the old size) stays as it is, last.
    if (x.length & 1) {
      x[pairs] = x[x.length - 1];
      y[pairs] = y[y.length - 1];
      x.length = y.length = pairs + 1;
    } else {
      x.length = y.length = pairs;
    }
    this.group *= 2;
  }
}
