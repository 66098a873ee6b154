// Sample weights and offsets from named columns: a source whose features include the weight column (--weight) and
// the offset column (--offset) becomes one whose chunks carry them as HostChunk.w and .o, those columns removed from
// the features. Every file format works alike (the columns are read as features are: CSV, Parquet, NPY by name or
// index, an f32 .dh cache). A weight must be finite and ≥ 0: anything else stops with the file, row and column.
import type { HostChunk, RowExtras } from '../core/dataset';
import type { F64Chunk, F64Rows } from './csv_f64';
import { DataError, nameList, quoteValue } from './csv';
import type { DataSource } from './source';

/** The columns that hold each row's sample weight and offset (by feature name; an NPY column also by index). */
export interface RowColumns {
  weight?: string;
  offset?: string;
}

/** Where the named columns are among a source's features, and which features remain. */
export interface ColumnPicks {
  weight: number;
  offset: number;
  /** Indices of the remaining features, in order. */
  keep: Int32Array;
}

/** Finds the named columns among `features` (a name, or a 0-based index when no feature has that name). */
export function pickColumns(description: string, features: readonly string[], target: string, c: RowColumns): ColumnPicks {
  const find = (name: string | undefined, flag: string): number => {
    if (name === undefined) return -1;
    if (name === target) throw new DataError(description, null, null, `--${flag} ${quoteValue(name)} is the target column; name another column`);
    let at = features.indexOf(name);
    if (at < 0 && /^\d+$/.test(name) && Number(name) < features.length) at = Number(name);
    if (at < 0) {
      throw new DataError(description, null, null, `--${flag}: there is no column ${quoteValue(name)} among the features (${nameList(features)})`);
    }
    return at;
  };
  const weight = find(c.weight, 'weight');
  const offset = find(c.offset, 'offset');
  if (weight >= 0 && weight === offset) throw new DataError(description, null, null, `--weight and --offset name the same column ${quoteValue(features[weight])}`);
  const keep = Int32Array.from(features.map((_, j) => j).filter((j) => j !== weight && j !== offset));
  if (keep.length === 0) throw new DataError(description, null, null, 'no feature columns are left besides the weight and offset columns');
  return { weight, offset, keep };
}

/** Throws a DataError at the first weight that is negative or not finite (`firstRow`: 0-based index of row 0). */
export function checkWeights(description: string, w: ArrayLike<number>, rows: number, firstRow: number, column: string): void {
  for (let i = 0; i < rows; i++) {
    const v = w[i];
    if (v >= 0 && v < Infinity) continue;
    throw new DataError(description, firstRow + i + 1, quoteValue(column), `a sample weight must be a finite number ≥ 0, got ${v}`, 'row');
  }
}

/** Splits row-major x (rows × d) into the kept features and the weight and offset columns. */
function splitRows<T extends Float32Array | Float64Array>(x: T, rows: number, d: number, p: ColumnPicks, make: (n: number) => T): { x: T; w?: T; o?: T } {
  const k = p.keep.length;
  const out = make(rows * k);
  const w = p.weight >= 0 ? make(rows) : undefined;
  const o = p.offset >= 0 ? make(rows) : undefined;
  for (let r = 0; r < rows; r++) {
    const at = r * d;
    for (let j = 0; j < k; j++) out[r * k + j] = x[at + p.keep[j]];
    if (w) w[r] = x[at + p.weight];
    if (o) o[r] = x[at + p.offset];
  }
  return { x: out, ...(w ? { w } : {}), ...(o ? { o } : {}) };
}

/** A source whose weight and offset columns are taken out of the features into each chunk's w and o. */
export function withRowColumns(source: DataSource, c: RowColumns): DataSource {
  if (c.weight === undefined && c.offset === undefined) return source;
  if ((source as { dtype?: string }).dtype === 'f16') {
    throw new DataError(source.description, null, null, 'this .dh cache holds its columns as halves (--dtype f16); a weight or offset column needs ' +
      'its values as written: convert the data again with --dtype f32');
  }
  if (source.extras?.weight || source.extras?.offset) {
    throw new DataError(source.description, null, null, 'the rows already carry sample weights or offsets; name no --weight or --offset column');
  }
  const d = source.features.length;
  const p = pickColumns(source.description, source.features, source.target, c);
  const features = Array.from(p.keep, (j) => source.features[j]);
  const wName = p.weight >= 0 ? source.features[p.weight] : '';
  const split = (ch: HostChunk): HostChunk => {
    const s = splitRows(ch.x, ch.rows, d, p, (n) => new Float32Array(n));
    if (s.w) checkWeights(source.description, s.w, ch.rows, ch.firstRow ?? 0, wName);
    return { rows: ch.rows, x: s.x, y: ch.y, ...(ch.firstRow !== undefined ? { firstRow: ch.firstRow } : {}), ...(s.w ? { w: s.w } : {}), ...(s.o ? { o: s.o } : {}), ...(ch.sparse ? { sparse: ch.sparse } : {}) };
  };
  const extras: RowExtras = { weight: p.weight >= 0, offset: p.offset >= 0 };
  return {
    description: source.description, features, target: source.target, extras,
    get rows() { return source.rows; },
    get targetLabels() { return source.targetLabels; },
    get skipped() { return source.skipped; },
    ...(source.hasTarget !== undefined ? { hasTarget: source.hasTarget } : {}),
    ...(source.files ? { files: source.files } : {}),
    ...(source.sparse ? { sparse: source.sparse } : {}),
    ...(source.rowGroups ? { rowGroups: source.rowGroups } : {}),
    ...(source.part ? { part: (part: number, parts: number) => withRowColumns(source.part!(part, parts), c) } : {}),
    async *read(opts) {
      for await (const ch of source.read(opts)) yield split(ch);
    },
    ...(source.readRows ? { readRows: async (start: number, count: number) => split(await source.readRows!(start, count)) } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}

/** A chunk of f64 rows with its weights and offsets (the exact solver's f64 path). */
export interface F64ChunkWith extends F64Chunk {
  w?: Float64Array;
  o?: Float64Array;
}

/** The f64 rows of a source whose features are `features`, with the weight and offset columns taken out. */
export function f64WithRowColumns(rows: F64Rows, description: string, features: readonly string[], target: string, c: RowColumns): F64Rows {
  if (c.weight === undefined && c.offset === undefined) return rows;
  const d = features.length;
  const p = pickColumns(description, features, target, c);
  const wName = p.weight >= 0 ? features[p.weight] : '';
  return {
    async *readF64(o) {
      for await (const ch of rows.readF64(o)) {
        const s = splitRows(ch.x, ch.rows, d, p, (n) => new Float64Array(n));
        if (s.w) checkWeights(description, s.w, ch.rows, ch.firstRow, wName);
        yield { rows: ch.rows, x: s.x, y: ch.y, firstRow: ch.firstRow, ...(s.w ? { w: s.w } : {}), ...(s.o ? { o: s.o } : {}) } as F64ChunkWith;
      }
    },
  };
}
