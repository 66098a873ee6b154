// How well the model fits, as it learns, on sampled rows. Regression: for one feature the data cloud with the
// true line and each backend's fitted curve; for more, each backend's prediction against the actual target.
// Classification: the rows in the plane of the first two features (or feature 1 against the class), colored by
// their true class, each backend's misclassified rows ringed in its color, and for two classes and two features
// the decision boundaries (w₁x₁ + w₂x₂ + b = 0) of the truth and of each backend, drawn over the rings.
import type uPlot from 'uplot';
import type { BackendKind } from '../../backend';
import { lossHp, LOSSES, type LossKind } from '../../core/losses';
import { outputsRow, type ModelParams } from '../../core/model';
import type { TrainSpec } from '../../core/spec';
import type { Sample } from '../data/datasets';
import { axis, BACKEND_LABEL, COLORS, legendValue, lineSeries, Plot, yAxis } from './plot';

/** Colors of classes 0..9 (then repeated), away from the backends' blue and orange. */
export const CLASS_COLORS = ['#0891b2', '#a855f7', '#059669', '#dc2626', '#ca8a04', '#db2777', '#65a30d', '#475569', '#0d9488', '#9f1239'];

/** What the chart shows besides the sample. */
export interface FitData {
  truth: ModelParams | null;
  features: readonly string[];
  target: string;
  /** Class labels when the sample's y holds class indices. */
  classes: readonly string[] | null;
  /** Keep the y axis on the bulk of the data (gross outliers lie outside it). */
  clipY?: boolean;
  /** Hashed text columns the model also reads: the sample holds the dense columns only, so no fit is drawn. */
  hashed?: readonly string[];
}

const dots = (label: string, color: string, size = 4): uPlot.Series =>
  ({ label, stroke: color, value: legendValue, paths: () => null, points: { show: true, size, fill: color, stroke: color } });

const rings = (label: string, color: string, size: number): uPlot.Series =>
  ({ label, stroke: color, width: 1.5, value: legendValue, paths: () => null, points: { show: true, size, width: 1.5, fill: 'rgba(0,0,0,0)', stroke: color } });

/** The q-quantile of sorted values. */
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];

/** The chart; `setLoss` says how outputs become predictions. */
export class FitChart {
  private readonly plot: Plot;
  private sample: Sample | null = null;
  private info: FitData = { truth: null, features: ['x'], target: 'y', classes: null };
  private loss: LossKind = 'squared';
  private hp = lossHp('squared');
  private kinds: BackendKind[] = [];
  private readonly fitted = new Map<BackendKind, ModelParams | null>();

  constructor(el: HTMLElement, private readonly title: HTMLElement) {
    this.plot = new Plot(el, this.options());
  }

  private get classify(): boolean {
    return this.info.classes !== null;
  }

  private options() {
    const { features, target, classes } = this.info;
    const d = this.sample?.d ?? 1;
    const both = this.kinds.length > 1;
    const fat = (k: BackendKind) => (k === 'cpu' && both ? { dash: [5, 4], width: 1.5 } : { width: 3 });
    let series: uPlot.Series[];
    let axes: uPlot.Axis[];
    let y: uPlot.Scale = {};
    if (classes) {
      const boundary = classes.length === 2 && d === 2;
      series = [{ label: features[0], value: legendValue }, ...classes.map((c, i) => dots(`class ${c}`, CLASS_COLORS[i % CLASS_COLORS.length])),
        ...this.kinds.map((k) => rings(`${BACKEND_LABEL[k]} wrong`, COLORS[k], k === 'cpu' && both ? 7 : 10)),
        ...(boundary && this.info.truth ? [lineSeries('true boundary', COLORS.truth, { dash: [6, 4], width: 2.5 })] : []),
        ...(boundary ? this.kinds.map((k) => lineSeries(`${BACKEND_LABEL[k]} boundary`, COLORS[k], fat(k))) : [])];
      axes = [axis(features[0]), yAxis(d >= 2 ? features[1] : `class of ${target}`)];
      y = { range: this.range(d >= 2 ? 1 : -1) };
    } else {
      const line = d === 1;
      const fits = this.kinds.map((k) => line ? lineSeries(`${BACKEND_LABEL[k]} fit`, COLORS[k], { ...fat(k), value: legendValue })
        : dots(`${BACKEND_LABEL[k]} ŷ`, COLORS[k], k === 'cpu' && both ? 3 : 5));
      series = line
        ? [{ label: features[0], value: legendValue }, dots('data', COLORS.cloud), lineSeries('true line', COLORS.truth, { dash: [6, 4], value: legendValue }), ...fits]
        : [{ label: `actual ${target}`, value: legendValue }, lineSeries('perfect fit (ŷ = y)', COLORS.truth, { dash: [6, 4], value: legendValue }), ...fits];
      axes = [axis(line ? features[0] : `actual ${target}`), yAxis(line ? target : `predicted ${target}`)];
      // The axis holds the data (a fit that ran off, as a diverged one does, leaves the chart rather than squashing it).
      y = { range: this.range(-1) };
    }
    return (width: number, height: number): uPlot.Options => ({
      width, height, scales: { x: { time: false }, y }, axes, series, legend: { live: true },
    });
  }

  /** The y range that holds the sample's column j (−1: the target), clipped to its bulk when asked. */
  private range(j: number): [number, number] {
    const s = this.sample;
    if (!s || s.rows === 0) return [0, 1];
    const v = Array.from({ length: s.rows }, (_, r) => (j < 0 ? s.y[r] : s.x[r * s.d + j])).sort((a, b) => a - b);
    const [lo, hi] = this.info.clipY && !this.classify
      ? ((a, b) => [a - 0.75 * (b - a), b + 0.75 * (b - a)])(quantile(v, 0.1), quantile(v, 0.9))
      : [v[0], v[v.length - 1]];
    const pad = Math.max(1e-9, (hi - lo) * 0.05);
    return [lo - pad, hi + pad];
  }

  /** Shows a sample of the data (sorted by the plot's x); fits already drawn stay. */
  setData(sample: Sample, info: FitData): void {
    this.sample = sample;
    this.info = info;
    const title = info.classes ? (sample.d >= 2 ? `Classes in the (${info.features[0]}, ${info.features[1]}) plane (sampled rows)` : 'Classes (sampled rows)')
      : sample.d === 1 ? `Data and fitted line${info.clipY ? ' (outliers lie off the y axis)' : ''}` : 'Predicted vs actual (sampled rows)';
    this.title.textContent = info.hashed?.length ? `Data (sampled rows); no fit drawn: the model also reads ${info.hashed.join(', ')} hashed` : title;
    this.plot.setOptions(this.options());
    this.redraw();
  }

  /** The loss the fits are trained under: it says how outputs become predictions (link, or class). */
  setLoss(spec: Pick<TrainSpec, 'loss'> & Partial<TrainSpec>): void {
    this.loss = spec.loss;
    this.hp = lossHp(spec.loss, spec);
    this.redraw();
  }

  /** Starts a run on these backends: one fit each. */
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

  /** The prediction for each sampled row: the loss's link of x·w + b (regression) or the class. */
  private predict(p: ModelParams | null | undefined, identity = false): (number | null)[] {
    const s = this.sample!;
    const out: (number | null)[] = new Array(s.rows).fill(null);
    if (!p || p.weights.length !== p.bias.length * s.d) return out;
    const unit = LOSSES[this.loss];
    const z = new Float64Array(p.bias.length);
    for (let r = 0; r < s.rows; r++) {
      outputsRow(s.x, r * s.d, p, z);
      if (this.classify) out[r] = z.length === 1 ? (z[0] > 0 ? 1 : 0) : z.indexOf(Math.max(...z));
      else out[r] = identity || unit.task === 'multiclass' ? z[0] : unit.link(z[0], this.hp);
    }
    return out;
  }

  /** x₂ on the boundary w₁x₁ + w₂x₂ + b = 0 at each sampled x₁ (null where w₂ = 0). */
  private boundary(p: ModelParams | null | undefined): (number | null)[] {
    const s = this.sample!;
    const ok = p && p.bias.length === 1 && p.weights.length === 2 && p.weights[1] !== 0;
    return Array.from({ length: s.rows }, (_, r) => (ok ? -(p.bias[0] + p.weights[0] * s.x[r * 2]) / p.weights[1] : null));
  }

  /** Draws now what is waiting to be drawn (a run's end). */
  flush(): void {
    this.plot.flush();
  }

  private redraw(): void {
    const s = this.sample;
    if (!s) return this.plot.setData([[]]);
    const fits = this.kinds.map((k) => this.fitted.get(k) ?? null);
    const classes = this.info.classes;
    const x0 = () => Array.from({ length: s.rows }, (_, r) => s.x[r * s.d]);
    this.plot.setData(() => {
      if (classes) {
        const yOf = (r: number) => (s.d >= 2 ? s.x[r * s.d + 1] : s.y[r]);
        const boundary = classes.length === 2 && s.d === 2;
        const byClass = classes.map((_, c) => Array.from({ length: s.rows }, (_, r) => (s.y[r] === c ? yOf(r) : null)));
        const wrong = fits.map((p) => this.predict(p).map((v, r) => (v !== null && v !== s.y[r] ? yOf(r) : null)));
        const lines = boundary ? [...(this.info.truth ? [this.info.truth] : []), ...fits].map((p) => this.boundary(p)) : [];
        return [x0(), ...byClass, ...wrong, ...lines];
      }
      return s.d === 1
        ? [x0(), Array.from(s.y), this.predict(this.info.truth, true), ...fits.map((p) => this.predict(p))]
        : [Array.from(s.y), Array.from(s.y), ...fits.map((p) => this.predict(p))];
    });
  }
}
