// What the target column means for a loss: regression values (checked against the loss's domain), or class
// labels mapped to class indices 0..K−1 in one streaming pass that finds the classes (numbers or text, sorted;
// two at most for a binary loss, the row of a third one named). The mapped source yields fresh arrays: inputs
// are never changed in place. Balanced class weights (--class-weight balanced) come from the same pass: each row's
// sample weight becomes n / (K · n_class) times the weight it had (as scikit-learn's class_weight='balanced').
import type { HostChunk, RowRecords } from '../core/dataset';
import { numberLabel, sortLabels } from '../core/labels';
import { LOSSES, type LossKind } from '../core/losses';
import type { DataSource, ReadOptions } from '../data/source';
import { allgatherJson, type Collective } from './collective';

/** Most classes a multiclass loss takes. */
export const MAX_CLASSES = 1000;
/** Numeric labels with more distinct values than this share of the rows (and than MIN_SUSPECT_CLASSES) are a regression target read as classes. */
export const CLASS_SHARE = 0.5;
const MIN_SUSPECT_CLASSES = 10;

/** A source whose targets suit a loss. */
export interface Targets {
  source: DataSource;
  /** Class labels in index order (classification), or null (regression). */
  classes: string[] | null;
  /** Outputs of the model: the number of classes for a multiclass loss, else 1. */
  outputs: number;
  /** Balanced class weights by class index (n / (K · n_class)), when asked for; else null. */
  classWeights?: Float64Array | null;
}

/** Which target preparation a loss needs: regression values, or classes. */
export function targetKind(loss: LossKind): 'regression' | 'classes' {
  return LOSSES[loss].task === 'regression' ? 'regression' : 'classes';
}

const classLosses = (): string => Object.entries(LOSSES).filter(([, u]) => u.task !== 'regression').map(([n]) => n).join(', ');

/**
 * A source that rewrites each chunk's targets with `map(value, row)` into a new array and, with `weightOf`, multiplies
 * each row's sample weight (1 when it had none) by the weight of its new target.
 */
function mapTargets(src: DataSource, map: (v: number, row: number) => number, extra: Partial<DataSource> = {}, weightOf?: (t: number) => number): DataSource {
  const remap = (c: HostChunk): HostChunk => {
    const y = new Float32Array(c.rows);
    const first = c.firstRow ?? 0;
    for (let i = 0; i < c.rows; i++) y[i] = map(c.y[i], first + i);
    if (!weightOf) return { ...c, y };
    const w = Float32Array.from(y, (t, i) => (c.w ? c.w[i] : 1) * weightOf(t));
    return { ...c, y, w };
  };
  return {
    description: src.description,
    features: src.features,
    target: src.target,
    get rows() { return src.rows; },
    get skipped() { return src.skipped; },
    ...(src.extras || weightOf ? { extras: { weight: !!weightOf || !!src.extras?.weight, offset: !!src.extras?.offset } } : {}),
    ...(src.sparse ? { sparse: src.sparse } : {}),
    async *read(opts) {
      for await (const c of src.read(opts)) yield remap(c);
    },
    ...(src.readRows ? { readRows: async (start: number, count: number) => remap(await src.readRows!(start, count)) } : {}),
    ...(src.readRowsInto ? {
      readRowsInto: async (start: number, count: number, into: HostChunk, featuresOnly?: boolean) => {
        await src.readRowsInto!(start, count, into, featuresOnly);
        if (!featuresOnly) for (let i = 0; i < count; i++) into.y[i] = map(into.y[i], start + i); // the caller's memory, not the input's
      },
    } : {}),
    ...(src.readTargets ? { readTargets: async function* (opts?: ReadOptions) { for await (const c of src.readTargets!(opts)) yield remap(c); } } : {}),
    ...(src.readFeaturesSync ? { readFeaturesSync: (start: number, count: number, into: HostChunk) => src.readFeaturesSync!(start, count, into) } : {}),
    ...(src.rowEntries ? { rowEntries: (start: number, count: number, select?: Uint8Array) => src.rowEntries!(start, count, select) } : {}),
    // Records hold no sample weights: a source that weights rows by their target reads them as chunks.
    ...(src.readRecordsInto && !weightOf ? {
      readRecordsInto: async (start: number, count: number, into: RowRecords, select?: Uint8Array) => {
        await src.readRecordsInto!(start, count, into, select);
        const f32 = into.f32;
        for (let i = 0, o = into.at + into.yAt; i < count; i++) {
          if (select && select[i] === 0) continue; // the rows taken are written one after another
          f32[o] = map(f32[o], start + i);
          o += into.stride;
        }
      },
    } : {}),
    ...(src.close ? { close: () => src.close!() } : {}),
    ...extra,
  };
}

/** The first of rows [from, count) whose value is neither a nor b (count when there is none). */
function skipKnown(y: ArrayLike<number>, count: number, from: number, a: number, b: number): number {
  let i = from;
  while (i < count && (y[i] === a || y[i] === b)) i++;
  return i;
}

/**
 * Prepares a source's targets for a loss. Regression: text labels are an error; values outside the loss's domain
 * (e.g. negative counts for poisson) stop with the row. Classification: one pass finds the classes; the returned
 * source yields class indices (and, with classWeight 'balanced', rows weighted by their class's balanced weight).
 * With `ranks`, each rank passes over its share and the classes (and class counts) are those of every rank.
 */
export async function prepareTargets(
  source: DataSource, loss: LossKind, signal?: AbortSignal, ranks?: Collective, classWeight: 'none' | 'balanced' = 'none',
): Promise<Targets> {
  const unit = LOSSES[loss];
  const where = (row: number) => `${source.description}: row ${row + 1} (target "${source.target}")`;
  if (unit.task === 'regression') {
    if (source.targetLabels) {
      throw new Error(`${source.description}: the target column "${source.target}" holds class labels, but --loss ${loss} is a ` +
        `regression loss; use a classification loss (${classLosses()})`);
    }
    const check = unit.checkTarget;
    if (!check) return { source, classes: null, outputs: 1 };
    return {
      source: mapTargets(source, (v, row) => {
        const why = check(v);
        if (why) throw new Error(`${where(row)}: ${why}`);
        return v;
      }),
      classes: null, outputs: 1,
    };
  }
  const max = unit.task === 'binary' ? 2 : MAX_CLASSES;
  const dict = source.targetLabels;
  // Targets repeat a few values: each value is spelled once (a million rows then cost a Map lookup each, not a string).
  const spelled = new Map<number, string>();
  const labelOf = (v: number): string => {
    if (dict) return dict[v];
    let label = spelled.get(v);
    if (label === undefined) {
      label = numberLabel(v);
      if (spelled.size < 4 * MAX_CLASSES) spelled.set(v, label);
    }
    return label;
  };
  const seen = new Map<string, number>(); // label → first row
  const counts = new Map<string, number>(); // label → rows (balanced class weights)
  const tooMany = (label: string, row: number) => {
    const found = [...seen.keys()].slice(0, max).map((l) => `"${l}"`).join(' and ');
    return new Error(unit.task === 'binary'
      ? `${where(row)}: a third class "${label}"; --loss ${loss} takes two classes (found ${found}); use --loss softmax for more`
      : `${where(row)}: more than ${max} classes; --loss ${loss} takes at most ${max}`);
  };
  let rows = 0;
  const counting = classWeight === 'balanced';
  // The last two values labelled: rows repeating them need no label (binary targets are two values; -0 === 0 as its label).
  let last0 = NaN;
  let last1 = NaN;
  // Only the targets are needed: a source that stores them apart (NPY's y file) reads them alone.
  for await (const c of (source.readTargets ?? source.read).call(source, { signal })) {
    const first = c.firstRow ?? 0;
    rows += c.rows;
    const next = (i: number) => (counting ? i : skipKnown(c.y, c.rows, i, last0, last1));
    for (let i = next(0); i < c.rows; i = next(i + 1)) {
      const v = c.y[i];
      last1 = last0;
      last0 = v;
      const label = labelOf(v);
      if (counting) counts.set(label, (counts.get(label) ?? 0) + 1);
      if (seen.has(label)) continue;
      if (!Number.isFinite(v)) throw new Error(`${where(first + i)}: a class label must be a finite number or text, got ${v}`);
      if (seen.size === max) throw tooMany(label, first + i);
      seen.set(label, first + i);
    }
  }
  if (ranks && ranks.size > 1) {
    // Every rank's labels, each at the first row any rank saw it.
    const all = await allgatherJson(ranks, { seen: [...seen], rows, counts: [...counts] });
    seen.clear();
    counts.clear();
    rows = 0;
    for (const r of all) {
      rows += r.rows;
      for (const [label, row] of r.seen) seen.set(label, Math.min(row, seen.get(label) ?? Infinity));
      for (const [label, n] of r.counts) counts.set(label, (counts.get(label) ?? 0) + n);
    }
    const order = [...seen].sort((a, b) => a[1] - b[1]);
    seen.clear();
    for (const [label, row] of order) seen.set(label, row);
    if (order.length > max) throw tooMany(order[max][0], order[max][1]);
  }
  const classes = sortLabels(seen.keys());
  const numeric = classes.every((l) => Number.isFinite(Number(l)));
  if (numeric && classes.length > Math.max(MIN_SUSPECT_CLASSES, CLASS_SHARE * rows)) {
    throw new Error(`${source.description}: the target column "${source.target}" has ${classes.length} distinct values in ${rows} rows ` +
      `(${Math.round((100 * classes.length) / rows)}%): too few rows per class to learn classes from; a numeric target wants a regression loss ` +
      `(${Object.entries(LOSSES).filter(([, u]) => u.task === 'regression').map(([n]) => n).slice(0, 3).join(', ')}, …) instead of --loss ${loss}`);
  }
  if (classes.length < 2) {
    throw new Error(`${source.description}: the target column "${source.target}" has ${classes.length ? `only one class ("${classes[0]}")` : 'no rows'}; ` +
      `classification needs at least two`);
  }
  const index = new Map(classes.map((l, i) => [l, i]));
  const classWeights = classWeight === 'balanced' ? Float64Array.from(classes, (l) => rows / (classes.length * counts.get(l)!)) : null;
  const indexOf = new Map<number, number>(); // value → class index, as labelOf's spellings
  // The last two values mapped and their indices, as in the pass above.
  let v0 = NaN, i0 = 0, v1 = NaN, i1 = 0;
  const mapped = mapTargets(source, (v, row) => {
    if (v === v0) return i0;
    if (v === v1) return i1;
    let i = indexOf.get(v);
    if (i === undefined) {
      i = index.get(labelOf(v));
      if (i === undefined) throw new Error(`${where(row)}: class "${labelOf(v)}" was not in the file's first pass (did the file change?)`);
      if (indexOf.size < 4 * MAX_CLASSES) indexOf.set(v, i);
    }
    [v1, i1, v0, i0] = [v0, i0, v, i];
    return i;
  }, {}, classWeights ? (t) => classWeights[t] : undefined);
  return { source: mapped, classes, outputs: unit.task === 'multiclass' ? classes.length : 1, classWeights };
}
