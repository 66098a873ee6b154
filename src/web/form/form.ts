// form/: the page's controls (Data, Model, Training) and the DOM-free rules that read them into settings.
// The Data, Model and Training controls. The essentials stand at the top (dataset, target, loss, backend, then
// Start); every other field is under "More options". Training fields are built from the option descriptors
// (fields.ts, settings.ts, core/spec.ts) whatever their type, group or `appliesTo`, each shown only when it
// applies, with its error beside it. A file's fields (picker, URL, target, columns) are data/file_fields.ts.
// Every field is checked when the user leaves it, through the same parse that builds the run's spec (so errors
// that involve two fields show too); the form reports whether all are valid (Start waits for that).
import { LOSSES, type LossKind } from '../../core/losses';
import type { DataSpec } from '../data/datasets';
import { FileFields } from '../data/file_fields';
import { groupContainer, optionField, revealField } from './fields';
import {
  applicableOptions, DATA_OPTIONS, DATASETS, FILE_TRAIN, lossUse, modelLabel, MORE_OPTIONS, PAGE_OPTIONS,
  parseDataForm, parseTrainForm, REAL_DATASETS, suggestTraining, type BackendChoice, type DataKind, type FormValues, type Parsed,
  type RunSettings, type SyntheticKind,
} from './settings';
import { fittingLoss, type TargetKind } from './loss_fit';
import { parseRows, rowsToSlider, sliderToRows } from '../state';
import { byId, h } from '../views';

const input = (id: string) => byId<HTMLInputElement>(id);
const select = (id: string) => byId<HTMLSelectElement>(id);

/** The page's data and training form. */
export class TrainFormView {
  /** Called when the chosen data changes (to refresh the summary and charts). */
  onDataChange: () => void = () => {};
  /** Called when any field changes, after the fields are checked (Start follows `valid`). */
  onChange: () => void = () => {};
  private errors = new Map<string, string>();
  /** The file picker, URL, target and columns. */
  readonly files = new FileFields();

  constructor() {
    select('data-kind').replaceChildren(
      h('optgroup', { label: 'Generated (seeded)' }, ...Object.entries(DATASETS).map(([k, d]) => h('option', { value: k }, d.label))),
      h('optgroup', { label: 'Real data (bundled)' }, ...Object.entries(REAL_DATASETS).map(([k, d]) => h('option', { value: k }, d.label))),
      h('option', { value: 'file' }, 'Your file (CSV, NPY or Parquet)'));
    byId('data-options').replaceChildren(...DATA_OPTIONS.filter((o) => o.name !== 'rows').map(optionField));
    for (const o of PAGE_OPTIONS) groupContainer(o.name, o.group, MORE_OPTIONS.has(o.name)).append(optionField(o));
    input('rows-slider').addEventListener('input', () => this.setRows(sliderToRows(Number(input('rows-slider').value))));
    input('rows').addEventListener('change', () => {
      const r = parseRows(input('rows').value);
      if (r !== null) input('rows-slider').value = String(rowsToSlider(r));
      this.dataChanged();
    });
    for (const o of DATA_OPTIONS) if (o.name !== 'rows') byId(o.name).addEventListener('change', () => this.dataChanged());
    for (const o of PAGE_OPTIONS) byId(o.name).addEventListener('change', () => this.trainChanged(o.name));
    select('data-kind').addEventListener('change', () => this.applyKind());
    this.files.onChange = () => this.dataChanged();
    this.files.onChosen = (rows, target) => this.fileChosen(rows, target);
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
    byId('target-field').hidden = kind !== 'file';
    byId('columns-fields').hidden = kind !== 'file' || this.files.plan() === null;
    const about = byId('data-about');
    about.hidden = kind !== 'flights';
    if (kind === 'flights') about.replaceChildren(h('span', {}, REAL_DATASETS.flights.about), ' ', h('span', { class: 'license' }, REAL_DATASETS.flights.license));
    this.summary('');
    if (kind === 'file') this.setValues(this.files.rows !== null ? suggestTraining(this.files.rows) : FILE_TRAIN);
    else if (kind === 'flights') this.setValues(REAL_DATASETS.flights.train);
    else {
      const { data, train } = DATASETS[kind];
      this.setValues({ ...data, ...train });
      input('rows-slider').value = String(rowsToSlider(Number(data.rows)));
    }
    this.dataChanged();
  }

  /** Why the data cannot be trained on yet (no file, or an unreadable one), or null; `chosen` when a file is. */
  get dataProblem(): { message: string; chosen: boolean } | null {
    return this.kind === 'file' ? this.files.problem : null;
  }

  /** A file was read: settings suggested for its size, and a loss that fits its target (said in the summary). */
  private fileChosen(rows: number | null, target: TargetKind | null): void {
    this.advice = '';
    if (rows !== null) {
      const s = suggestTraining(rows);
      this.setValues(s);
      this.advice = `Suggested for its size: batch ${Number(s.batch).toLocaleString('en-US')}, ${s.epochs} epochs, standardized features.`;
    }
    const loss = target ? fittingLoss(this.loss, target) : null;
    if (loss) {
      this.setValues({ loss });
      this.advice += ` The loss is now ${LOSSES[loss].title}: ${target!.text ? `the target holds text (${target!.classes ?? 'many'} classes)` : 'the target holds numbers'}.`;
    }
    this.check();
  }

  /** Shows a line under the data fields (for a file, with the settings suggested for its size). */
  summary(text: string, error = false): void {
    const file = this.kind === 'file' ? this.files.describe() : '';
    byId('data-error').textContent = error ? text : '';
    byId('data-summary').textContent = error ? '' : [text || file, this.kind === 'file' && (text || file) ? this.advice : ''].filter(Boolean).join(' ');
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
    for (const name of this.errors.keys()) revealField(byId(name));
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

  /** The built-in dataset's fields as typed, by id. */
  dataValues(): Record<string, string> {
    return Object.fromEntries(DATA_OPTIONS.map((o) => [o.name, input(o.name).value]));
  }

  /**
   * The data the form describes (the file's target read as labels when the loss classifies; every row read first
   * when the columns' choices need it); null for the flights.
   */
  async dataSpec(onRows?: (rows: number) => void): Promise<DataSpec | null> {
    if (this.kind === 'flights') return null;
    if (this.kind === 'file') return this.files.spec(LOSSES[this.loss].task !== 'regression', onRows);
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
    document.querySelectorAll<HTMLFieldSetElement>('#train-form fieldset').forEach((f) => (f.disabled = !on));
  }

  /** Sets the form to a run's settings (a run resumed after a reload): the dataset and its fields, the training fields, the backend. */
  restore(kind: DataKind, values: FormValues, data: Readonly<Record<string, string>>, backend: BackendChoice): void {
    select('data-kind').value = kind;
    this.applyKind();
    this.setValues({ ...values, ...data });
    if (data.rows) input('rows-slider').value = String(rowsToSlider(Number(data.rows)));
    document.querySelectorAll<HTMLInputElement>('input[name=backend]').forEach((r) => (r.checked = r.value === backend));
    this.dataChanged();
  }

  /** The training fields' values by option name (what restore takes back). */
  values(): FormValues {
    return this.trainValues();
  }

  /** Disables the WebGPU and Both choices (no adapter) and selects CPU. */
  cpuOnly(): void {
    document.querySelectorAll<HTMLInputElement>('input[name=backend]').forEach((r) => {
      r.disabled = r.value !== 'cpu';
      r.checked = r.value === 'cpu';
    });
  }
}
