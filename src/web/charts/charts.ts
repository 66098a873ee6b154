// charts/: the page's uPlot charts (loss, timing, fit) on one Plot, and their DOM-free number math.
// The page's loss chart (per step or per epoch, linear or log scale, one line per backend, the per-step loss
// optionally smoothed, markers where training diverged or stopped early) and the CPU-vs-GPU timing charts
// (log–log, exact batch labels). The smoothing is a centered average computed in the scale drawn (log when the axis
// is) over a window that grows with the run; after a divergence the y range ends below the explosion, so the
// finite part of the curve stays readable. Each line keeps at most MAX_SERIES_POINTS points (BoundedSeries: older
// points merge pairwise as a run grows), so a long run costs the page no more than a short one. How well the model fits
// is fit_chart.ts.
import type uPlot from 'uplot';
import type { BackendKind } from '../../backend';
import uPlotLib from 'uplot';
import { BoundedSeries, cappedRange, fmtBatch, fmtNumber, smoothCentered, smoothHalf } from './chart_math';
import { axis, BACKEND_LABEL, COLORS, drawMarkers, joinSeries, legendValue, lineSeries, Plot, yAxis, type Marker } from './plot';
import { fmtCount, fmtSeconds } from '../state';

const empty = (): BoundedSeries => new BoundedSeries();
/** Tick steps for steps and epochs: whole numbers only. */
export const COUNT_INCRS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));
/** A run whose loss rises this far above its first value has exploded: the y range ends below such points. */
const EXPLODED = 100;

/** What the loss chart shows: the batch loss per step, the mean loss per epoch, or the optimality gap per epoch. */
export type LossView = 'step' | 'epoch' | 'gap';

/** What a marker on the loss chart says happened. */
export type LossEvent = 'diverged' | 'stopped early';

/** A marker on the loss chart, in epochs (and the step where it falls, for the per-step view), for one or more backends. */
interface LossMarker {
  epoch: number;
  step: number;
  event: LossEvent;
  kinds: BackendKind[];
  color: string;
}

/** Batch loss per step and mean loss per epoch, as training reports them. */
export class LossChart {
  private readonly plot: Plot;
  private steps = new Map<BackendKind, BoundedSeries>();
  private epochs = new Map<BackendKind, BoundedSeries>();
  private readonly epochEnds = new Map<string, number>();
  private markers: LossMarker[] = [];
  private mode: LossView = 'step';
  private gaps = new Map<BackendKind, BoundedSeries>();
  private log = true;
  private smooth = true;
  private lossName = 'squared error';
  /** The y range of the data shown when it holds an explosion (see cappedRange), else null. */
  private capped: [number, number] | null = null;

  constructor(private readonly el: HTMLElement) {
    this.plot = new Plot(el, this.options());
  }

  private get smoothing(): boolean {
    return this.smooth && this.mode === 'step';
  }

  private options() {
    const kinds = [...this.steps.keys()];
    const style = (k: BackendKind) => (k === 'cpu' && kinds.length > 1 ? { width: 1.5, dash: [5, 4] } : { width: k === 'webgpu' ? 3 : 2 });
    const series = kinds.flatMap((k): uPlot.Series[] => {
      const main = lineSeries(this.smoothing ? `${BACKEND_LABEL[k]} (smoothed)` : BACKEND_LABEL[k], COLORS[k], {
        ...style(k), value: legendValue, points: { show: this.mode !== 'step', size: 5 },
      });
      return this.smoothing ? [lineSeries(`${BACKEND_LABEL[k]} per step`, `${COLORS[k]}55`, { width: 1, value: legendValue }), main] : [main];
    });
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false }, y: { ...(this.log ? { distr: 3, log: 10 } : {}), range: (_u: uPlot, min: number, max: number) => this.yRange(min, max) } },
      axes: [axis(this.mode === 'step' ? 'step' : 'epoch', { incrs: COUNT_INCRS }), yAxis(this.yLabel(), { log: this.log })],
      series: [{ label: this.mode === 'step' ? 'step' : 'epoch', value: (_u, v) => (v === null ? '—' : fmtNumber(v, 6)) }, ...series],
      legend: { live: true },
      hooks: { draw: [drawMarkers(() => this.shownMarkers())] },
    });
  }

  /** The y range: below an explosion when the data holds one, else uPlot's own. */
  private yRange(min: number, max: number): uPlot.Range.MinMax {
    if (this.capped) return this.capped;
    return this.log ? uPlotLib.rangeLog(min, max, 10, true) : uPlotLib.rangeNum(min, max, 0.1, true);
  }

  private shownMarkers(): Marker[] {
    return this.markers.map((m) => ({ x: this.mode === 'step' ? m.step : m.epoch, label: markerLabel(m), color: m.color }));
  }

  private yLabel(): string {
    const log = this.log ? ', log scale' : '';
    return this.mode === 'gap' ? `optimality gap${this.log ? ' (log scale)' : ''}` : `loss (${this.lossName}${log})`;
  }

  /** Clears the chart for a run on these backends under a loss (its name labels the axis). */
  reset(kinds: readonly BackendKind[], lossName: string): void {
    this.lossName = lossName;
    this.steps = new Map(kinds.map((k) => [k, empty()]));
    this.epochs = new Map(kinds.map((k) => [k, empty()]));
    this.gaps = new Map(kinds.map((k) => [k, empty()]));
    this.epochEnds.clear();
    this.markers = [];
    this.el.dataset.markers = '';
    this.plot.setOptions(this.options());
    this.redraw();
  }

  addStep(kind: BackendKind, step: number, loss: number): void {
    const s = this.steps.get(kind);
    if (!s) return;
    s.add(step, loss);
    if (this.mode === 'step') this.redraw();
  }

  addEpoch(kind: BackendKind, epoch: number, loss: number): void {
    const s = this.epochs.get(kind);
    if (!s) return;
    s.add(epoch, loss);
    this.epochEnds.set(`${kind}:${epoch}`, this.steps.get(kind)?.last ?? 0);
    if (this.mode === 'epoch') this.redraw();
  }

  /** The optimality gap after an epoch (when the run reports it). */
  addGap(kind: BackendKind, epoch: number, gap: number): void {
    const s = this.gaps.get(kind);
    if (!s) return;
    s.add(epoch, gap);
    if (this.mode === 'gap') this.redraw();
  }

  /** Marks an epoch of a backend's run (where it diverged, or where early stopping kicked in); backends that met the same event at the same epoch share one marker. */
  mark(kind: BackendKind, epoch: number, event: LossEvent, color: string): void {
    const step = this.epochEnds.get(`${kind}:${epoch}`) ?? this.steps.get(kind)?.last ?? 0;
    const same = this.markers.find((m) => m.epoch === epoch && m.event === event);
    if (same) same.kinds.push(kind);
    else this.markers.push({ epoch, step, event, kinds: [kind], color });
    this.el.dataset.markers = this.markers.map(markerLabel).join('; ');
    this.plot.setOptions(this.options());
    this.redraw();
  }

  setView(mode: LossView, log: boolean, smooth: boolean): void {
    this.mode = mode;
    this.log = log;
    this.smooth = smooth;
    this.plot.setOptions(this.options());
    this.redraw();
  }

  /** Draws now what is waiting to be drawn (a run's end). */
  flush(): void {
    this.plot.flush();
  }

  private redraw(): void {
    const src = this.mode === 'step' ? this.steps : this.mode === 'gap' ? this.gaps : this.epochs;
    // A log axis cannot show 0, a negative or a non-finite loss: those points are left out (the line spans them).
    const shown = (y: number) => (Number.isFinite(y) && (!this.log || y > 0) ? y : null);
    this.plot.setData(() => {
      const tables = [...src.values()].flatMap((t) => {
        const raw = { x: t.x, y: t.y.map(shown) };
        return this.smoothing ? [raw, { x: t.x, y: smoothCentered(t.y, smoothHalf(t.y.length), this.log) }] : [raw];
      });
      const first = Math.max(...[...src.values()].map((t) => t.y.find((v) => shown(v) !== null) ?? -Infinity));
      this.capped = this.mode === 'gap' || !(first > 0) ? null : cappedRange(tables.flatMap((t) => t.y), EXPLODED * first, this.log);
      this.el.dataset.smoothGap = this.smoothing ? String(smoothGap(tables)) : '';
      this.el.dataset.capped = String(this.capped !== null);
      return joinSeries(tables);
    });
  }
}

/** The largest factor (as |log10|) between a smoothed line and the raw points under it: how far smoothing moved the curve. */
function smoothGap(tables: { y: (number | null)[] }[]): number {
  let worst = 0;
  for (let t = 0; t + 1 < tables.length; t += 2) {
    tables[t].y.forEach((v, i) => {
      const s = tables[t + 1].y[i];
      if (v !== null && s !== null && v > 0 && s > 0) worst = Math.max(worst, Math.abs(Math.log10(s / v)));
    });
  }
  return worst;
}

/** "WebGPU diverged", "WebGPU and CPU stopped early". */
function markerLabel(m: LossMarker): string {
  return `${m.kinds.map((k) => BACKEND_LABEL[k]).join(' and ')} ${m.event}`;
}

/** One measured quantity for CPU and WebGPU over a sweep (log–log axes, ticks at the measured sizes). */
export class BenchChart {
  private readonly plot: Plot;
  private x: number[] = [];
  private rows: number | undefined;

  constructor(el: HTMLElement, private xLabel: string, private readonly yLabel: string, private readonly seconds: boolean) {
    this.plot = new Plot(el, this.options(xLabel));
  }

  /** A size on the x axis: exact batch sizes ("4,096", "full (20,000)"), compact row counts ("100k"). */
  private xText(v: number): string {
    return this.xLabel === 'rows' ? fmtNumber(v) : fmtBatch(v, this.rows);
  }

  private options(xLabel: string) {
    const fmt = (v: number) => (this.seconds ? fmtSeconds(v) : `${fmtCount(v)}/s`);
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false, distr: 3, log: 10 }, y: { distr: 3, log: 10 } },
      axes: [axis(xLabel, { splits: () => this.x, filter: (_u, splits) => splits, values: (_u, vals) => vals.map((v) => (v == null ? '' : this.xText(v))) }),
        yAxis(this.yLabel, { log: true, values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt(v))) })],
      series: [{ label: xLabel, value: (_u, v) => (v === null ? '—' : this.xText(v)) },
        ...(['cpu', 'webgpu'] as const).map((k) => lineSeries(BACKEND_LABEL[k], COLORS[k], {
          points: { show: true, size: 7 }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)),
        }))],
      legend: { live: true },
    });
  }

  /** Shows the sweep; `x` names what was varied; `rows` (a batch sweep) labels the batch that covers them "full". */
  set(xLabel: string, x: number[], cpu: (number | null)[], gpu: (number | null)[], rows?: number): void {
    this.x = x;
    this.rows = rows;
    if (xLabel !== this.xLabel) {
      this.xLabel = xLabel;
      this.plot.setOptions(this.options(xLabel));
    }
    this.plot.setData([x, cpu, gpu]);
  }
}
