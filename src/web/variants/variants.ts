// variants/: the "Why the variants exist" card: J(w) = w² and the narrow valley, its fields and its canvas chart.
// "Why the variants exist": the notes' worked example J(w) = w² from w = 20 for each chosen optimizer, charted and
// tabled side by side, and the narrow valley J(w1, w2) = (w1² + κ·w2²)/2 with each chosen optimizer's path drawn
// over its contour lines. The paths come from the engine (src/train/quadratic.ts) on the f64 CPU reference in this
// page: a few hundred steps on two rows, which never wait for WebGPU or the CPU worker, so a training run in progress
// goes on undisturbed. Every field is an option descriptor (variants_settings.ts); a change recomputes its view.
import type uPlot from 'uplot';
import { OPTIMIZER_NAMES, OPTIMIZERS, type OptimizerKind } from '../../core/optim';
import type { NumberOption } from '../../core/options';
import { CpuBackend } from '../../cpu/backend';
import { quadraticPaths, valleyLoss, valleyPaths, type Point2 } from '../../train/quadratic';
import { fmtNumber } from '../charts/chart_math';
import { COUNT_INCRS } from '../charts/charts';
import { axis, legendValue, lineSeries, pathColor, Plot, yAxis } from '../charts/plot';
import { fieldLabel } from '../form/settings';
import { ValleyChart } from './valley_chart';
import { HYPER_FIELDS, hyperSpec, LINE_FIELDS, parseFields, VALLEY_FIELDS } from './variants_settings';
import { byId, h } from '../views';

const color = (k: OptimizerKind) => pathColor(OPTIMIZER_NAMES.indexOf(k));
const title = (k: OptimizerKind) => OPTIMIZERS[k].title;
const fmt = (v: number) => fmtNumber(v, 5);

/** A text field for a number option, with its label and its error line. */
function numberField(o: NumberOption, owners?: readonly string[]): HTMLElement {
  const label = owners ? `${fieldLabel(o)} (${owners.join(', ')})` : fieldLabel(o);
  return h('div', { class: 'field' },
    h('label', { for: o.name }, label),
    h('input', { type: 'text', id: o.name, value: String(o.default), inputmode: 'decimal', title: o.help, 'aria-describedby': `${o.name}-error` }),
    h('p', { class: 'error', id: `${o.name}-error` }));
}

/** A view's status line: what it shows, or why it does not. */
function status(id: string, state: string, text: string): void {
  const el = byId(id);
  el.dataset.state = state;
  el.textContent = text;
}

/** The "Why the variants exist" card. */
export class VariantsView {
  private readonly backend = new CpuBackend();
  private readonly line = new Plot(byId('line-chart'), this.lineOptions([]));
  private readonly valley = new ValleyChart(byId('valley-chart'));
  private want = { line: false, valley: false };
  private busy = false;

  constructor() {
    byId('why-optimizers').append(...OPTIMIZER_NAMES.map((k) => h('label', { title: `${title(k)}: ${OPTIMIZERS[k].doc.rule}` },
      h('input', { type: 'checkbox', value: k, checked: '' }), h('span', { class: 'swatch', style: `background:${color(k)}` }), title(k))));
    byId('why-hyper').append(...HYPER_FIELDS.map((o) => numberField(o, o.owners.map(title))));
    byId('line-fields').append(...LINE_FIELDS.map((o) => numberField(o)));
    byId('valley-fields').append(...VALLEY_FIELDS.map((o) => numberField(o)));
    const on = (sel: string, line: boolean, valley: boolean) =>
      byId('variants').querySelectorAll(sel).forEach((el) => el.addEventListener('change', () => this.request(line, valley)));
    on('#why-optimizers input, #why-hyper input', true, true);
    on('#line-fields input', true, false);
    on('#valley-fields input', false, true);
    byId('variants-form').addEventListener('submit', (e) => e.preventDefault());
    this.request(true, true);
  }

  private chosen(): OptimizerKind[] {
    return Array.from(byId('why-optimizers').querySelectorAll<HTMLInputElement>('input:checked')).map((i) => i.value as OptimizerKind);
  }

  /** Checks fields, shows each error beside its field; returns their values, or null when one is bad. */
  private read(fields: readonly NumberOption[]): Record<string, number> | null {
    const parsed = parseFields(fields, Object.fromEntries(fields.map((o) => [o.name, byId<HTMLInputElement>(o.name).value])));
    for (const o of fields) {
      const message = parsed.ok ? '' : parsed.errors[o.name] ?? '';
      byId(`${o.name}-error`).textContent = message;
      byId(o.name).setAttribute('aria-invalid', String(message !== ''));
    }
    if (!parsed.ok) byId(Object.keys(parsed.errors)[0]).closest('details')?.setAttribute('open', '');
    return parsed.ok ? parsed.value : null;
  }

  /** Recomputes the views asked for, one computation at a time (changes made meanwhile are taken next). */
  private request(line: boolean, valley: boolean): void {
    this.want = { line: this.want.line || line, valley: this.want.valley || valley };
    if (!this.busy) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (this.want.line || this.want.valley) {
        const want = this.want;
        this.want = { line: false, valley: false };
        if (want.line) await this.guard('line-status', () => this.computeLine());
        if (want.valley) await this.guard('valley-status', () => this.computeValley());
      }
    } finally {
      this.busy = false;
    }
  }

  private async guard(id: string, compute: () => Promise<void>): Promise<void> {
    try {
      await compute();
    } catch (e) {
      status(id, 'failed', `Could not compute the paths: ${(e as Error).message}`);
    }
  }

  /** The settings both views share, or null (and a status) when a field is bad or no optimizer is chosen. */
  private shared(id: string): { optimizers: OptimizerKind[]; spec: Record<string, number> } | null {
    const hyper = this.read(HYPER_FIELDS);
    const optimizers = this.chosen();
    if (!hyper) status(id, 'invalid', 'Fix the optimizer setting marked above to redraw.');
    else if (optimizers.length === 0) status(id, 'invalid', 'Choose at least one optimizer.');
    return hyper && optimizers.length ? { optimizers, spec: hyperSpec(hyper) as Record<string, number> } : null;
  }

  private async computeLine(): Promise<void> {
    const v = this.read(LINE_FIELDS);
    const s = this.shared('line-status');
    if (!v) status('line-status', 'invalid', 'Fix the field marked above to redraw.');
    if (!v || !s) return;
    status('line-status', 'running', 'Computing…');
    const paths = await quadraticPaths(this.backend, { start: 20, lr: v.lr, steps: v.steps, optimizers: s.optimizers, spec: s.spec, keepDiverged: true });
    const steps = Array.from({ length: v.steps + 1 }, (_, t) => t);
    const finite = (p: number[]) => steps.map((t) => (Number.isFinite(p[t]) ? p[t] : null));
    this.line.setOptions(this.lineOptions(s.optimizers));
    this.line.setData([steps, ...s.optimizers.map((k) => finite(paths.get(k)!))]);
    renderLineTable(byId<HTMLTableElement>('line-table'), s.optimizers, paths, v.steps);
    status('line-status', 'done', `${stepsText(v.steps)} at α = ${v.lr} on the CPU reference (f64), in this page.${divergedText(s.optimizers, paths, v.steps)}`);
  }

  private lineOptions(optimizers: readonly OptimizerKind[]) {
    return (width: number, height: number): uPlot.Options => ({
      width, height,
      scales: { x: { time: false } },
      axes: [axis('step', { incrs: COUNT_INCRS }), yAxis('w')],
      series: [{ label: 'step', value: (_u, v) => (v === null ? '—' : String(v)) },
        ...optimizers.map((k) => lineSeries(title(k), color(k), { points: { show: true, size: 4 }, value: legendValue }))],
      legend: { live: true },
    });
  }

  private async computeValley(): Promise<void> {
    const v = this.read(VALLEY_FIELDS);
    const s = this.shared('valley-status');
    if (!v) status('valley-status', 'invalid', 'Fix the field marked above to redraw.');
    if (!v || !s) return;
    status('valley-status', 'running', 'Computing…');
    const curvature = [1, v.kappa] as const;
    const start: Point2 = [v.w1, v.w2];
    const paths = await valleyPaths(this.backend, { start, curvature, lr: v.lr, steps: v.steps, optimizers: s.optimizers, spec: s.spec, keepDiverged: true });
    this.valley.set({ curvature, start, paths: s.optimizers.map((k) => ({ name: k, color: color(k), points: paths.get(k)! })) });
    const stable = 2 / v.kappa;
    byId('valley-legend').replaceChildren(...s.optimizers.map((k) => {
      const p = paths.get(k)!;
      const [w1, w2] = p[p.length - 1];
      const where = p.length <= v.steps ? `diverged: the engine stopped it after step ${p.length - 1}`
        : `after ${stepsText(v.steps)}: (${fmt(w1)}, ${fmt(w2)}), J = ${fmtNumber(valleyLoss(curvature, w1, w2), 3)}`;
      const li = h('li', { 'data-optimizer': k, 'data-steps': String(p.length - 1), tabindex: '0', title: 'Point or focus here to pick out this path' },
        h('span', { class: 'swatch', style: `background:${color(k)}` }), h('strong', {}, title(k)), ` ${where}`);
      for (const [on, name] of [['mouseenter', k], ['focus', k], ['mouseleave', null], ['blur', null]] as const) li.addEventListener(on, () => this.valley.highlight(name));
      return li;
    }));
    this.valley.highlight(null);
    byId('valley-chart').setAttribute('aria-label', `Contour lines of J(w1, w2) = (w1² + ${v.kappa}·w2²)/2 with the paths of ${s.optimizers.map(title).join(', ')} from (${v.w1}, ${v.w2})`);
    const j0 = fmtNumber(valleyLoss(curvature, v.w1, v.w2), 4);
    status('valley-status', 'done',
      `J(start) = ${j0}; plain SGD is stable across the valley only for α < 2/κ = ${fmtNumber(stable, 3)}.${divergedText(s.optimizers, paths, v.steps)}`);
  }
}

const stepsText = (n: number) => `${n} step${n === 1 ? '' : 's'}`;

/** " Diverged: SGD, Momentum." for paths the engine stopped early. */
function divergedText(optimizers: readonly OptimizerKind[], paths: ReadonlyMap<OptimizerKind, readonly unknown[]>, steps: number): string {
  const gone = optimizers.filter((k) => paths.get(k)!.length <= steps);
  return gone.length ? ` Diverged (the engine stopped them): ${gone.map(title).join(', ')}.` : '';
}

/** w after each step, one column per optimizer (cells carry data-optimizer, data-step and the exact data-value). */
function renderLineTable(table: HTMLTableElement, optimizers: readonly OptimizerKind[], paths: ReadonlyMap<OptimizerKind, number[]>, steps: number): void {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'step'), ...optimizers.map((k) => h('th', { scope: 'col' }, title(k))));
  const rows = Array.from({ length: steps + 1 }, (_, t) => h('tr', {}, h('th', { scope: 'row' }, String(t)), ...optimizers.map((k) => {
    const w = paths.get(k)![t];
    return w === undefined ? h('td', { 'data-optimizer': k, 'data-step': String(t) }, '—')
      : h('td', { 'data-optimizer': k, 'data-step': String(t), 'data-value': String(w) }, fmt(w));
  })));
  table.replaceChildren(h('caption', { class: 'sr-only' }, 'w after each step, per optimizer'), h('thead', {}, head), h('tbody', {}, ...rows));
}
