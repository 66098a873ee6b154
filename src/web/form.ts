// The Data and Training controls: filling the selects, the log-scale rows slider, per-dataset defaults,
// the file picker with its target column, reading the form and showing its errors next to the fields.
import type { DataSpec } from './datasets';
import { previewFile } from './files';
import {
  DEFAULTS, fmtCount, LOSS_OPTIONS, MAX_SYNTHETIC_CELLS, MODELS, parseRows, parseTrainForm, rowsToSlider, sliderToRows, STANDARDIZE_SUPPORTED,
  STANDARDIZE_TOOLTIP, type BackendChoice, type DataKind, type Parsed, type RunSettings,
} from './state';
import { byId, h } from './views';

const input = (id: string) => byId<HTMLInputElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);

/** The page's data and training form. */
export class TrainFormView {
  /** Called when the chosen data changes (to refresh the summary and charts). */
  onDataChange: () => void = () => {};

  constructor() {
    select('model').replaceChildren(...MODELS.map((m) => h('option', { value: m.value }, m.label)));
    select('loss').replaceChildren(...LOSS_OPTIONS.map((l) => h('option', { value: l.value }, l.label)));
    const std = input('standardize');
    std.disabled = !STANDARDIZE_SUPPORTED;
    byId('standardize-label').title = STANDARDIZE_SUPPORTED
      ? 'Train on features scaled to mean 0 and variance 1; the weights are reported in the original units'
      : STANDARDIZE_TOOLTIP;
    input('rows-slider').addEventListener('input', () => this.setRows(sliderToRows(Number(input('rows-slider').value))));
    input('rows').addEventListener('change', () => {
      const r = parseRows(input('rows').value);
      this.fieldError('rows', r === null ? 'rows: a whole number from 100 to 4,000,000' : '');
      if (r !== null) this.setRows(r);
    });
    for (const id of ['features', 'noise', 'data-seed']) input(id).addEventListener('change', () => this.onDataChange());
    select('data-kind').addEventListener('change', () => this.applyKind());
    input('file').addEventListener('change', () => void this.previewChosenFile());
    select('target').addEventListener('change', () => this.onDataChange());
    this.applyKind();
  }

  get kind(): DataKind {
    return select('data-kind').value as DataKind;
  }

  private setRows(rows: number): void {
    input('rows').value = String(rows);
    input('rows-slider').value = String(rowsToSlider(rows));
    this.onDataChange();
  }

  /** Shows the fields of the chosen dataset and its suggested settings. */
  private applyKind(): void {
    const kind = this.kind;
    byId('synthetic-fields').hidden = kind === 'file';
    byId('file-fields').hidden = kind !== 'file';
    if (kind !== 'file') {
      const d = DEFAULTS[kind];
      input('features').value = String(d.features);
      input('features').disabled = kind === 'line';
      input('noise').value = String(d.noise);
      for (const k of ['lr', 'batch', 'epochs'] as const) input(k).value = d[k];
      this.setRows(d.rows);
    } else {
      this.onDataChange();
    }
  }

  private async previewChosenFile(): Promise<void> {
    const file = input('file').files?.[0];
    const target = select('target');
    target.disabled = true;
    if (!file) return;
    try {
      const p = await previewFile(file);
      target.replaceChildren(...p.columns.map((c) => h('option', { value: c }, c)));
      target.value = p.columns[p.columns.length - 1];
      target.disabled = false;
      this.summary(`${file.name}: ${p.columns.length} columns${p.rows !== null ? `, ${p.rows.toLocaleString('en-US')} rows` : ''}; the target is "${target.value}", the other columns are features.`);
    } catch (e) {
      target.replaceChildren(h('option', {}, 'unreadable file'));
      this.summary((e as Error).message, true);
    }
    this.onDataChange();
  }

  /** Shows a line under the data fields. */
  summary(text: string, error = false): void {
    const el = byId('data-summary');
    el.textContent = text;
    el.classList.toggle('error', error);
  }

  /** The data the form describes. */
  dataSpec(): DataSpec {
    const seed = Number(input('data-seed').value) >>> 0;
    const noise = Math.max(0, Number(input('noise').value) || 0);
    const rows = parseRows(input('rows').value) ?? DEFAULTS.linear.rows;
    if (this.kind === 'line') return { kind: 'line', rows, noise, seed };
    if (this.kind === 'linear') {
      const features = Math.min(256, Math.max(1, Math.round(Number(input('features').value)) || 1));
      if (rows * features > MAX_SYNTHETIC_CELLS) {
        throw new Error(`${fmtCount(rows)} rows × ${features} features is more than the page generates (${fmtCount(MAX_SYNTHETIC_CELLS)} values); use fewer rows or features`);
      }
      return { kind: 'linear', rows, features, noise, seed };
    }
    const file = input('file').files?.[0];
    if (!file || select('target').disabled) throw new Error('choose a CSV or NPY file and its target column first');
    return { kind: 'file', file, target: select('target').value };
  }

  /** The training settings, or errors shown next to their fields. */
  settings(): Parsed<RunSettings> {
    const parsed = parseTrainForm({
      lr: input('lr').value, batch: input('batch').value, epochs: input('epochs').value, seed: input('seed').value,
      fitBias: input('fit-bias').checked, standardize: input('standardize').checked,
      backend: (document.querySelector<HTMLInputElement>('input[name=backend]:checked')?.value ?? 'webgpu') as BackendChoice,
    });
    for (const f of ['lr', 'batch', 'epochs', 'seed']) this.fieldError(f, parsed.ok ? '' : parsed.errors[f] ? `${f === 'lr' ? 'learning rate' : f}: ${parsed.errors[f]}` : '');
    return parsed;
  }

  private fieldError(field: string, message: string): void {
    byId(`${field}-error`).textContent = message;
    input(field).setAttribute('aria-invalid', String(message !== ''));
  }

  /** Locks or unlocks the inputs while a run is going. */
  setEditable(on: boolean): void {
    for (const id of ['data-fields', 'train-fields']) (byId(id) as HTMLFieldSetElement).disabled = !on;
    if (on) input('standardize').disabled = !STANDARDIZE_SUPPORTED;
  }

  /** Disables the WebGPU and Both choices (no adapter) and selects CPU. */
  cpuOnly(): void {
    document.querySelectorAll<HTMLInputElement>('input[name=backend]').forEach((r) => {
      r.disabled = r.value !== 'cpu';
      r.checked = r.value === 'cpu';
    });
  }
}
