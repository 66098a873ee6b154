// A uPlot chart that fills its element, follows its size and redraws at most once per animation frame and ten times
// a second, so a stream of training points never stalls the page. It records how many points it drew (data-points)
// for the end-to-end test. Colors for every chart on the page live here.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNumber, fmtTicks, gutterWidth, logSplits } from './chart_math';

/** Series colors shared by charts, tables and legends. */
export const COLORS = {
  webgpu: '#2563eb',
  cpu: '#ea580c',
  reference: '#b45309',
  truth: '#16a34a',
  exact: '#7c3aed',
  cloud: 'rgba(71, 85, 105, 0.45)',
} as const;

/** Colors of the optimizers' paths ("Why the variants exist"), taken in registry order. */
const PATH_COLORS = ['#2563eb', '#dc2626', '#d97706', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#4d7c0f', '#78350f'] as const;

/** The color of the i-th optimizer in registry order. */
export const pathColor = (i: number): string => PATH_COLORS[i % PATH_COLORS.length];

/** Display names of the backends. */
export const BACKEND_LABEL = { webgpu: 'WebGPU', cpu: 'CPU', reference: 'CPU reference (f64)' } as const;

/**
 * Least milliseconds between two draws of one chart or table while updates stream in. A live chart drawn on every
 * animation frame (60 a second) kept the page's main thread a third busy with layout and paint while a worker
 * trained (measured in headless Chromium: 5.9 s of 22 s); ten draws a second look as live, and the thread's time fell
 * to 2.4 s (bench/NOTES.md, where the page's CPU goes).
 */
export const LIVE_GAP_MS = 100;

/**
 * Runs `draw` once, however often it is requested before then: on the next animation frame, and no sooner than
 * LIVE_GAP_MS after its last draw. `flush` draws a pending request now (a run's end shows its last point at once).
 */
export class FrameTask {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | 0 = 0;
  private last = -Infinity;

  constructor(private readonly draw: () => void) {}

  request(): void {
    if (this.frame || this.timer) return;
    const wait = this.last + LIVE_GAP_MS - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.onFrame();
      }, wait);
    } else {
      this.onFrame();
    }
  }

  private onFrame(): void {
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.run();
    });
  }

  private run(): void {
    this.last = performance.now();
    this.draw();
  }

  /** Draws now if a draw is pending. */
  flush(): void {
    if (!this.frame && !this.timer) return;
    this.cancel();
    this.run();
  }

  cancel(): void {
    cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = 0;
  }
}

/** A chart that rebuilds its uPlot from `options` (after a size or option change) and batches data updates. */
export class Plot {
  private chart: uPlot | null = null;
  private data: uPlot.AlignedData | (() => uPlot.AlignedData) = [[]];
  private readonly redraw = new FrameTask(() => this.draw());
  private readonly observer: ResizeObserver;

  constructor(readonly el: HTMLElement, private options: (width: number, height: number) => uPlot.Options) {
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(el);
  }

  /** The plot's size: the element's width, and the height its CSS asks for (--plot-h); the legend adds its own lines below. */
  private size(): { width: number; height: number } {
    const height = Number(getComputedStyle(this.el).getPropertyValue('--plot-h')) || 240;
    return { width: Math.max(200, this.el.clientWidth), height };
  }

  private resize(): void {
    const { width, height } = this.size();
    if (this.chart && (this.chart.width !== width || this.chart.height !== height)) this.chart.setSize({ width, height });
  }

  /** Replaces the options (e.g. a log scale) and rebuilds the chart. */
  setOptions(options: (width: number, height: number) => uPlot.Options): void {
    this.options = options;
    this.chart?.destroy();
    this.chart = null;
    this.schedule();
  }

  /** Sets the data, or a function computing it; it is computed and drawn on the next animation frame. */
  setData(data: uPlot.AlignedData | (() => uPlot.AlignedData)): void {
    this.data = data;
    this.schedule();
  }

  private schedule(): void {
    this.redraw.request();
  }

  /** Draws now what is waiting to be drawn. */
  flush(): void {
    this.redraw.flush();
  }

  private draw(): void {
    const data = typeof this.data === 'function' ? (this.data = this.data()) : this.data;
    if (!this.chart) {
      const { width, height } = this.size();
      this.chart = new uPlot(this.options(width, height), data, this.el);
    } else {
      this.chart.setData(data);
    }
    let points = 0;
    for (let s = 1; s < data.length; s++) for (const v of data[s]) if (v !== null && v !== undefined) points++;
    this.el.dataset.points = String(points);
  }

  destroy(): void {
    this.redraw.cancel();
    this.observer.disconnect();
    this.chart?.destroy();
  }
}

/** A line series. */
export function lineSeries(label: string, stroke: string, extra: Partial<uPlot.Series> = {}): uPlot.Series {
  return { label, stroke, width: 2, spanGaps: true, points: { show: false }, value: legendValue, ...extra };
}

/** Axis styling shared by the page's charts: compact tick labels ("500M", "1e27") that tell the ticks apart. */
export function axis(label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    label, stroke: '#334155', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, labelSize: 20,
    values: (_u, splits) => fmtTicks(splits), ...extra,
  };
}

/** A y axis whose label gutter grows to fit its tick labels; `log`: ticks on powers of ten. */
export function yAxis(label: string, o: { log?: boolean } & Partial<uPlot.Axis> = {}): uPlot.Axis {
  const { log, ...extra } = o;
  return axis(label, {
    size: (_u, values) => gutterWidth(values ?? []),
    ...(log ? { splits: (_u: uPlot, _i: number, min: number, max: number) => logSplits(min, max), filter: (_u: uPlot, splits: number[]) => splits } : {}),
    ...extra,
  });
}

/** A legend value: compact, four significant digits. */
export const legendValue = (_u: uPlot, v: number | null): string => (v === null || v === undefined ? '—' : fmtNumber(v, 4));

/** A vertical marker on a chart: at x, in a color, with a short label. */
export interface Marker {
  x: number;
  label: string;
  color: string;
}

/** A uPlot draw hook that draws dashed vertical markers with their labels over the plot. */
export function drawMarkers(markers: () => readonly Marker[]): (u: uPlot) => void {
  return (u) => {
    const { ctx } = u;
    const { top, height, left, width } = u.bbox;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    let row = 0;
    for (const m of markers()) {
      const x = Math.round(u.valToPos(m.x, 'x', true));
      if (!(x >= left - 1 && x <= left + width + 1)) continue;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 2 * dpr;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.font = `${600} ${12 * dpr}px system-ui, sans-serif`;
      const w = ctx.measureText(m.label).width;
      // Right of the line when it fits, else left of it; never outside the plot; each marker's label on its own line.
      const side = x + 4 * dpr + w > left + width ? x - 4 * dpr - w : x + 4 * dpr;
      ctx.fillText(m.label, Math.max(left + 2 * dpr, side), top + 14 * dpr * ++row);
    }
    ctx.restore();
  };
}

/** Joins (x, y) tables that have different x values into one aligned table. */
export function joinSeries(tables: { x: number[]; y: (number | null)[] }[]): uPlot.AlignedData {
  if (tables.length === 0) return [[]];
  return uPlot.join(tables.map((t) => [t.x, t.y] as uPlot.AlignedData));
}
