// The in-memory shape of training data that sources produce and backends consume.
import type { Csr } from './csr';
import type { SparseSchema } from './encoding';
import type { ColumnStats } from './stats';

/** A block of rows: x is row-major rows × d float32, y has one target per row. */
export interface HostChunk {
  rows: number;
  x: Float32Array;
  y: Float32Array;
  /** Index of this chunk's first row in its source (for row-keyed holdout); 0 when unknown. */
  firstRow?: number;
  /** Per-row sample weights (≥ 0; the objective becomes Σ w·L / Σ w), when the source has them (RowExtras.weight). */
  w?: Float32Array;
  /** Per-row offsets added to every output (z = x·w + b + o, e.g. log exposure), when the source has them. */
  o?: Float32Array;
  /** The sparse block of each row (categorical or svmlight features; core/csr.ts), when the source has one. */
  sparse?: Csr;
  /**
   * The chunk's arrays were made for it alone and nothing else keeps or changes them (a .dh cache's rows): a store
   * may keep them without a copy.
   */
  owned?: boolean;
  /**
   * A view of a backend's own memory (ChunkStore.slotView) may bring a faster test of the readers' value rule for
   * subarrays of its x: whether every value is finite (WebAssembly SIMD on the fast CPU backend).
   */
  allFinite?: (values: Float32Array) => boolean;
}

/** How many entries rows with a sparse block hold: the most one row holds, all of them, and whether they carry values. */
export interface RowEntries {
  most: number;
  nnz: number;
  valued: boolean;
}

/**
 * Rows with a sparse block laid out as records in a backend's own memory (ChunkStore.recordView), which a source
 * writes directly (DataSource.readRecordsInto): row r's record starts at word at + r·stride of the views, x's d
 * values first, then y at word yAt of the record, the row's count of entries at nAt, its S indices after it and,
 * valued, each index's value S words after it. The views may change between reads (take them afresh after an await).
 */
export interface RowRecords {
  rows: number;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  at: number;
  stride: number;
  yAt: number;
  nAt: number;
  S: number;
  valued: boolean;
  /** The backend's own decoder of sparse cache blocks into these records, where it has one (the fast CPU backend's kernel). */
  readonly blocks?: RecordDecoder;
  /**
   * Where the backend computes them itself: the statistics of the columns at these word offsets of every record (x's
   * at 0…d − 1, y's at yAt), as core/stats.ts ColumnSet.addRows gives them, bit for bit.
   */
  readonly columnStats?: (offsets: readonly number[]) => ColumnStats[];
}

/**
 * Decodes blocks of a .dh cache's sparse rows (layout 3: dense values, offsets, indices, values; data/cache_csr.ts)
 * straight into row records, in the backend's memory: the source reads a block into `buffer`, then `decode` checks it
 * as the source's own decoder would and writes its rows [from, to) from record `row` on.
 */
export interface RecordDecoder {
  /** bytes of the backend's memory to read a block into, 4-byte aligned (valid until the next call). */
  buffer(bytes: number): Uint8Array;
  /**
   * 0 when written; 1 when a check failed (nothing written); 2 when a row holds more than S entries. kind: 0
   * indicators, 1 f32, 2 f16. With `select`, only rows r whose select[r − from] is not 0, one after another.
   */
  decode(n: number, d: number, kind: number, width: number, from: number, to: number, row: number, select?: Uint8Array): number;
  /** Frees the buffer (the source has read every block it will). */
  release(): void;
}

/** Which per-row values beside the target a source's chunks carry (and a store keeps): sample weights, offsets. */
export interface RowExtras {
  readonly weight: boolean;
  readonly offset: boolean;
}

/** No per-row values beside the target. */
export const NO_EXTRAS: RowExtras = { weight: false, offset: false };

/** Whether two layouts of per-row values are the same. */
export function sameExtras(a: RowExtras, b: RowExtras): boolean {
  return a.weight === b.weight && a.offset === b.offset;
}

/** Rows [from, to) of a chunk's per-row values beside x and y (views, not copies). */
export function extrasOf(c: HostChunk, from: number, to: number): Pick<HostChunk, 'w' | 'o'> {
  return { ...(c.w ? { w: c.w.subarray(from, to) } : {}), ...(c.o ? { o: c.o.subarray(from, to) } : {}) };
}

/** Throws unless a chunk carries exactly the per-row values a store keeps (at least one per row). */
export function checkExtras(c: HostChunk, extras: RowExtras): void {
  for (const [key, want, what] of [['w', extras.weight, 'sample weights'], ['o', extras.offset, 'offsets']] as const) {
    const v = c[key];
    if (want ? !(v && v.length >= c.rows) : v !== undefined) {
      throw new Error(`the store ${want ? 'keeps' : 'has no room for'} ${what}; a chunk ${want ? 'without them' : 'with them'} cannot be loaded`);
    }
  }
}

/** A dataset held as chunks, with feature names. */
export interface Dataset {
  features: string[];
  target: string;
  rows: number;
  chunks: HostChunk[];
  /** Every chunk carries a sparse block of this schema (core/encoding.ts). */
  sparse?: SparseSchema;
}
