// The page's settings without the DOM. Training fields are core/spec.ts's option descriptors (TRAIN_OPTIONS):
// which of them apply to the chosen loss and penalty, and reading them into one TrainSpec through
// parseTrainSpec. The built-in datasets' fields are option descriptors too, checked the same way. Every bad value
// is an error naming the field and its bounds, never a silent replacement. Engine messages in the page's words.
import type { BackendKind } from '../../backend';
import { LOSSES, LOSS_NAMES, type LossKind, type Task } from '../../core/losses';
import { boundsText, optionLabel, OptionError, parseOptionValue, type NumberOption, type OptionDescriptor } from '../../core/options';
import { ENCODING_OPTIONS } from '../../core/encoding_options';
import { parseTrainSpec, TRAIN_OPTIONS, type TrainOption, type TrainSpec } from '../../core/spec';

/** Either a value or one message per bad field (keyed by the field's option name). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** Which backends a run trains on. */
export type BackendChoice = 'webgpu' | 'cpu' | 'both';

/**
 * Training options the page does not offer: host-update is the CLI's teaching mode (a readback every step);
 * class-weight needs the rows' weights loaded with them, which the page's resident data does not carry; how text
 * columns are encoded (one-hot or hashed, the hash bits) is the columns panel's choice, column by column.
 */
const NOT_ON_PAGE = new Set(['host-update', 'class-weight', ...ENCODING_OPTIONS.map((o) => o.name)]);

/** The training options the page shows, in TRAIN_OPTIONS order. */
export const PAGE_OPTIONS: readonly TrainOption[] = TRAIN_OPTIONS.filter((o) => !NOT_ON_PAGE.has(o.name));

/**
 * Options the page lists under "More training options" (seeds, schedules, averaging, clipping, early stopping):
 * rarely changed, so the everyday fields stay in view. Any other option, a new one included, is shown directly.
 */
export const MORE_OPTIONS: ReadonlySet<string> = new Set([
  'seed', 'shuffle', 'clip-norm', 'lr-schedule', 'warmup', 'decay', 'step-every', 'power', 'patience', 'tol',
  'average', 'average-start', 'early-stopping',
]);

/** The training fields as typed: option name → text (number and choice fields) or checked (boolean fields). */
export type FormValues = Readonly<Record<string, string | boolean | undefined>>;

/** The training form as read from the page. */
export interface TrainForm {
  values: FormValues;
  backend: BackendChoice;
}

/** A validated run: one training spec and the backends to train it on. */
export interface RunSettings {
  spec: TrainSpec;
  backends: BackendKind[];
}

/** What the user says the task is, by the chosen loss. */
export const TASK_LABEL: Record<Task, string> = {
  regression: 'Regression', binary: 'Binary classification', multiclass: 'Multiclass classification',
};

/** The losses grouped by task, in registry order, for the Loss select. */
export function lossGroups(): { task: Task; losses: { value: LossKind; label: string }[] }[] {
  return (['regression', 'binary', 'multiclass'] as const).map((task) => ({
    task, losses: LOSS_NAMES.filter((n) => LOSSES[n].task === task).map((value) => ({ value, label: LOSSES[value].title })),
  }));
}

/** The model a loss trains, in words (the page's Model line). */
export function modelLabel(loss: LossKind): string {
  const task = LOSSES[loss]?.task;
  return task === 'multiclass' ? 'Linear multiclass classifier (K outputs, one per class)'
    : task === 'binary' ? 'Linear binary classifier (one output)' : 'Linear regression (one output)';
}

/**
 * The spec the form's values make, for `appliesTo` (which fields to show): every valid value taken, a bad one left
 * at its default, and no rule between fields checked (parseTrainForm reports those).
 */
function choiceSpec(values: FormValues): TrainSpec {
  const spec = parseTrainSpec({}) as unknown as Record<string, unknown>;
  for (const o of PAGE_OPTIONS) {
    const v = values[o.name];
    if (v === undefined) continue;
    try {
      spec[o.key] = parseOptionValue(o, v);
    } catch (e) {
      if (!(e instanceof OptionError)) throw e;
    }
  }
  return spec as unknown as TrainSpec;
}

/** The options that apply to the form's choices (loss, penalty, optimizer, schedule, switches): the fields the page shows. */
export function applicableOptions(values: FormValues): TrainOption[] {
  const s = choiceSpec(values);
  return PAGE_OPTIONS.filter((o) => !o.appliesTo || o.appliesTo(s));
}

/** The page's label of an option: its label, with a one-letter Greek symbol when it has one ("Huber delta δ"). */
export function fieldLabel(o: OptionDescriptor): string {
  const sym = o.type === 'number' || o.type === 'integer' ? o.metavar : undefined;
  const label = optionLabel(o);
  // A label that already ends with its symbol ("Decay factor γ") keeps it once.
  return `${label}${sym && /^[α-ω]$/.test(sym) && !label.endsWith(` ${sym}`) ? ` ${sym}` : ''}`;
}

/** What a field accepts, in words, for its error message ("Learning rate α must be a number > 0; got "-1""). */
export function fieldMessage(o: OptionDescriptor, raw: unknown): string {
  const got = raw === '' || raw === undefined ? ' (it is empty)' : `; got "${String(raw)}"`;
  if (o.type === 'choice') return `${fieldLabel(o)} must be one of ${o.choices.join(', ')}${got}`;
  if (o.type === 'boolean') return `${fieldLabel(o)} must be on or off${got}`;
  if (o.type === 'text') return `${fieldLabel(o)} must be text${got}`;
  return `${fieldLabel(o)} must be ${boundsText(o)}${got}`;
}

/** The message for a bad field value, or '' when the descriptor accepts it. */
export function checkField(o: OptionDescriptor, raw: unknown): string {
  try {
    parseOptionValue(o, raw);
    return '';
  } catch (e) {
    if (e instanceof OptionError) return fieldMessage(o, raw);
    throw e;
  }
}

/** Reads the training form into one spec (parseTrainSpec over the fields that apply), or every field's error. */
export function parseTrainForm(f: TrainForm): Parsed<RunSettings> {
  const errors: Record<string, string> = {};
  const record: Record<string, string | boolean> = {};
  for (const o of applicableOptions(f.values)) {
    const raw = f.values[o.name];
    if (raw === undefined) continue;
    const message = checkField(o, raw);
    if (message) errors[o.name] = message;
    else record[o.name] = raw;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  let spec: TrainSpec;
  try {
    spec = parseTrainSpec(record);
  } catch (e) {
    if (e instanceof OptionError) return { ok: false, errors: { [e.option]: pageMessage(e.message) } };
    throw e;
  }
  const backends: BackendKind[] = f.backend === 'both' ? ['webgpu', 'cpu'] : [f.backend];
  return { ok: true, value: { spec, backends } };
}

/** The built-in datasets. */
export type SyntheticKind = 'line' | 'linear' | 'outliers' | 'binary' | 'blobs';
/** Real datasets that ship with the page. */
export type RealKind = 'flights';
/** Built-in datasets, bundled real data and files. */
export type DataKind = SyntheticKind | RealKind | 'file';

/** A built-in dataset's field: a number descriptor and the datasets it applies to. */
export type DataOption = NumberOption<'rows' | 'features' | 'classes' | 'noise' | 'outliers' | 'seed'> & { kinds: readonly SyntheticKind[] };

const ALL: readonly SyntheticKind[] = ['line', 'linear', 'outliers', 'binary', 'blobs'];

/** The most rows the page generates (the slider's end). */
export const ROWS_MAX = 4_000_000;
/** The fewest rows the page generates (the slider's start). */
export const ROWS_MIN = 100;

/** The built-in datasets' fields; the page's element ids are their names. */
export const DATA_OPTIONS: readonly DataOption[] = [
  { name: 'rows', key: 'rows', type: 'integer', default: 200, min: ROWS_MIN, max: ROWS_MAX, help: 'rows to generate', kinds: ALL },
  { name: 'features', key: 'features', type: 'integer', default: 8, min: 1, max: 256, help: 'feature columns', kinds: ['linear', 'outliers', 'binary', 'blobs'] },
  { name: 'classes', key: 'classes', type: 'integer', default: 3, min: 2, max: 10, help: 'number of blobs (classes)', kinds: ['blobs'] },
  { name: 'noise', key: 'noise', type: 'number', default: 1, min: 0, max: 1e6, label: 'Noise σ', help: 'standard deviation of the noise on y', kinds: ['line', 'linear', 'outliers'] },
  {
    name: 'outliers', key: 'outliers', type: 'number', default: 0.05, min: 0, max: 1, exclusive: { max: true }, label: 'Outlier share',
    help: 'fraction of rows whose y is moved far away', kinds: ['outliers'],
  },
  { name: 'data-seed', key: 'seed', type: 'integer', default: 1, min: 0, max: 2 ** 32 - 1, label: 'Data seed', help: 'seed of the generated rows', kinds: ALL },
];

/** A built-in dataset as the form describes it (fields that do not apply to its kind are absent). */
export interface SyntheticSpec {
  kind: SyntheticKind;
  rows: number;
  seed: number;
  features?: number;
  classes?: number;
  noise?: number;
  outliers?: number;
}

/** The most cells (rows × features) the page generates: 256 MiB of float32, held by the page and the worker. */
export const MAX_SYNTHETIC_CELLS = 2 ** 26;

/** Reads a built-in dataset's fields (option name → text), or each bad field's error. */
export function parseDataForm(kind: SyntheticKind, values: Readonly<Record<string, string | undefined>>): Parsed<SyntheticSpec> {
  const errors: Record<string, string> = {};
  const spec: Record<string, number> = {};
  for (const o of DATA_OPTIONS.filter((x) => x.kinds.includes(kind))) {
    const raw = (values[o.name] ?? String(o.default)).replace(/[,\s]/g, o.type === 'integer' ? '' : ' ').trim();
    const message = checkField(o, raw);
    if (message) errors[o.name] = message;
    else spec[o.key] = parseOptionValue(o, raw) as number;
  }
  if (!errors.rows && !errors.features && spec.rows * (spec.features ?? 1) > MAX_SYNTHETIC_CELLS) {
    errors.rows = `${spec.rows.toLocaleString('en-US')} rows × ${spec.features} features is more than the page generates ` +
      `(${MAX_SYNTHETIC_CELLS.toLocaleString('en-US')} values); use fewer rows or features`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { kind, ...spec } as SyntheticSpec };
}

/** What a built-in dataset is and the settings that train it in a few seconds (option name → field value). */
export interface DatasetInfo {
  label: string;
  /** The task of its target: regression values, or classes. */
  task: 'regression' | 'classification';
  data: Partial<Record<DataOption['name'], number>>;
  train: Record<string, string | boolean>;
}

/** The built-in datasets, in the order the Dataset select lists them. */
export const DATASETS: Record<SyntheticKind, DatasetInfo> = {
  line: {
    label: 'Line y = θ₀ + θ₁·x (one feature)', task: 'regression', data: { rows: 200, noise: 1, 'data-seed': 1 },
    train: { loss: 'squared', penalty: 'none', lr: '0.02', batch: '20', epochs: '150' },
  },
  linear: {
    label: 'Linear, many features', task: 'regression', data: { rows: 200_000, features: 8, noise: 0.1, 'data-seed': 1 },
    train: { loss: 'squared', penalty: 'none', lr: '0.05', batch: '1024', epochs: '10' },
  },
  outliers: {
    label: 'Linear with gross outliers (robust losses)', task: 'regression',
    data: { rows: 2000, features: 1, noise: 0.3, outliers: 0.05, 'data-seed': 1 },
    train: { loss: 'huber', penalty: 'none', lr: '0.1', batch: '128', epochs: '20' },
  },
  binary: {
    label: 'Two classes from a logistic model', task: 'classification', data: { rows: 5000, features: 2, 'data-seed': 3 },
    train: { loss: 'logistic', penalty: 'none', lr: '2', batch: '256', epochs: '10' },
  },
  blobs: {
    label: 'Gaussian blobs (K classes)', task: 'classification', data: { rows: 3000, features: 2, classes: 3, 'data-seed': 1 },
    train: { loss: 'softmax', penalty: 'none', lr: '0.2', batch: '256', epochs: '20' },
  },
};

/** A real dataset bundled with the page: what it is, where it comes from, and settings that train it well. */
export interface RealDatasetInfo {
  label: string;
  /** What the data is and what the fit means, in a sentence or two. */
  about: string;
  /** Its source and license, as checked. */
  license: string;
  train: Record<string, string | boolean>;
}

/** The real datasets, after the built-in ones in the Dataset select. */
export const REAL_DATASETS: Record<RealKind, RealDatasetInfo> = {
  flights: {
    label: 'US flights 2001: 3 million real delays',
    about: 'Three million US domestic flights, January to June 2001 (US Bureau of Transportation Statistics, via the vega-datasets ' +
      'package): the arrival delay in minutes predicted from the flight distance in miles and the departure hour. ' +
      'The weights say how many minutes of delay an hour later in the day, or a mile further, adds on average; ' +
      'R² stays small, since weather, airports and airlines explain most of a delay.',
    license: 'vega-datasets is BSD-3-Clause; the flight records are US federal government data (BTS on-time reports), ' +
      'in the public domain in the US.',
    train: { loss: 'squared', penalty: 'none', lr: '0.1', batch: '4096', epochs: '3', standardize: true, validation: '0' },
  },
};

/** Settings suggested for a file: standardized features, since a file's columns can have any scale. */
export const FILE_TRAIN: Record<string, string | boolean> = { lr: '0.05', batch: '256', epochs: '10', standardize: true };

/**
 * Settings suggested for a file of about `rows` rows: standardized features, a batch that grows with the data
 * (more rows per step, fewer steps) and epochs for about 3,000 steps in all (2 to 50), which SGD needs on
 * standardized features.
 */
export function suggestTraining(rows: number): Record<string, string | boolean> {
  const batch = rows < 2_000 ? 32 : rows < 20_000 ? 128 : rows < 200_000 ? 512 : rows < 2_000_000 ? 2048 : 4096;
  const steps = Math.max(1, Math.ceil(rows / batch));
  const epochs = Math.min(50, Math.max(2, Math.round(3000 / steps)));
  return { ...FILE_TRAIN, batch: String(batch), epochs: String(epochs) };
}

/** Rewrites the CLI flags an engine message quotes ("--lr 0.05", "--loss softmax") into the page's field names. */
export function pageMessage(text: string): string {
  return text.replace(/--([a-z][a-z0-9-]*)( [^\s,;:()`]+)?/g, (m, name: string, value: string | undefined) => {
    const o = TRAIN_OPTIONS.find((x) => x.name === name);
    if (!o) return m;
    const label = fieldLabel(o);
    if (o.type === 'boolean') return `“${label}”${value ?? ''}`;
    if (o.type === 'choice') return value ? `the ${value.trim()} ${label.toLowerCase()}` : label.toLowerCase();
    return `${label.toLowerCase()}${value && value.trim() !== o.metavar ? value : ''}`;
  });
}

/** When to use a loss, in the page's words (its README line). */
export function lossUse(loss: LossKind): string {
  return pageMessage(LOSSES[loss].doc.use).replace(/`/g, '');
}
