// The page's three charts: the live loss (per step or per epoch, linear or log scale, one line per backend),
// how well the model fits (the data cloud and lines for one feature, predicted vs actual for more), and
// CPU-vs-GPU timing (log–log).
import type uPlot from 'uplot';
import type { BackendKind } from '../backend';
import type { ModelParams } from '../core/model';
import type { Sample } from './datasets';
import { fmtCount, fmtSeconds } from './state';
import { axis, BACKEND_LABEL, COLORS, joinSeries, lineSeries, Plot } from './plot';

type XY = { x: number[]; y: number[] };
const empty = (): XY => ({ x: [], y: [] });

/** Batch loss per step and mean loss per epoch, as training reports them. */
export class LossChart {
  private readonly plot: Plot;
  private steps = new Map<BackendKind, XY>();
  private epochs = new Map<BackendKind, XY>();
  private mode: 'step' | 'epoch' = 'step';
  private log = true;

  constructor(el: HTMLElement) {
    this.plot = new Plot(el, this.options());
  }

  private options() {
    const kinds = [...this.steps.keys()];
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false }, y: this.log ? { distr: 3 } : {} },
      axes: [axis(this.mode === 'step' ? 'step' : 'epoch'), axis(this.log ? 'loss (MSE, log scale)' : 'loss (MSE)', { size: 70 })],
      series: [{ label: this.mode }, ...kinds.map((k) => lineSeries(BACKEND_LABEL[k], COLORS[k], {
        ...(k === 'cpu' && kinds.length > 1 ? { width: 1.5, dash: [5, 4] } : { width: k === 'webgpu' ? 3 : 2 }),
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : v.toPrecision(4)),
        points: { show: this.mode === 'epoch', size: 5 },
      }))],
      legend: { live: true },
    });
  }

  /** Clears the chart for a run on these backends. */
  reset(kinds: readonly BackendKind[]): void {
    this.steps = new Map(kinds.map((k) => [k, empty()]));
    this.epochs = new Map(kinds.map((k) => [k, empty()]));
    this.plot.setOptions(this.options());
    this.redraw();
  }

  addStep(kind: BackendKind, step: number, loss: number): void {
    const s = this.steps.get(kind);
    if (!s || !Number.isFinite(loss)) return;
    s.x.push(step);
    s.y.push(loss);
    if (this.mode === 'step') this.redraw();
  }

  addEpoch(kind: BackendKind, epoch: number, loss: number): void {
    const s = this.epochs.get(kind);
    if (!s || !Number.isFinite(loss)) return;
    s.x.push(epoch);
    s.y.push(loss);
    if (this.mode === 'epoch') this.redraw();
  }

  setView(mode: 'step' | 'epoch', log: boolean): void {
    this.mode = mode;
    this.log = log;
    this.plot.setOptions(this.options());
    this.redraw();
  }

  private redraw(): void {
    const src = this.mode === 'step' ? this.steps : this.epochs;
    this.plot.setData(() => joinSeries([...src.values()]));
  }
}

/** ŷ = b + x·w for each sampled row. */
function predict(s: Sample, p: ModelParams | null | undefined): (number | null)[] {
  const out: (number | null)[] = new Array(s.rows).fill(null);
  if (!p) return out;
  for (let r = 0; r < s.rows; r++) {
    let v = p.bias[0];
    for (let j = 0; j < s.d; j++) v += s.x[r * s.d + j] * p.weights[j];
    out[r] = v;
  }
  return out;
}

const dots = (label: string, color: string, size = 4): uPlot.Series =>
  ({ label, stroke: color, paths: () => null, points: { show: true, size, fill: color, stroke: color } });

/**
 * How well the model fits, as it learns: for one feature, the data cloud with the true line and each
 * backend's fitted line; for more, each backend's prediction against the actual target on sampled rows.
 */
export class FitChart {
  private readonly plot: Plot;
  private sample: Sample | null = null;
  private truth: ModelParams | null = null;
  private names = { feature: 'x', target: 'y' };
  private kinds: BackendKind[] = [];
  private readonly fitted = new Map<BackendKind, ModelParams | null>();

  constructor(el: HTMLElement, private readonly title: HTMLElement) {
    this.plot = new Plot(el, this.options());
  }

  private options() {
    const { feature, target } = this.names;
    const line = (this.sample?.d ?? 1) === 1;
    const both = this.kinds.length > 1;
    const fits = this.kinds.map((k) => line
      ? lineSeries(`${BACKEND_LABEL[k]} fit`, COLORS[k], k === 'cpu' && both ? { dash: [5, 4], width: 1.5 } : { width: 3 })
      : dots(`${BACKEND_LABEL[k]} ŷ`, COLORS[k], k === 'cpu' && both ? 3 : 5));
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false } },
      axes: [axis(line ? feature : `actual ${target}`), axis(line ? target : `predicted ${target}`, { size: 50 })],
      series: line
        ? [{ label: feature }, dots('data', COLORS.cloud), lineSeries('true line', COLORS.truth, { dash: [6, 4] }), ...fits]
        : [{ label: `actual ${target}` }, lineSeries('perfect fit (ŷ = y)', COLORS.truth, { dash: [6, 4] }), ...fits],
      legend: { live: false },
    });
  }

  /** Shows a sample of the data (sorted by the plot's x); fits already drawn stay. */
  setData(sample: Sample, truth: ModelParams | null, feature: string, target: string): void {
    this.sample = sample;
    this.truth = truth;
    this.names = { feature, target };
    this.title.textContent = sample.d === 1 ? 'Data and fitted line' : 'Predicted vs actual (sampled rows)';
    this.plot.setOptions(this.options());
    this.redraw();
  }

  /** Starts a run on these backends: one fitted line (or set of predictions) each. */
  reset(kinds: readonly BackendKind[]): void {
    this.kinds = [...kinds];
    this.fitted.clear();
    this.plot.setOptions(this.options());
    this.redraw();
  }

  setFit(kind: BackendKind, p: ModelParams | null): void {
    this.fitted.set(kind, p);
    this.redraw();
  }

  private redraw(): void {
    const s = this.sample;
    if (!s) return this.plot.setData([[]]);
    const truth = this.truth;
    const fits = this.kinds.map((k) => this.fitted.get(k) ?? null);
    this.plot.setData(() => (s.d === 1
      ? [Array.from(s.x), Array.from(s.y), predict(s, truth), ...fits.map((p) => predict(s, p))]
      : [Array.from(s.y), Array.from(s.y), ...fits.map((p) => predict(s, p))]));
  }
}

/** One measured quantity for CPU and WebGPU over a sweep (log–log axes). */
export class BenchChart {
  private readonly plot: Plot;

  constructor(el: HTMLElement, private xLabel: string, private readonly yLabel: string, private readonly seconds: boolean) {
    this.plot = new Plot(el, this.options(xLabel));
  }

  private options(xLabel: string) {
    const fmt = (v: number) => (this.seconds ? fmtSeconds(v) : `${fmtCount(v)}/s`);
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [axis(xLabel, { values: (_u, vals) => vals.map((v) => (v == null ? '' : fmtCount(v))) }),
        axis(this.yLabel, { size: 70, values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt(v))) })],
      series: [{ label: xLabel, value: (_u, v) => (v === null ? '—' : fmtCount(v)) },
        ...(['cpu', 'webgpu'] as const).map((k) => lineSeries(BACKEND_LABEL[k], COLORS[k], {
          points: { show: true, size: 7 }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)),
        }))],
      legend: { live: false },
    });
  }

  /** Shows the sweep; `x` names what was varied. */
  set(xLabel: string, x: number[], cpu: (number | null)[], gpu: (number | null)[]): void {
    if (xLabel !== this.xLabel) {
      this.xLabel = xLabel;
      this.plot.setOptions(this.options(xLabel));
    }
    this.plot.setData([x, cpu, gpu]);
  }
}
