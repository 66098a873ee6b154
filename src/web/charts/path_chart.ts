// The regularization path of a run with --alpha-path (Newton or L-BFGS): per α, from α_max down, the training
// objective, the held-out loss (the validation split's, or the cross-validated mean) and the number of nonzero
// weights on a second axis; a marker at the α whose model the run kept. One backend's path (the first finished).
import type uPlot from 'uplot';
import type { PathReport } from '../../train/report';
import { axis, drawMarkers, lineSeries, Plot, yAxis } from './plot';

const COLORS = { objective: '#2563eb', heldOut: '#dc2626', nonzeros: '#16a34a', chosen: '#7c3aed' } as const;

/** The path's rows as the chart draws them: log10 α, objective, held-out loss (or null), nonzeros. */
export function pathRows(p: PathReport): { x: number[]; objective: number[]; heldOut: (number | null)[]; nonzeros: number[] } {
  const held = (i: number) => (p.cv ? p.cv.mean[i] : p.steps[i].validation?.loss ?? null);
  return {
    x: p.steps.map((s) => Math.log10(s.alpha)),
    objective: p.steps.map((s) => s.objective),
    heldOut: p.steps.map((s) => held(s.index)),
    nonzeros: p.steps.map((s) => s.nonzeros),
  };
}

export class PathChart {
  private readonly plot: Plot;
  private path: PathReport | null = null;

  constructor(private readonly el: HTMLElement, private readonly card: HTMLElement, private readonly caption: HTMLElement) {
    this.plot = new Plot(el, (width, height) => this.options(width, height));
  }

  private options(width: number, height: number): uPlot.Options {
    const cv = this.path?.cv;
    const chosen = this.path ? Math.log10(this.path.alphas[this.path.chosen]) : NaN;
    return {
      width, height,
      scales: { x: { time: false, dir: -1 }, n: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        { label: 'log₁₀ α' },
        lineSeries('training objective', COLORS.objective, { points: { show: true, size: 5 } }),
        lineSeries(cv ? `cross-validated loss (${cv.k} folds)` : 'held-out loss', COLORS.heldOut, { points: { show: true, size: 5 } }),
        lineSeries('nonzero weights', COLORS.nonzeros, { scale: 'n', dash: [5, 4], width: 1.5 }),
      ],
      axes: [axis('log₁₀ α (α_max on the left)'), yAxis('loss'), yAxis('nonzeros', { scale: 'n', side: 1, grid: { show: false } })],
      hooks: { draw: [drawMarkers(() => (Number.isFinite(chosen) ? [{ x: chosen, label: 'kept', color: COLORS.chosen }] : []))] },
    };
  }

  /** Shows a run's path (or hides the card when there is none). */
  show(path: PathReport | null): void {
    this.path = path;
    this.card.hidden = !path;
    if (!path) {
      this.caption.textContent = '';
      return;
    }
    const r = pathRows(path);
    this.el.dataset.chosen = String(path.chosen);
    this.caption.textContent = `${path.alphas.length} α's from α_max ${path.alphaMax.toPrecision(4)}; kept α ${path.alphas[path.chosen].toPrecision(4)} ` +
      `with ${path.steps[path.chosen].nonzeros} nonzero weights: ${path.choice}.`;
    this.plot.setOptions((w, h) => this.options(w, h));
    this.plot.setData([r.x, r.objective, r.heldOut, r.nonzeros]);
  }
}
