// What the columns panel decides, without the DOM: for each column of a file whether it is used and, for a text
// column, how it is encoded; blank cells skipped or filled with the column's mean; and from those choices the
// reader's options (src/data's CSV table options: features, "column=level" indicators, the missing-value policy,
// decimal commas) with the reason each left-out column is left out.
//
// Text columns: one-hot is done by the reader (src/data/csv_table.ts), as indicators named "column=level", for at
// most ONE_HOT_MAX levels; the first level (in file order) is the reference and gets no indicator, so that with the
// intercept the columns are not collinear (the exact least-squares answer stays defined). Hashing is recorded as
// the column's choice, but until the engine reads categorical columns (issue 18) such a column is left out, and
// the panel says so. Nothing here trains.
import type { CsvProfile, ColumnProfile } from '../../data/csv_profile';
import type { MissingPolicy } from '../../data/csv_plan';

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

/** The panel's choices for one file. */
export interface TableChoices {
  columns: Record<string, ColumnChoice>;
  missing: MissingChoice;
}

/** The reader's options for a file's table. */
export interface TableOptions {
  features: string[];
  missing: MissingPolicy;
  fill?: Record<string, number>;
  decimalComma: boolean;
}

/** The choices' outcome: the reader's options and what was left out, with why. */
export interface TablePlan extends TableOptions {
  left: { name: string; why: string }[];
  /** The profile is of the first lines only, and the choices need every line (levels of one-hot columns, or means). */
  needsPass: boolean;
}

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

/** The default choices: ids, constants and mostly blank columns left out, text one-hot, blank rows skipped. */
export function defaultChoices(p: CsvProfile): TableChoices {
  const columns = Object.fromEntries(p.columns.map((c) => [c.name, { use: c.why === null, encoding: 'one-hot' as Encoding }]));
  return { columns, missing: 'skip' };
}

/** Why a used text column cannot be read as the choice asks, or null. */
export function textProblem(c: ColumnProfile, encoding: Encoding): string | null {
  if (encoding === 'hashing') return 'hashing is not offered on the page yet (the CLI\'s --hashed does it): left out; choose one-hot';
  if (c.moreLevels || c.levels.length > ONE_HOT_MAX) return `${levelCount(c)}: more than the ${ONE_HOT_MAX} one-hot reads here: left out`;
  if (c.levels.length < 2) return 'a single level: nothing to encode';
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

/** The reader's options for the choices, with the target apart; `textWhy` leaves out every text column (Parquet). */
export function tablePlan(p: CsvProfile, target: string, choices: TableChoices, textWhy?: string): TablePlan {
  const features: string[] = [];
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
    const problem = textWhy ?? textProblem(c, choice.encoding);
    if (problem) left.push({ name: c.name, why: problem });
    else {
      oneHot = true;
      features.push(...c.levels.slice(1).map((l) => `${c.name}=${l}`));
    }
  }
  const mean = choices.missing === 'mean';
  const fill = mean ? Object.fromEntries(p.columns.filter((c) => c.numeric && features.includes(c.name)).map((c) => [c.name, c.mean])) : undefined;
  return {
    features, missing: mean ? 'fill' : 'skip', ...(fill ? { fill } : {}), decimalComma: p.decimalComma, left,
    needsPass: !p.complete && (oneHot || mean),
  };
}
