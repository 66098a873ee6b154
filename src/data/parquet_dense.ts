// The dense feature slots of a Parquet file: numeric columns, and indicator features "column=level" that encode a text
// column one-hot the way the CSV reader does (csv_plan.ts: 1 where the cell holds the level, else 0), so a model trained
// on them is applied to a Parquet file by name, like any feature. A missing cell of an indicator's column sets none of its
// indicators (the CSV reader's rule for a filled blank); a missing number is an error (Parquet has no blank policy).
import type { SchemaElement } from 'hyparquet';
import { columnLabel, DataError, nameList, quoteValue } from './csv';
import { indicatorOf } from './csv_plan';
import { checkColumn, labelText } from './parquet';
import { badValueReason, isF32 } from './values';

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
