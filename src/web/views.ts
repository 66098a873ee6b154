// DOM rendering of the page's tables and messages: coefficients against the truth and the exact answer,
// fit metrics, the CPU-vs-GPU table and the adapter. Cells carry data-* attributes the end-to-end test reads.
import type { BackendKind } from '../backend';
import { metricsLine, type Metrics } from '../core/metrics';
import type { ModelParams } from '../core/model';
import type { BenchResult } from '../train/bench';
import type { Explanation } from './gpu_status';
import { BACKEND_LABEL, COLORS } from './plot';
import { fmtCoef, fmtCount, fmtSeconds } from './state';

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
  truth: ModelParams | null;
  exact: ModelParams | 'pending' | 'too-large' | 'singular';
  fits: ReadonlyMap<BackendKind, ModelParams>;
}

const MAX_ROWS_SHOWN = 64;

/** Renders coefficients: one row per feature (and the intercept), one column per source. */
export function renderCoefTable(table: HTMLTableElement, v: CoefView): void {
  const kinds = [...v.fits.keys()];
  const exactHead = typeof v.exact === 'object' ? 'least squares'
    : { pending: 'least squares (solving…)', 'too-large': 'least squares (too large here)', singular: 'least squares (singular)' }[v.exact];
  const head = h('tr', {}, h('th', { scope: 'col' }, 'coefficient'),
    ...(v.truth ? [h('th', { scope: 'col', style: `color:${COLORS.truth}` }, 'true')] : []),
    h('th', { scope: 'col', style: `color:${COLORS.exact}` }, exactHead),
    ...kinds.map((k) => h('th', { scope: 'col', style: `color:${COLORS[k]}` }, BACKEND_LABEL[k])));
  const names = [...v.features.slice(0, MAX_ROWS_SHOWN).map((f, j) => [f, j] as const), ...(v.fitBias ? [['intercept', -1] as const] : [])];
  const at = (p: ModelParams | null | undefined, j: number) => (p ? (j < 0 ? p.bias[0] : p.weights[j]) : undefined);
  const exact = typeof v.exact === 'object' ? v.exact : null;
  const rows = names.map(([name, j]) => h('tr', { 'data-coef': String(j) },
    h('th', { scope: 'row' }, name),
    ...(v.truth ? [h('td', { 'data-source': 'truth' }, fmtCoef(at(v.truth, j)))] : []),
    h('td', { 'data-source': 'exact' }, fmtCoef(at(exact, j))),
    ...kinds.map((k) => h('td', { 'data-source': k, 'data-value': String(at(v.fits.get(k), j)) }, fmtCoef(at(v.fits.get(k), j))))));
  const more = v.features.length > MAX_ROWS_SHOWN ? [h('tr', {}, h('td', { colspan: '9' }, `… ${v.features.length - MAX_ROWS_SHOWN} more in the downloaded model`))] : [];
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows, ...more));
}

/** One line of metrics per backend. */
export function renderMetrics(el: HTMLElement, m: ReadonlyMap<BackendKind, { metrics: Metrics | null; epochs: number; secondsPerEpoch: number }>): void {
  el.replaceChildren(...[...m].map(([k, r]) => h('li', { style: `border-color:${COLORS[k]}`, 'data-backend': k, 'data-epochs': String(r.epochs) }, h('strong', {}, BACKEND_LABEL[k]),
    r.metrics ? ` ${metricsLine(r.metrics, (x) => x.toPrecision(4))} · ` : ' ',
    `${r.epochs} epoch${r.epochs === 1 ? '' : 's'} · ${fmtSeconds(r.secondsPerEpoch)}/epoch`)));
}

/** The comparison table: one row per size, both backends, and the GPU's speed-up. */
export function renderBenchTable(table: HTMLTableElement, xLabel: string, rows: { x: number; cpu?: BenchResult; gpu?: BenchResult }[]): void {
  const head = h('tr', {}, ...[xLabel, 'CPU s/epoch', 'WebGPU s/epoch', 'CPU rows/s', 'WebGPU rows/s', 'WebGPU speed-up'].map((t) => h('th', { scope: 'col' }, t)));
  const body = rows.map((r) => {
    const speed = r.cpu && r.gpu ? r.cpu.secondsPerEpoch / r.gpu.secondsPerEpoch : NaN;
    return h('tr', { 'data-x': String(r.x) }, h('th', { scope: 'row' }, fmtCount(r.x)),
      h('td', { 'data-cpu': String(r.cpu?.secondsPerEpoch ?? '') }, r.cpu ? fmtSeconds(r.cpu.secondsPerEpoch) : '…'),
      h('td', { 'data-gpu': String(r.gpu?.secondsPerEpoch ?? '') }, r.gpu ? fmtSeconds(r.gpu.secondsPerEpoch) : '…'),
      h('td', {}, r.cpu ? `${fmtCount(r.cpu.rowsPerSecond)}/s` : '…'),
      h('td', {}, r.gpu ? `${fmtCount(r.gpu.rowsPerSecond)}/s` : '…'),
      h('td', { class: speed > 1 ? 'win' : speed < 1 ? 'lose' : '' }, Number.isFinite(speed) ? `${speed.toPrecision(3)}×` : '…'));
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
