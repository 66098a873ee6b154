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

/** Free text, e.g. a comma-separated list of column names (each use splits and checks it). */
export interface TextOption<K extends string = string> extends Common<K> {
  type: 'text';
  default: string;
  metavar?: string;
  infinity?: undefined;
}

/** Any option descriptor. */
export type OptionDescriptor<K extends string = string> = NumberOption<K> | BooleanOption<K> | ChoiceOption<K> | TextOption<K>;

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
  if (o.type === 'text') return (Array.isArray(raw) ? raw.join(',') : String(raw)).trim();
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
  else if (o.type === 'text') flag = `--${o.name} ${o.metavar ?? 'TEXT'}`;
  else flag = `--${o.name} ${o.metavar ?? (o.type === 'integer' ? 'N' : 'X')}`;
  const def = o.type === 'boolean' || (o.type === 'text' && o.default === '') ? '' : ` (default ${o.type !== 'choice' && o.default === Infinity && o.infinity ? o.infinity : o.default})`;
  return `  ${flag.padEnd(24)} ${o.help}${def}`;
}

/** The label of an option on the page. */
export function optionLabel(o: OptionDescriptor): string {
  return o.label ?? o.name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Edit distance between two names (insertions, deletions, substitutions; a swap of neighbours counts one). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate a mistyped name most likely meant: the closest by edit distance (case and dashes ignored) within a
 * third of its length, or one that contains it or is contained in it; null when none is close.
 */
export function nearestName(name: string, candidates: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const n = norm(name);
  if (aliases[n]) return aliases[n];
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(n, norm(c));
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== null && bestD <= Math.max(1, Math.floor(n.length / 3))) return best;
  const within = candidates.find((c) => n.length >= 3 && (norm(c).includes(n) || n.includes(norm(c))));
  return within ?? null;
}

/** ", did you mean X?" for a mistyped name, or an empty string. */
export function didYouMean(name: string, candidates: readonly string[], aliases: Readonly<Record<string, string>> = {}, prefix = ''): string {
  const n = nearestName(name, candidates, aliases);
  return n === null ? '' : `; did you mean ${prefix}${n}?`;
}
