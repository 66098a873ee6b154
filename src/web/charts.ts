// The page's loss chart (per step or per epoch, linear or log scale, one line per backend) and the CPU-vs-GPU
// timing charts (log–log). How well the model fits is fit_chart.ts.
import type uPlot from 'uplot';
import type { BackendKind } from '../backend';
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
  private lossName = 'squared error';

  constructor(el: HTMLElement) {
    this.plot = new Plot(el, this.options());
  }

  private options() {
    const kinds = [...this.steps.keys()];
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false }, y: this.log ? { distr: 3 } : {} },
      axes: [axis(this.mode === 'step' ? 'step' : 'epoch'), axis(`loss (${this.lossName}${this.log ? ', log scale' : ''})`, { size: 70 })],
      series: [{ label: this.mode }, ...kinds.map((k) => lineSeries(BACKEND_LABEL[k], COLORS[k], {
        ...(k === 'cpu' && kinds.length > 1 ? { width: 1.5, dash: [5, 4] } : { width: k === 'webgpu' ? 3 : 2 }),
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : v.toPrecision(4)),
        points: { show: this.mode === 'epoch', size: 5 },
      }))],
      legend: { live: true },
    });
  }

  /** Clears the chart for a run on these backends under a loss (its name labels the axis). */
  reset(kinds: readonly BackendKind[], lossName: string): void {
    this.lossName = lossName;
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
