// form/: the page's controls (Data, Model, Training) and the DOM-free rules that read them into settings.
// The Data, Model and Training controls. Training fields are built from the option descriptors (settings.ts,
// core/spec.ts) whatever their type, group or `appliesTo`: a Loss select grouped by task, a Penalty select, a
// field per option shown only when it applies, each with its error beside it; rarely changed training options sit
// under "More training options". The built-in datasets' fields come from descriptors too. Every field is checked
// when the user leaves it, through the same parse that builds the run's spec (so errors that involve two fields
// show too); the form reports whether all are valid (Start waits for that).
import { LOSSES, type LossKind } from '../../core/losses';
import type { OptionDescriptor } from '../../core/options';
import { PENALTIES, type PenaltyKind } from '../../core/penalties';
import type { DataSpec } from '../data/datasets';
import { previewFile } from '../data/files';
import {
  applicableOptions, DATA_OPTIONS, DATASETS, fieldLabel, FILE_TRAIN, lossGroups, lossUse, modelLabel, MORE_OPTIONS, PAGE_OPTIONS,
  parseDataForm, parseTrainForm, REAL_DATASETS, suggestTraining, TASK_LABEL, type BackendChoice, type DataKind, type FormValues, type Parsed,
  type RunSettings, type SyntheticKind,
} from './settings';
import { fmtCount, parseRows, rowsToSlider, sliderToRows } from '../state';
import { byId, h } from '../views';

const input = (id: string) => byId<HTMLInputElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);
/** Suggestions offered on the batch field. */
const DATALISTS: Record<string, string> = { batch: 'batch-sizes' };

/** A field for one option: a select, a checkbox or a text input, with its error line. */
function optionField(o: OptionDescriptor): HTMLElement {
  const error = h('p', { class: 'error', id: `${o.name}-error` });
  if (o.type === 'boolean') {
    return h('div', { class: 'field wide', 'data-option': o.name },
      h('label', { class: 'check', title: o.help }, h('input', { type: 'checkbox', id: o.name, 'aria-describedby': `${o.name}-error`, ...(o.default ? { checked: '' } : {}) }), ` ${fieldLabel(o)}`), error);
  }
  let control: HTMLElement;
  if (o.type === 'choice') {
    const groups = o.name === 'loss'
      ? lossGroups().map((g) => h('optgroup', { label: TASK_LABEL[g.task] }, ...g.losses.map((l) => h('option', { value: l.value }, l.label))))
      : o.choices.map((c) => h('option', { value: c }, o.name === 'penalty' ? PENALTIES[c as PenaltyKind].title : c));
    control = h('select', { id: o.name, 'aria-describedby': `${o.name}-error`, title: o.help }, ...groups);
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

/**
 * Where an option group's fields go: `#<group>-options` (Model, Training), or a fieldset made for a group the page
 * has not seen before; `more` puts the field under the group's "More … options" disclosure.
 */
function groupContainer(group: string, more: boolean): HTMLElement {
  const id = group === 'model' || group === 'training' ? `${group}-options` : `${group}-group-options`;
  let main = document.getElementById(id);
  if (!main) {
    main = h('div', { class: 'fields', id });
    const title = group.replace(/^./, (c) => c.toUpperCase());
    byId('train-fields').before(h('fieldset', { id: `${group}-fields` }, h('legend', {}, title), main));
  }
  if (!more) return main;
  let box = document.getElementById(`${id}-more`);
  if (!box) {
    box = h('div', { class: 'fields', id: `${id}-more` });
    main.after(h('details', { class: 'more', id: `${group}-more` }, h('summary', {}, `More ${group} options`), box));
  }
  return box;
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
      h('optgroup', { label: 'Generated (seeded)' }, ...Object.entries(DATASETS).map(([k, d]) => h('option', { value: k }, d.label))),
      h('optgroup', { label: 'Real data (bundled)' }, ...Object.entries(REAL_DATASETS).map(([k, d]) => h('option', { value: k }, d.label))),
      h('option', { value: 'file' }, 'Your file (CSV, NPY or Parquet)'));
    byId('data-options').replaceChildren(...DATA_OPTIONS.filter((o) => o.name !== 'rows').map(optionField));
    for (const o of PAGE_OPTIONS) groupContainer(o.group, MORE_OPTIONS.has(o.name)).append(optionField(o));
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
    byId('synthetic-fields').hidden = !(kind in DATASETS);
    byId('file-fields').hidden = kind !== 'file';
    const about = byId('data-about');
    about.hidden = kind !== 'flights';
    if (kind === 'flights') about.replaceChildren(h('span', {}, REAL_DATASETS.flights.about), ' ', h('span', { class: 'license' }, REAL_DATASETS.flights.license));
    this.summary('');
    if (kind === 'file') this.setValues(this.fileRows !== null ? suggestTraining(this.fileRows) : FILE_TRAIN);
    else if (kind === 'flights') this.setValues(REAL_DATASETS.flights.train);
    else {
      const { data, train } = DATASETS[kind];
      this.setValues({ ...data, ...train });
      input('rows-slider').value = String(rowsToSlider(Number(data.rows)));
    }
    this.dataChanged();
  }

  /** Rows of the chosen file (stated by NPY and Parquet, estimated for CSV), for the suggested settings. */
  private fileRows: number | null = null;
  /** Why the chosen file cannot be used (none chosen, or unreadable), or null. */
  private fileError: { message: string; chosen: boolean } | null = { message: 'Choose a CSV, NPY or Parquet file.', chosen: false };

  /** Why the data cannot be trained on yet (no file, or an unreadable one), or null; `chosen` when a file is. */
  get dataProblem(): { message: string; chosen: boolean } | null {
    return this.kind === 'file' ? this.fileError : null;
  }

  private async previewChosenFile(): Promise<void> {
    const file = input('file').files?.[0];
    const target = select('target');
    target.disabled = true;
    this.fileRows = null;
    this.advice = '';
    this.fileError = { message: 'Choose a CSV, NPY or Parquet file.', chosen: false };
    if (!file) {
      target.replaceChildren(h('option', {}, 'choose a file first'));
      return this.dataChanged();
    }
    try {
      const p = await previewFile(file);
      target.replaceChildren(...p.columns.map((c) => h('option', { value: c }, c)));
      target.value = p.columns[p.columns.length - 1];
      target.disabled = false;
      this.fileError = null;
      const rows = p.rows ?? p.approxRows;
      this.fileRows = rows;
      const size = p.rows !== null ? `, ${p.rows.toLocaleString('en-US')} rows` : rows !== null ? `, about ${fmtCount(rows)} rows` : '';
      if (rows !== null) {
        const s = suggestTraining(rows);
        this.setValues(s);
        this.advice = `Suggested for its size: batch ${Number(s.batch).toLocaleString('en-US')}, ${s.epochs} epochs, standardized features.`;
      }
      this.summary(`${file.name}: ${p.columns.length} columns${size}; the target is "${target.value}", the other columns are features.`);
    } catch (e) {
      target.replaceChildren(h('option', {}, 'unreadable file'));
      this.fileError = { message: (e as Error).message, chosen: true };
      this.summary((e as Error).message, true);
    }
    this.dataChanged();
  }

  /** Shows a line under the data fields (for a file, with the settings suggested for its size). */
  summary(text: string, error = false): void {
    const el = byId('data-summary');
    el.textContent = !error && this.kind === 'file' && this.advice && text ? `${text} ${this.advice}` : text;
    el.classList.toggle('error', error);
  }

  /** The settings suggested for the chosen file, in words. */
  private advice = '';

  /** The training fields' values by option name. */
  private trainValues(): FormValues {
    return Object.fromEntries(PAGE_OPTIONS.map((o) => {
      const el = byId<HTMLInputElement | HTMLSelectElement>(o.name);
      return [o.name, el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value];
    }));
  }

  /**
   * Checks every shown field, shows each error beside its field, hides the options that do not apply. The values
   * go through the parse that builds the run (parseTrainForm), so a rule between fields is an error too.
   */
  check(): boolean {
    this.errors.clear();
    const values = this.trainValues();
    const shown = new Set(applicableOptions(values).map((o) => o.name));
    for (const o of PAGE_OPTIONS) {
      byId(o.name).closest<HTMLElement>('.field')!.hidden = !shown.has(o.name);
      this.fieldError(o.name, '');
    }
    const parsed = parseTrainForm({ values, backend: 'webgpu' });
    if (!parsed.ok) for (const [name, message] of Object.entries(parsed.errors)) this.fieldError(name, message);
    // A bad value inside a closed "More … options" opens it, so the error is seen.
    for (const name of this.errors.keys()) byId(name).closest('details')?.setAttribute('open', '');
    byId('model-task').textContent = LOSSES[this.loss] ? `${modelLabel(this.loss)}: ${lossUse(this.loss)}.` : '';
    const kind = this.kind;
    for (const o of DATA_OPTIONS) {
      const applies = kind in DATASETS && o.kinds.includes(kind as SyntheticKind);
      if (o.name !== 'rows') byId(o.name).closest<HTMLElement>('.field')!.hidden = !applies;
      this.fieldError(o.name, '');
    }
    if (kind in DATASETS) {
      const parsed = parseDataForm(kind as SyntheticKind, this.dataValues());
      if (!parsed.ok) for (const [name, message] of Object.entries(parsed.errors)) this.fieldError(name, message);
    }
    return this.valid;
  }

  /** Whether the built-in dataset's fields (rows, features, noise, …) are valid; true for other data. */
  dataFieldsValid(): boolean {
    return !(this.kind in DATASETS) || parseDataForm(this.kind as SyntheticKind, this.dataValues()).ok;
  }

  private dataValues(): Record<string, string> {
    return Object.fromEntries(DATA_OPTIONS.map((o) => [o.name, input(o.name).value]));
  }

  /** The data the form describes (the file's target read as labels when the loss classifies); null for the flights. */
  dataSpec(): DataSpec | null {
    if (this.kind === 'flights') return null;
    if (this.kind === 'file') {
      const file = input('file').files?.[0];
      if (!file || select('target').disabled) throw new Error(this.fileError?.message ?? 'Choose a CSV, NPY or Parquet file.');
      return { kind: 'file', file, target: select('target').value, labels: LOSSES[this.loss].task !== 'regression' };
    }
    const parsed = parseDataForm(this.kind as SyntheticKind, this.dataValues());
    if (!parsed.ok) throw new Error(Object.values(parsed.errors).join('; '));
    return parsed.value;
  }

  /** The training settings, or errors shown next to their fields. */
  settings(): Parsed<RunSettings> {
    const backend = (document.querySelector<HTMLInputElement>('input[name=backend]:checked')?.value ?? 'webgpu') as BackendChoice;
    this.check();
    return parseTrainForm({ values: this.trainValues(), backend });
  }

  private fieldError(name: string, message: string): void {
    byId(`${name}-error`).textContent = message;
    byId(name).setAttribute('aria-invalid', String(message !== ''));
    if (message) this.errors.set(name, message);
    else this.errors.delete(name);
  }

  /** Locks or unlocks the inputs while a run is going. */
  setEditable(on: boolean): void {
    document.querySelectorAll<HTMLFieldSetElement>('#train-form > fieldset').forEach((f) => (f.disabled = !on));
  }

  /** Disables the WebGPU and Both choices (no adapter) and selects CPU. */
  cpuOnly(): void {
    document.querySelectorAll<HTMLInputElement>('input[name=backend]').forEach((r) => {
      r.disabled = r.value !== 'cpu';
      r.checked = r.value === 'cpu';
    });
  }
}
