// Number labels and series helpers for the page's charts, without the DOM or uPlot: compact tick labels
// ("500M", "1e27", "−0.25"), the widths of the label gutters they need, powers-of-ten ticks for log axes,
// exact batch labels, and the smoothing (a debiased exponential moving average) of a noisy per-step loss.

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

/**
 * A debiased exponential moving average (TensorBoard's smoothing): s_t = a·s_{t−1} + (1 − a)·y_t, divided by
 * (1 − a^t) so the start is not pulled towards zero. Non-finite values are skipped (their slot reads null).
 */
export function ema(values: readonly number[], a: number): (number | null)[] {
  let s = 0;
  let n = 0;
  return values.map((y) => {
    if (!Number.isFinite(y)) return null;
    n++;
    s = a * s + (1 - a) * y;
    return s / (1 - a ** n);
  });
}

/** The smoothing weight that averages over roughly the last `span` points (at least 0, below 1). */
export function emaWeight(span: number): number {
  return span <= 1 ? 0 : 1 - 2 / (span + 1);
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
