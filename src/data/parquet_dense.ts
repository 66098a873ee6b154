// The dense feature slots of a Parquet file: numeric columns, and indicator features "column=level" that encode a text
// column one-hot the way the CSV reader does (csv_plan.ts: 1 where the cell holds the level, else 0), so a model trained
// on them is applied to a Parquet file by name, like any feature. A missing cell of an indicator's column sets none of its
// indicators (the CSV reader's rule for a filled blank); a missing number is an error (Parquet has no blank policy).
// Also the column checks and label text every Parquet reader shares.
import type { SchemaElement } from 'hyparquet';
import { columnLabel, DataError, nameList, quoteValue } from './csv';
import { indicatorOf } from './csv_plan';
import { numberLabel } from '../core/labels';
import { textTargetHint } from './target_labels';
import { badValueReason, isF32 } from './values';

/** Column types a numeric feature may have. */
export const NUMERIC = new Set(['FLOAT', 'DOUBLE', 'INT32', 'INT64', 'BOOLEAN']);
/** Column types a label target may have: numbers, booleans ("false", "true") and text. */
const LABEL_TYPES = new Set([...NUMERIC, 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY']);

/** The label text of a target value as hyparquet decodes it ('' when missing: the dictionary's blank cell). */
export function labelText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return numberLabel(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

/** Throws unless a column holds what its role needs: numbers, or for a label target any of LABEL_TYPES. */
export function checkColumn(file: string, col: SchemaElement, isTarget: boolean, labels: boolean): void {
  const types = isTarget && labels ? LABEL_TYPES : NUMERIC;
  if (col.type && types.has(col.type) && !col.num_children) return;
  const found = col.type ?? 'a nested column';
  const text = isTarget && !labels && (col.type === 'BYTE_ARRAY' || col.type === 'FIXED_LEN_BYTE_ARRAY');
  throw new DataError(file, null, col.name, `expected a ${types === LABEL_TYPES ? 'label' : 'numeric'} column, found ${found}${text ? textTargetHint() : ''}`);
}

/** Where one file column's values go: a numeric slot, or indicator slots by level. */
interface ColumnSlots {
  slot: number | null;
  levels: Map<string, number> | null;
}

/** The dense slots of a list of features over a file's top-level columns. */
export class ParquetDense {
  /** The file columns the slots read, in first-use order. */
  readonly columns: string[];
  private readonly slots: Map<string, ColumnSlots>;

  /** Resolves each feature (a column, or "column=level"); errors name the file and the feature. */
  constructor(private readonly file: string, schema: ReadonlyMap<string, SchemaElement>, readonly features: readonly string[]) {
    this.slots = new Map();
    const all = [...schema.keys()];
    const names = new Set(all);
    features.forEach((f, k) => {
      const ind = indicatorOf(names, f);
      const col = ind ? ind.column : f;
      const el = schema.get(col);
      if (!el) throw new DataError(file, null, columnLabel(f), `feature column ${quoteValue(f)} is not in the file; columns are: ${nameList(all)}`);
      if (el.num_children === -1) throw new DataError(file, null, columnLabel(col), `duplicate column name: the file has more than one column named ${quoteValue(col)}`);
      // An indicator reads any flat column as labels (text, numbers, booleans); a plain feature must be numeric.
      checkColumn(file, el, ind !== null, ind !== null);
      const s = this.slots.get(col) ?? { slot: null, levels: null };
      const twice = ind ? s.slot !== null || s.levels?.has(ind.level) : s.slot !== null || s.levels !== null;
      if (twice) throw new DataError(file, null, columnLabel(col), `feature column ${quoteValue(f)} is listed twice`);
      if (ind) (s.levels ??= new Map()).set(ind.level, k);
      else s.slot = k;
      this.slots.set(col, s);
    });
    this.columns = [...this.slots.keys()];
  }

  /** Whether a file column feeds dense slots. */
  has(column: string): boolean {
    return this.slots.has(column);
  }

  /**
   * Writes rows [lo, hi) of a column (its data starting at row `first`) into x (rows from `start`, d = features per row);
   * a missing or non-float32 number is a DataError naming its row.
   */
  fill(column: string, data: ArrayLike<unknown>, first: number, lo: number, hi: number, start: number, x: Float32Array): void {
    const s = this.slots.get(column)!;
    const d = this.features.length;
    if (s.levels) {
      for (let r = lo; r < hi; r++) {
        const v = data[r - first];
        if (v === null || v === undefined) continue;
        const k = s.levels.get(labelText(v));
        if (k !== undefined) x[(r - start) * d + k] = 1;
      }
      return;
    }
    const j = s.slot!;
    for (let r = lo; r < hi; r++) {
      const v = data[r - first];
      const num = v === null || v === undefined ? NaN : Number(v);
      if (!isF32(num)) throw new DataError(this.file, r + 1, columnLabel(column), v == null ? 'missing value; expected a number' : badValueReason(num), 'row');
      x[(r - start) * d + j] = num;
    }
  }
}
