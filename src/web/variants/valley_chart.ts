// The narrow valley's picture on a canvas: the contour lines of J(w1, w2) = (a·w1² + b·w2²)/2 (ellipses around the
// minimum, at powers of two times J at the start), equal scales on both axes so the valley looks as narrow as it
// is, and each optimizer's path from the start (a dot per step, a larger one where it ended). It follows its
// element's width; a path can be highlighted (the others fade). It records which paths it drew (data-paths) and how
// many points (data-points) for the tests.
import type { Point2 } from '../../train/quadratic';
import { equalAspect, fmtTicks, gutterWidth, niceTicks } from '../charts/chart_math';
import { FrameTask } from '../charts/plot';
import { valleyFrame } from './variants_settings';

/** One optimizer's path, as drawn. */
export interface ValleyPath {
  name: string;
  color: string;
  points: readonly Point2[];
}

/** What the picture shows. */
export interface ValleyScene {
  curvature: readonly [number, number];
  start: Point2;
  paths: readonly ValleyPath[];
}

const INK = '#334155';
const GRID = '#f1f5f9';
const CONTOUR = '#cbd5e1';
const FONT = '12px system-ui, sans-serif';

/** The valley chart in an element. */
export class ValleyChart {
  private readonly canvas = document.createElement('canvas');
  private scene: ValleyScene | null = null;
  private highlighted: string | null = null;
  private readonly redraw = new FrameTask(() => this.draw());

  constructor(private readonly el: HTMLElement) {
    el.append(this.canvas);
    new ResizeObserver(() => this.schedule()).observe(el);
  }

  /** Shows a scene (drawn on the next animation frame). */
  set(scene: ValleyScene): void {
    this.scene = scene;
    this.schedule();
  }

  /** Draws one path (by name) over the others, which fade; null draws them all alike. */
  highlight(name: string | null): void {
    this.highlighted = name;
    this.schedule();
  }

  private schedule(): void {
    this.redraw.request();
  }

  private draw(): void {
    const scene = this.scene;
    if (!scene) return;
    const width = Math.max(200, this.el.clientWidth);
    const height = Math.round(Math.min(360, Math.max(240, width * 0.55)));
    const dpr = devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;

    const { box, levels, startLevel } = valleyFrame(scene.curvature, scene.start, scene.paths.map((p) => p.points));
    // The y gutter fits the labels of a first guess at the ticks; equal scales then set the ranges.
    const guessY = fmtTicks(niceTicks(box.y[0], box.y[1], 5));
    const plot = { left: gutterWidth(guessY, 36) + 14, top: 10, right: width - 12, bottom: height - 40 };
    const view = equalAspect(box, plot.right - plot.left, plot.bottom - plot.top);
    const px = (x: number) => plot.left + (x - view.x[0]) * view.scale;
    const py = (y: number) => plot.top + (view.y[1] - y) * view.scale;

    this.axes(ctx, plot, view, px, py);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    ctx.clip();
    const [a, b] = scene.curvature;
    for (const c of levels) {
      ctx.beginPath();
      ctx.ellipse(px(0), py(0), Math.sqrt((2 * c) / a) * view.scale, Math.sqrt((2 * c) / b) * view.scale, 0, 0, 2 * Math.PI);
      ctx.strokeStyle = c === startLevel ? '#94a3b8' : CONTOUR;
      ctx.lineWidth = c === startLevel ? 1.5 : 1;
      ctx.stroke();
    }
    this.cross(ctx, px(0), py(0));
    // The first (plain SGD, the baseline) is drawn last, on top; a highlighted path goes over everything.
    const order = [...scene.paths].reverse().sort((p, q) => Number(p.name === this.highlighted) - Number(q.name === this.highlighted));
    let points = 0;
    for (const p of order) {
      ctx.globalAlpha = this.highlighted && p.name !== this.highlighted ? 0.18 : 1;
      points += this.path(ctx, p, px, py);
    }
    ctx.globalAlpha = 1;
    this.startMark(ctx, px(scene.start[0]), py(scene.start[1]));
    ctx.restore();
    this.el.dataset.paths = scene.paths.map((p) => p.name).join(',');
    this.el.dataset.points = String(points);
  }

  private axes(
    ctx: CanvasRenderingContext2D, plot: { left: number; top: number; right: number; bottom: number },
    view: { x: [number, number]; y: [number, number] }, px: (x: number) => number, py: (y: number) => number,
  ): void {
    const xs = niceTicks(view.x[0], view.x[1], Math.max(3, Math.floor((plot.right - plot.left) / 70)));
    const ys = niceTicks(view.y[0], view.y[1], Math.max(3, Math.floor((plot.bottom - plot.top) / 45)));
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    fmtTicks(xs).forEach((label, i) => {
      const x = Math.round(px(xs[i])) + 0.5;
      this.line(ctx, x, plot.top, x, plot.bottom);
      ctx.fillText(label, x, plot.bottom + 5);
    });
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    fmtTicks(ys).forEach((label, i) => {
      const y = Math.round(py(ys[i])) + 0.5;
      this.line(ctx, plot.left, y, plot.right, y);
      ctx.fillText(label, plot.left - 6, y);
    });
    ctx.strokeStyle = CONTOUR;
    ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.right - plot.left - 1, plot.bottom - plot.top - 1);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText('w1 (along the valley)', (plot.left + plot.right) / 2, plot.bottom + 38);
    ctx.save();
    ctx.translate(12, (plot.top + plot.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('w2 (across)', 0, 0);
    ctx.restore();
  }

  private line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }

  /** The minimum: a small cross at (0, 0). */
  private cross(ctx: CanvasRenderingContext2D, x: number, y: number): void {
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1.5;
    this.line(ctx, x - 5, y, x + 5, y);
    this.line(ctx, x, y - 5, x, y + 5);
  }

  /** Draws a path up to its first non-finite point; returns the points drawn. */
  private path(ctx: CanvasRenderingContext2D, p: ValleyPath, px: (x: number) => number, py: (y: number) => number): number {
    const end = p.points.findIndex((w) => !(Number.isFinite(w[0]) && Number.isFinite(w[1])));
    const pts = end < 0 ? p.points : p.points.slice(0, end);
    if (pts.length === 0) return 0;
    ctx.strokeStyle = p.color;
    ctx.fillStyle = p.color;
    ctx.lineWidth = 1.75;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
    ctx.stroke();
    pts.forEach(([x, y], i) => {
      ctx.beginPath();
      ctx.arc(px(x), py(y), i === pts.length - 1 ? 4.5 : 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    return pts.length;
  }

  /** The start: a ring, labelled. */
  private startMark(ctx: CanvasRenderingContext2D, x: number, y: number): void {
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillStyle = '#0f172a';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText('start', x + 7, y - 6);
  }
}
