// The Data, Model and Training controls. Training fields are built from the option descriptors (settings.ts,
// core/spec.ts): a Loss select grouped by task, a Penalty select, a field per hyperparameter shown only when it
// applies, each with its error beside it. The built-in datasets' fields come from descriptors too. Every field is
// checked when the user leaves it; the form reports whether all are valid (Start waits for that).
import { LOSSES, type LossKind } from '../core/losses';
import type { OptionDescriptor } from '../core/options';
import { PENALTIES, type PenaltyKind } from '../core/penalties';
import type { DataSpec } from './datasets';
import { previewFile } from './files';
import {
  applicableOptions, checkField, DATA_OPTIONS, DATASETS, fieldLabel, FILE_TRAIN, lossGroups, lossUse, modelLabel, PAGE_OPTIONS,
  parseDataForm, parseTrainForm, TASK_LABEL, type BackendChoice, type DataKind, type FormValues, type Parsed, type RunSettings,
} from './settings';
import { parseRows, rowsToSlider, sliderToRows } from './state';
import { byId, h } from './views';

const input = (id: string) => byId<HTMLInputElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);
/** Suggestions offered on the batch field. */
const DATALISTS: Record<string, string> = { batch: 'batch-sizes' };

/** A field for one option: a select, a checkbox or a text input, with its error line. */
function optionField(o: OptionDescriptor): HTMLElement {
  const error = h('p', { class: 'error', id: `${o.name}-error` });
  if (o.type === 'boolean') {
    return h('div', { class: 'field wide', 'data-option': o.name },
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: o.name, ...(o.default ? { checked: '' } : {}) }), ` ${fieldLabel(o)}`), error);
  }
  let control: HTMLElement;
  if (o.type === 'choice') {
    const groups = o.name === 'loss'
      ? lossGroups().map((g) => h('optgroup', { label: TASK_LABEL[g.task] }, ...g.losses.map((l) => h('option', { value: l.value }, l.label))))
      : o.choices.map((c) => h('option', { value: c }, o.name === 'penalty' ? PENALTIES[c as PenaltyKind].title : c));
    control = h('select', { id: o.name, 'aria-describedby': `${o.name}-error` }, ...groups);
    (control as HTMLSelectElement).value = o.default;
  } else {
    const value = o.default === Infinity && o.infinity ? o.infinity : String(o.default);
    control = h('input', {
      type: 'text', id: o.name, value, title: o.help, inputmode: o.type === 'integer' && !o.infinity ? 'numeric' : 'decimal',
      'aria-describedby': `${o.name}-error`, ...(DATALISTS[o.name] ? { list: DATALISTS[o.name] } : {}),
    });
  }
  return h('div', { class: `field${o.type === 'choice' ? ' wide' : ''}`, 'data-option': o.name }, h('label', { for: o.name }, fieldLabel(o)), control, error);
}

/** The page's data and training form. */
export class TrainFormView {
  /** Called when the chosen data changes (to refresh the summary and charts). */
  onDataChange: () => void = () => {};
  /** Called when any field changes, after the fields are checked (Start follows `valid`). */
  onChange: () => void = () => {};
  private errors = new Map<string, string>();

  constructor() {
    select('data-kind').replaceChildren(
      ...Object.entries(DATASETS).map(([k, d]) => h('option', { value: k }, d.label)),
      h('option', { value: 'file' }, 'Your file (CSV, NPY or Parquet)'));
    byId('data-options').replaceChildren(...DATA_OPTIONS.filter((o) => o.name !== 'rows').map(optionField));
    for (const group of ['model', 'training'] as const) {
      byId(`${group}-options`).replaceChildren(...PAGE_OPTIONS.filter((o) => o.group === group).map(optionField));
    }
    input('rows-slider').addEventListener('input', () => this.setRows(sliderToRows(Number(input('rows-slider').value))));
    input('rows').addEventListener('change', () => {
      const r = parseRows(input('rows').value);
      if (r !== null) input('rows-slider').value = String(rowsToSlider(r));
      this.dataChanged();
    });
    for (const o of DATA_OPTIONS) if (o.name !== 'rows') byId(o.name).addEventListener('change', () => this.dataChanged());
    for (const o of PAGE_OPTIONS) byId(o.name).addEventListener('change', () => this.trainChanged(o.name));
    select('data-kind').addEventListener('change', () => this.applyKind());
    input('file').addEventListener('change', () => void this.previewChosenFile());
    select('target').addEventListener('change', () => this.dataChanged());
    this.applyKind();
  }

  get kind(): DataKind {
    return select('data-kind').value as DataKind;
  }

  /** The chosen loss. */
  get loss(): LossKind {
    return select('loss').value as LossKind;
  }

  /** Whether every shown field holds a valid value. */
  get valid(): boolean {
    return this.errors.size === 0;
  }

  private setRows(rows: number): void {
    input('rows').value = String(rows);
    input('rows-slider').value = String(rowsToSlider(rows));
    this.dataChanged();
  }

  private dataChanged(): void {
    this.check();
    this.onChange();
    this.onDataChange();
  }

  private trainChanged(name: string): void {
    this.check();
    if (name === 'loss' || name === 'penalty') this.onDataChange();
    this.onChange();
  }

  /** Sets fields by option name (text, a choice or a checkbox). */
  private setValues(values: Readonly<Record<string, string | number | boolean | undefined>>): void {
    for (const [name, v] of Object.entries(values)) {
      if (v === undefined) continue;
      const el = byId<HTMLInputElement | HTMLSelectElement>(name);
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = v === true;
      else el.value = String(v);
    }
  }

  /** Shows the fields of the chosen dataset and its suggested settings. */
  private applyKind(): void {
    const kind = this.kind;
    byId('synthetic-fields').hidden = kind === 'file';
    byId('file-fields').hidden = kind !== 'file';
    if (kind === 'file') {
      this.setValues(FILE_TRAIN);
      this.summary('');
      this.check();
      this.onChange();
      this.onDataChange();
      return;
    }
    const { data, train } = DATASETS[kind];
    this.setValues({ ...data, ...train });
    input('rows-slider').value = String(rowsToSlider(Number(data.rows)));
    this.check();
    this.onChange();
    this.onDataChange();
  }

  private async previewChosenFile(): Promise<void> {
    const file = input('file').files?.[0];
    const target = select('target');
    target.disabled = true;
    if (!file) return this.dataChanged();
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
    this.dataChanged();
  }

  /** Shows a line under the data fields. */
  summary(text: string, error = false): void {
    const el = byId('data-summary');
    el.textContent = text;
    el.classList.toggle('error', error);
  }

  /** The training fields' values by option name. */
  private trainValues(): FormValues {
    return Object.fromEntries(PAGE_OPTIONS.map((o) => {
      const el = byId<HTMLInputElement | HTMLSelectElement>(o.name);
      return [o.name, el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value];
    }));
  }

  /** Checks every shown field, shows each error beside its field, hides the options that do not apply. */
  check(): boolean {
    this.errors.clear();
    const values = this.trainValues();
    const shown = new Set(applicableOptions(values).map((o) => o.name));
    for (const o of PAGE_OPTIONS) {
      byId(o.name).closest<HTMLElement>('.field')!.hidden = !shown.has(o.name);
      this.fieldError(o.name, shown.has(o.name) ? checkField(o, values[o.name]) : '');
    }
    byId('model-task').textContent = LOSSES[this.loss] ? `${modelLabel(this.loss)}: ${lossUse(this.loss)}.` : '';
    const kind = this.kind;
    for (const o of DATA_OPTIONS) {
      const applies = kind !== 'file' && o.kinds.includes(kind);
      if (o.name !== 'rows') byId(o.name).closest<HTMLElement>('.field')!.hidden = !applies;
      this.fieldError(o.name, '');
    }
    if (kind !== 'file') {
      const parsed = parseDataForm(kind, this.dataValues());
      if (!parsed.ok) for (const [name, message] of Object.entries(parsed.errors)) this.fieldError(name, message);
    }
    return this.valid;
  }

  private dataValues(): Record<string, string> {
    return Object.fromEntries(DATA_OPTIONS.map((o) => [o.name, input(o.name).value]));
  }

  /** The data the form describes (the file's target read as labels when the loss classifies). */
  dataSpec(): DataSpec {
    if (this.kind === 'file') {
      const file = input('file').files?.[0];
      if (!file || select('target').disabled) throw new Error('choose a CSV, NPY or Parquet file and its target column first');
      return { kind: 'file', file, target: select('target').value, labels: LOSSES[this.loss].task !== 'regression' };
    }
    const parsed = parseDataForm(this.kind, this.dataValues());
    if (!parsed.ok) throw new Error(Object.values(parsed.errors).join('; '));
    return parsed.value;
  }

  /** The training settings, or errors shown next to their fields. */
  settings(): Parsed<RunSettings> {
    const backend = (document.querySelector<HTMLInputElement>('input[name=backend]:checked')?.value ?? 'webgpu') as BackendChoice;
    const parsed = parseTrainForm({ values: this.trainValues(), backend });
    this.check();
    if (!parsed.ok) for (const [name, message] of Object.entries(parsed.errors)) this.fieldError(name, message);
    return parsed;
  }

  private fieldError(name: string, message: string): void {
    byId(`${name}-error`).textContent = message;
    byId(name).setAttribute('aria-invalid', String(message !== ''));
    if (message) this.errors.set(name, message);
    else this.errors.delete(name);
  }

  /** Locks or unlocks the inputs while a run is going. */
  setEditable(on: boolean): void {
    for (const id of ['data-fields', 'model-fields', 'train-fields']) (byId(id) as HTMLFieldSetElement).disabled = !on;
  }

  /** Disables the WebGPU and Both choices (no adapter) and selects CPU. */
  cpuOnly(): void {
    document.querySelectorAll<HTMLInputElement>('input[name=backend]').forEach((r) => {
      r.disabled = r.value !== 'cpu';
      r.checked = r.value === 'cpu';
    });
  }
}
