// DOM rendering of the page's tables and messages: coefficients against the truth and the exact answer,
// fit metrics by task (with a confusion matrix for classification), the CPU-vs-GPU table and the adapter. Cells carry data-* attributes the end-to-end test reads.
import type { BackendKind } from '../backend';
import { metricEntries, type Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import type { BenchResult } from '../train/bench';
import type { Explanation } from './gpu_status';
import { fmtBatch } from './charts/chart_math';
import { BACKEND_LABEL, COLORS } from './charts/plot';
import { fmtCoef, fmtCount, fmtMetric, fmtPercent, fmtSeconds, fmtSpeedup } from './state';

/** Creates an element with text and attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** Looks up an element by id; throws naming the id if the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** What the coefficient table shows. */
export interface CoefView {
  features: readonly string[];
  fitBias: boolean;
  /** Which output's coefficients to show (the class for a multiclass model; 0 otherwise). */
  output: number;
  truth: ModelParams | null;
  /** The least-squares answer, its state, or null where it does not apply (classification). */
  exact: ModelParams | 'pending' | 'too-large' | 'singular' | null;
  fits: ReadonlyMap<BackendKind, ModelParams>;
  /** A sparse block after the features (hashed text columns), said in one row: what it is. */
  sparse?: string;
}

const MAX_ROWS_SHOWN = 64;

/** Weight j (−1: the bias) of output c, when the parameters have that output (rows of D ≥ d weights: a sparse block follows the features). */
function coef(p: ModelParams | null | undefined, c: number, j: number): number | undefined {
  if (!p || c >= p.bias.length) return undefined;
  return j < 0 ? p.bias[c] : p.weights[c * (p.weights.length / p.bias.length) + j];
}

/** Renders one output's coefficients: one row per feature (and the intercept), one column per source. */
export function renderCoefTable(table: HTMLTableElement, v: CoefView): void {
  const kinds = [...v.fits.keys()];
  const d = v.features.length;
  const c = v.output;
  const truth = v.truth && v.truth.bias.length > c ? v.truth : null;
  const exactHead = v.exact === null ? null : typeof v.exact === 'object' ? 'least squares'
    : { pending: 'least squares (solving…)', 'too-large': 'least squares (too large here)', singular: 'least squares (singular)' }[v.exact];
  const head = h('tr', {}, h('th', { scope: 'col' }, 'coefficient'),
    ...(truth ? [h('th', { scope: 'col', style: `color:${COLORS.truth}` }, 'true')] : []),
    ...(exactHead ? [h('th', { scope: 'col', style: `color:${COLORS.exact}` }, exactHead)] : []),
    ...kinds.map((k) => h('th', { scope: 'col', style: `color:${COLORS[k]}` }, BACKEND_LABEL[k])));
  const names = [...v.features.slice(0, MAX_ROWS_SHOWN).map((f, j) => [f, j] as const), ...(v.fitBias ? [['intercept', -1] as const] : [])];
  const exact = v.exact !== null && typeof v.exact === 'object' ? v.exact : null;
  const rows = names.map(([name, j]) => h('tr', { 'data-coef': String(j) },
    h('th', { scope: 'row' }, name),
    ...(truth ? [h('td', { 'data-source': 'truth' }, fmtCoef(coef(truth, c, j)))] : []),
    ...(exactHead ? [h('td', { 'data-source': 'exact' }, fmtCoef(coef(exact, c, j)))] : []),
    ...kinds.map((k) => h('td', { 'data-source': k, 'data-value': String(coef(v.fits.get(k), c, j)) }, fmtCoef(coef(v.fits.get(k), c, j))))));
  const more = d > MAX_ROWS_SHOWN ? [h('tr', {}, h('td', { colspan: '9' }, `… ${d - MAX_ROWS_SHOWN} more in the downloaded model`))] : [];
  if (v.sparse) more.push(h('tr', { 'data-coef': 'sparse' }, h('td', { colspan: '9' }, `${v.sparse}: their weights are in the downloaded model`)));
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows, ...more));
}

/** What one backend's metrics line shows. */
export interface MetricsRow {
  metrics: Metrics | null;
  /** Metrics over the held-out rows (a validation split). */
  validation?: Metrics | null;
  /** Class labels of a classification (for the confusion matrix). */
  classes: readonly string[] | null;
  epochs: number;
  secondsPerEpoch: number;
  /** Seconds spent compiling kernels before the first epoch, once the run has ended. */
  compileSeconds?: number;
  /** The optimality gap (loss − loss*)/loss* after the last epoch, when asked for. */
  gap?: number | null;
  /** Solved (no epochs): what the solver did, e.g. "solved exactly in one pass". */
  solved?: string;
}

const MAX_CONFUSION = 12;

/** Per-class counts: rows are the true class, columns the predicted one. */
function confusionTable(kind: BackendKind, m: number[][], classes: readonly string[] | null): HTMLElement {
  const k = m.length;
  if (k > MAX_CONFUSION) return h('p', { class: 'hint' }, `${k} classes: the ${k} × ${k} confusion matrix is in the downloaded model.`);
  const name = (c: number) => classes?.[c] ?? String(c);
  return h('table', { class: 'confusion numbers', 'data-backend': kind, 'aria-label': `${BACKEND_LABEL[kind]} confusion matrix` },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'true ╲ predicted'), ...m.map((_, c) => h('th', { scope: 'col' }, name(c))))),
    h('tbody', {}, ...m.map((row, t) => h('tr', {}, h('th', { scope: 'row' }, name(t)),
      ...row.map((n, p) => h('td', { class: p === t ? 'hit' : n > 0 ? 'miss' : '', 'data-true': String(t), 'data-predicted': String(p) }, n.toLocaleString('en-US')))))));
}

/** One line of metrics per backend (regression: MSE, RMSE, MAE, R², loss; classification: accuracy, log-loss, loss and the confusion matrix). */
export function renderMetrics(el: HTMLElement, m: ReadonlyMap<BackendKind, MetricsRow>): void {
  const values = (metrics: Metrics | null | undefined) => (metrics ? metricEntries(metrics) : []).flatMap(([name, v]) =>
    [h('span', { class: 'metric', 'data-metric': name, 'data-value': String(v) }, `${name} ${name === 'accuracy' ? fmtPercent(v) : fmtMetric(v)}`), ' · ']);
  el.replaceChildren(...[...m].map(([k, r]) => {
    const confusion = r.metrics?.task === 'classification' ? [confusionTable(k, r.metrics.confusion, r.classes)] : [];
    const heldOut = r.validation
      ? [h('div', { class: 'held-out', 'data-held-out': String(r.validation.rows) }, `held out (${r.validation.rows.toLocaleString('en-US')} rows): `, ...values(r.validation).slice(0, -1))]
      : [];
    return h('li', { style: `border-color:${COLORS[k]}`, 'data-backend': k, 'data-epochs': String(r.epochs) },
      h('div', {}, h('strong', {}, BACKEND_LABEL[k]), ' ', ...values(r.metrics),
        ...(r.gap !== undefined && r.gap !== null
          ? [h('span', { class: 'metric', 'data-metric': 'gap', 'data-value': String(r.gap), title: 'optimality gap: (loss − least-squares loss) / least-squares loss' }, `gap ${fmtMetric(r.gap)}`), ' · ']
          : []),
        r.solved ? r.solved : `${r.epochs} epoch${r.epochs === 1 ? '' : 's'} · ${fmtSeconds(r.secondsPerEpoch)}/epoch`,
        ...(r.compileSeconds && r.compileSeconds > 0.05
          ? [' · ', h('span', { class: 'metric', 'data-metric': 'compile', 'data-value': String(r.compileSeconds) }, `shaders compiled once in ${fmtSeconds(r.compileSeconds)}`)]
          : [])), ...heldOut, ...confusion);
  }));
}

/** The comparison table: one row per size, both backends, and the GPU's speed-up. */
export function renderBenchTable(table: HTMLTableElement, xLabel: string, rows: { x: number; cpu?: BenchResult; gpu?: BenchResult }[], fixedRows?: number): void {
  const head = h('tr', {}, ...[xLabel, 'CPU s/epoch', 'WebGPU s/epoch', 'CPU rows/s', 'WebGPU rows/s', 'WebGPU vs CPU'].map((t) => h('th', { scope: 'col' }, t)));
  const body = rows.map((r) => {
    const speed = r.cpu && r.gpu ? r.cpu.secondsPerEpoch / r.gpu.secondsPerEpoch : NaN;
    return h('tr', { 'data-x': String(r.x) }, h('th', { scope: 'row' }, xLabel === 'rows' ? fmtCount(r.x) : fmtBatch(r.x, fixedRows)),
      h('td', { 'data-cpu': String(r.cpu?.secondsPerEpoch ?? '') }, r.cpu ? fmtSeconds(r.cpu.secondsPerEpoch) : '…'),
      h('td', { 'data-gpu': String(r.gpu?.secondsPerEpoch ?? '') }, r.gpu ? fmtSeconds(r.gpu.secondsPerEpoch) : '…'),
      h('td', {}, r.cpu ? `${fmtCount(r.cpu.rowsPerSecond)}/s` : '…'),
      h('td', {}, r.gpu ? `${fmtCount(r.gpu.rowsPerSecond)}/s` : '…'),
      h('td', { class: speed > 1 ? 'win' : speed < 1 ? 'lose' : '' }, fmtSpeedup(speed)));
  });
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...body));
}

const kvTable = (rows: [string, string][]) =>
  h('table', { class: 'kv' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));

/** The adapter's identity and features beside its limits. */
export function renderAdapter(el: HTMLElement, rows: { info: [string, string][]; limits: [string, string][] }, features: string[]): void {
  el.replaceChildren(
    h('div', {}, h('h3', {}, 'Adapter'), kvTable(rows.info), h('h3', {}, 'Features'), h('p', { class: 'features' }, features.join(', ') || 'none')),
    h('div', {}, h('h3', {}, 'Limits (as requested from the adapter)'), kvTable(rows.limits)));
}

/** Shows why WebGPU is missing. */
export function renderWarning(el: HTMLElement, e: Explanation): void {
  el.replaceChildren(h('strong', {}, e.title), h('ul', {}, ...e.details.map((d) => h('li', {}, d))));
  el.hidden = false;
}
