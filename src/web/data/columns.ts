// What the columns panel decides, without the DOM: for each column of a file whether it is used and, for a text
// column, how it is encoded; blank cells skipped or filled with the column's mean; the hash bits; and from those
// choices the reader's options (src/data's CSV table options: features, "column=level" indicators, hashed columns,
// the missing-value policy, decimal commas) with the reason each left-out column is left out.
//
// Text columns: one-hot is done by the reader (src/data/csv_table.ts), as indicators named "column=level", for at
// most ONE_HOT_MAX levels; the first level (in file order) is the reference and gets no indicator, so that with the
// intercept the columns are not collinear (the exact least-squares answer stays defined). Hashing is the CLI's
// --hashed: MurmurHash3 of each value into 2^b signed buckets, a sparse block beside the dense columns
// (core/encoding.ts; data/csv_encoded.ts reads it); a column with more levels than one-hot reads is hashed by
// default. Nothing here trains.
import type { CsvProfile, ColumnProfile } from '../../data/csv_profile';
import type { MissingPolicy } from '../../data/csv_plan';
import { ENCODING_OPTIONS } from '../../core/encoding_options';
import { checkField } from '../form/settings';

/** The most levels a text column is read one-hot with. */
export const ONE_HOT_MAX = 50;

/** How a text column becomes features. */
export type Encoding = 'one-hot' | 'hashing';

/** One column's choice. */
export interface ColumnChoice {
  use: boolean;
  encoding: Encoding;
}

/** What blank cells become: their rows skipped (counted), or the column's mean. */
export type MissingChoice = 'skip' | 'mean';

/** The panel's choices for one file; `hashBits` as typed (the hash-bits option's rules check it). */
export interface TableChoices {
  columns: Record<string, ColumnChoice>;
  missing: MissingChoice;
  hashBits: string;
}

/** The reader's options for a file's table: dense features, and the text columns hashed into 2^hashBits buckets. */
export interface TableOptions {
  features: string[];
  missing: MissingPolicy;
  fill?: Record<string, number>;
  decimalComma: boolean;
  /** Text columns hashed (in file order), absent when none. */
  hashed?: string[];
  hashBits?: number;
}

/** The choices' outcome: the reader's options and what was left out, with why. */
export interface TablePlan extends TableOptions {
  left: { name: string; why: string }[];
  /** The profile is of the first lines only, and the choices need every line (levels of one-hot columns, or means). */
  needsPass: boolean;
  /** Why the hash bits cannot be used (columns are hashed and the bits are not an integer from 1 to 30), or null. */
  hashProblem: string | null;
}

/** The hash-bits option (the CLI's --hash-bits): its default, bounds and message. */
export const HASH_BITS = ENCODING_OPTIONS.find((o) => o.name === 'hash-bits')!;

/** Levels of a column as a count ("3 levels", "over 1,000 levels"). */
export function levelCount(c: ColumnProfile): string {
  return c.moreLevels ? `over ${c.levels.length.toLocaleString('en-US')} levels` : `${c.levels.length} level${c.levels.length === 1 ? '' : 's'}`;
}

/** The type the panel shows for a column. */
export function typeText(c: ColumnProfile): string {
  switch (c.kind) {
    case 'number': return c.blank ? `number, ${c.blank.toLocaleString('en-US')} blank` : 'number';
    case 'text': return `text, ${levelCount(c)}`;
    case 'constant': return 'constant';
    case 'missing': return 'mostly missing';
    case 'id': return 'identifier';
  }
}

/** The first suitable target: the last column that is a number or text (not an id, a constant or mostly blank). */
export function defaultTarget(p: CsvProfile): string {
  const ok = [...p.columns].reverse().find((c) => c.kind === 'number' || c.kind === 'text');
  return (ok ?? p.columns[p.columns.length - 1]).name;
}

/** Whether a column has more levels than one-hot reads here. */
const manyLevels = (c: ColumnProfile): boolean => c.moreLevels || c.levels.length > ONE_HOT_MAX;

/**
 * The default choices: ids, constants and mostly blank columns left out, text one-hot (hashed when it has more levels
 * than one-hot reads), blank rows skipped, the CLI's hash bits.
 */
export function defaultChoices(p: CsvProfile): TableChoices {
  const columns = Object.fromEntries(p.columns.map((c) => [c.name, { use: c.why === null, encoding: (!c.numeric && manyLevels(c) ? 'hashing' : 'one-hot') as Encoding }]));
  return { columns, missing: 'skip', hashBits: String(HASH_BITS.default) };
}

/** Why a used text column cannot be read as the choice asks, or null. */
export function textProblem(c: ColumnProfile, encoding: Encoding): string | null {
  if (!c.moreLevels && c.levels.length < 2) return 'a single level: nothing to encode';
  if (encoding === 'one-hot' && manyLevels(c)) return `${levelCount(c)}: more than the ${ONE_HOT_MAX} one-hot reads here: left out; choose hashing`;
  return null;
}

/** What a target column holds, as far as the profile knows: text or numbers, and its distinct values (null: many). */
export interface TargetInfo {
  text: boolean;
  classes: number | null;
}

/** The target's info from a profile. */
export function targetInfo(p: CsvProfile, target: string): TargetInfo | null {
  const c = p.columns.find((x) => x.name === target);
  if (!c || c.cells === 0) return null;
  return { text: !c.numeric, classes: c.moreLevels ? null : c.levels.length };
}

/** The reader's options for the choices, with the target apart (a CSV's or a Parquet file's profile alike). */
export function tablePlan(p: CsvProfile, target: string, choices: TableChoices): TablePlan {
  const features: string[] = [];
  const hashed: string[] = [];
  const left: TablePlan['left'] = [];
  let oneHot = false;
  for (const c of p.columns) {
    if (c.name === target) continue;
    const choice = choices.columns[c.name] ?? { use: c.why === null, encoding: 'one-hot' };
    if (!choice.use) {
      left.push({ name: c.name, why: c.why ?? 'left out' });
      continue;
    }
    if (c.numeric || (c.cells > 0 && c.cells === c.blank)) {
      features.push(c.name);
      continue;
    }
    const problem = textProblem(c, choice.encoding);
    if (problem) left.push({ name: c.name, why: problem });
    else if (choice.encoding === 'hashing') hashed.push(c.name);
    else {
      oneHot = true;
      features.push(...c.levels.slice(1).map((l) => `${c.name}=${l}`));
    }
  }
  const mean = choices.missing === 'mean';
  const fill = mean ? Object.fromEntries(p.columns.filter((c) => c.numeric && features.includes(c.name)).map((c) => [c.name, c.mean])) : undefined;
  const bitsWhy = hashed.length ? checkField(HASH_BITS, choices.hashBits.trim()) : '';
  return {
    features, missing: mean ? 'fill' : 'skip', ...(fill ? { fill } : {}), decimalComma: p.decimalComma, left,
    ...(hashed.length ? { hashed, hashBits: bitsWhy ? HASH_BITS.default as number : Number(choices.hashBits.trim()) } : {}),
    needsPass: !p.complete && (oneHot || mean), hashProblem: bitsWhy || null,
  };
}
