// Option descriptors: one declaration per setting (name, type, default, bounds, help) from which the CLI
// flags, the help text, the page's form fields, the model file and validation all come. No DOM or fs here.

/** A bad option value; the message names the option and what it accepts (the CLI exits with 2). */
export class OptionError extends Error {
  override name = 'OptionError';
  constructor(readonly option: string, message: string) {
    super(message);
  }
}

interface Common<K extends string> {
  /** The CLI flag without dashes, e.g. "huber-delta"; also the page field's id. */
  name: string;
  /** The field of the typed spec it fills. */
  key: K;
  /** One line of help. */
  help: string;
  /** The label on the page (default: derived from the name). */
  label?: string;
}

/** A real-valued option; bounds are inclusive unless `exclusive` names them. */
export interface NumberOption<K extends string = string> extends Common<K> {
  type: 'number' | 'integer';
  default: number;
  min?: number;
  max?: number;
  /** Which bounds are open: (min, max), [min, max), … */
  exclusive?: { min?: boolean; max?: boolean };
  /** A word accepted for +Infinity, e.g. "full" for the batch size. */
  infinity?: string;
  /** Shown in help for the value's unit or meaning (e.g. "τ"). */
  metavar?: string;
}

/** An on/off option; `negate` makes the CLI flag `--no-<name>` turn it off. */
export interface BooleanOption<K extends string = string> extends Common<K> {
  type: 'boolean';
  default: boolean;
}

/** One of a fixed list of names. */
export interface ChoiceOption<K extends string = string> extends Common<K> {
  type: 'choice';
  default: string;
  choices: readonly string[];
}

/** Any option descriptor. */
export type OptionDescriptor<K extends string = string> = NumberOption<K> | BooleanOption<K> | ChoiceOption<K>;

/** "[0, 1]", "(0, 1)", "≥ 1", "> 0" … */
export function boundsText(o: NumberOption): string {
  const lo = o.min, hi = o.max;
  const ex = o.exclusive ?? {};
  const kind = o.type === 'integer' ? 'an integer' : 'a number';
  let range = '';
  if (lo !== undefined && hi !== undefined) range = ` in ${ex.min ? '(' : '['}${lo}, ${hi}${ex.max ? ')' : ']'}`;
  else if (lo !== undefined) range = ` ${ex.min ? '>' : '≥'} ${lo}`;
  else if (hi !== undefined) range = ` ${ex.max ? '<' : '≤'} ${hi}`;
  return `${kind}${range}${o.infinity ? ` or "${o.infinity}"` : ''}`;
}

/** Parses one option value (a string from a CLI or form, or a value already typed); throws OptionError. */
export function parseOptionValue(o: OptionDescriptor, raw: unknown): number | boolean | string {
  const flag = `--${o.name}`;
  if (o.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    throw new OptionError(o.name, `${flag} expects true or false, got "${String(raw)}"`);
  }
  if (o.type === 'choice') {
    const s = String(raw).trim();
    if (o.choices.includes(s)) return s;
    throw new OptionError(o.name, `${flag} must be one of ${o.choices.join(', ')}; got "${s}"`);
  }
  const s = typeof raw === 'number' ? String(raw) : String(raw).trim().replace(/_/g, '');
  const v = o.infinity && (s === o.infinity || s === 'Infinity') ? Infinity : s === '' ? NaN : Number(s);
  const ex = o.exclusive ?? {};
  const bad =
    Number.isNaN(v) || (!Number.isFinite(v) && !(o.infinity && v === Infinity)) ||
    (o.type === 'integer' && Number.isFinite(v) && !Number.isInteger(v)) ||
    (o.min !== undefined && (ex.min ? !(v > o.min) : !(v >= o.min))) ||
    (o.max !== undefined && (ex.max ? !(v < o.max) : !(v <= o.max)));
  if (bad) throw new OptionError(o.name, `${flag} expects ${boundsText(o)}, got "${String(raw)}"`);
  return v;
}

/** A flat record of option values by key, defaults filled in, each checked against its descriptor. */
export function parseOptions<K extends string>(
  descriptors: readonly OptionDescriptor<K>[], record: Partial<Record<string, unknown>>,
): Record<K, number | boolean | string> {
  const out = {} as Record<K, number | boolean | string>;
  for (const o of descriptors) {
    const raw = record[o.key] ?? record[o.name];
    out[o.key] = raw === undefined || raw === null ? o.default : parseOptionValue(o, raw);
  }
  return out;
}

/** The help line of an option, as the CLI prints it. */
export function helpLine(o: OptionDescriptor): string {
  let flag: string;
  if (o.type === 'boolean') flag = o.default ? `--no-${o.name}` : `--${o.name}`;
  else if (o.type === 'choice') flag = `--${o.name} ${o.choices.join('|')}`;
  else flag = `--${o.name} ${o.metavar ?? (o.type === 'integer' ? 'N' : 'X')}`;
  const def = o.type === 'boolean' ? '' : ` (default ${o.type !== 'choice' && o.default === Infinity && o.infinity ? o.infinity : o.default})`;
  return `  ${flag.padEnd(24)} ${o.help}${def}`;
}

/** The label of an option on the page. */
export function optionLabel(o: OptionDescriptor): string {
  return o.label ?? o.name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
