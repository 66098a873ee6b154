// The one data-source interface: an async stream of row chunks (float32 features + targets) with feature
// names and the row count when known. Every source (memory, synthetic, CSV, NPY, binary cache, a browser
// File) implements it; the training loop reads it one pass per epoch or once into GPU memory.
import { extrasOf, type Dataset, type HostChunk, type RowEntries, type RowExtras, type RowRecords } from '../core/dataset';
import { sliceCsr, concatCsr } from '../core/csr';
import type { SparseSchema } from '../core/encoding';

export type { SparseSchema } from '../core/encoding';

/** Options for one pass over a source. */
export interface ReadOptions {
  /** Largest chunk to yield, in rows (sources may yield smaller ones). */
  maxRows?: number;
  signal?: AbortSignal;
}

/** A re-readable stream of rows. */
export interface DataSource {
  /** What it reads, for messages: a path, a file name, "synthetic 1M × 16". */
  readonly description: string;
  readonly features: readonly string[];
  readonly target: string;
  /** Rows, when known before a pass (memory, NPY, cache); null until a CSV pass has finished. */
  readonly rows: number | null;
  /** One pass over every row in order; chunks carry `firstRow`. Each call starts a new, independent pass. */
  read(opts?: ReadOptions): AsyncIterable<HostChunk>;
  /** Random access to rows [start, start + count) where the format allows it (memory, NPY, cache). */
  readRows?(start: number, count: number): Promise<HostChunk>;
  /**
   * Part `part` of `parts` of a text file without random access (CSV): a byte range of whole lines, found without
   * reading the rest; its rows in file order, `firstRow` counted from the part's first row. Distributed runs share
   * out such files by parts.
   */
  part?(part: number, parts: number): DataSource;
  /** Rows of each row group (Parquet): a distributed run cuts its shares at their boundaries where it can. */
  readonly rowGroups?: readonly number[];
  /**
   * Reads rows [start, start + count) into `into` (x: count × D values, y: count) — memory the caller owns, e.g. a
   * backend's own (ChunkStore.slotView) — where the format can read them there without a buffer of its own (NPY).
   * `featuresOnly`: x alone (into.y is left as it is), for a reader that kept the targets from an earlier read.
   */
  readRowsInto?(start: number, count: number, into: HostChunk, featuresOnly?: boolean): Promise<void>;
  /**
   * readRowsInto(…, featuresOnly) blocking, where the format can (float32 NPY once its files are open: false before,
   * reading nothing): for a caller whose threads sum one part of the rows while it reads the next, without a turn of
   * the event loop between (each turn waits for the CPU on a loaded machine).
   */
  readFeaturesSync?(start: number, count: number, into: HostChunk): boolean;
  /**
   * How many entries rows [start, start + count) of a sparse block hold — only those whose select[r − start] is not 0
   * where `select` is given — where the format tells it without decoding them (a .dh cache).
   */
  rowEntries?(start: number, count: number, select?: Uint8Array): Promise<RowEntries>;
  /**
   * Reads rows [start, start + count) with a sparse block (only those whose select[r − start] is not 0, one after
   * another, where `select` is given: a holdout's share) straight into row records in memory the caller owns (a
   * backend's: ChunkStore.recordView, sized by rowEntries) — the same values readRows gives, without its arrays (.dh cache).
   */
  readRecordsInto?(start: number, count: number, into: RowRecords, select?: Uint8Array): Promise<void>;
  /** One pass over the targets alone (chunks with an empty x), where the format can read them apart from the features (NPY, a .dh cache's blocks). */
  readTargets?(opts?: ReadOptions): AsyncIterable<HostChunk>;
  /**
   * Set by sources that read the target as class labels (text or numbers as written): y then holds indices into
   * this list of canonical label texts (core/labels.ts), in order of first appearance; it grows as passes find
   * new labels. Absent: y holds numbers.
   */
  readonly targetLabels?: readonly string[];
  /** The files it reads (Node file sources), checked for changes at every pass and read; outputs must differ from them. */
  readonly files?: readonly string[];
  /** Rows skipped as bad during the last pass (only with skip-bad-rows). */
  readonly skipped?: number;
  /** False when the file has no target column (opened for predictions only): y then holds zeros. Absent: it has one. */
  readonly hasTarget?: boolean;
  /** Which per-row values its chunks carry beside y (HostChunk.w, .o; data/row_columns.ts). Absent: none. */
  readonly extras?: RowExtras;
  close?(): Promise<void>;
  /** Rows carry a sparse block (HostChunk.sparse) of this width, encoded as `encoding` says; `features` are the dense columns. */
  readonly sparse?: SparseSchema;
}


/** Wraps an in-memory dataset as a source (chunks are views, never copies). */
export function memorySource(ds: Dataset, description = 'memory'): DataSource {
  const d = ds.features.length;
  const starts: number[] = [];
  let at = 0;
  for (const c of ds.chunks) {
    starts.push(at);
    at += c.rows;
  }
  // Chunks that carry sample weights or offsets: every chunk must (checked in train/inputs.ts).
  const first = ds.chunks[0];
  const extras: RowExtras | null = first && (first.w || first.o) ? { weight: !!first.w, offset: !!first.o } : null;
  const slice = (start: number, count: number): HostChunk => {
    const x = new Float32Array(count * d);
    const y = new Float32Array(count);
    const w = extras?.weight ? new Float32Array(count) : undefined;
    const o = extras?.offset ? new Float32Array(count) : undefined;
    let filled = 0;
    const parts = [];
    for (let i = 0; i < ds.chunks.length; i++) {
      const c = ds.chunks[i];
      const lo = Math.max(start, starts[i]);
      const hi = Math.min(start + count, starts[i] + c.rows);
      if (lo >= hi) continue;
      x.set(c.x.subarray((lo - starts[i]) * d, (hi - starts[i]) * d), filled * d);
      y.set(c.y.subarray(lo - starts[i], hi - starts[i]), filled);
      if (w && c.w) w.set(c.w.subarray(lo - starts[i], hi - starts[i]), filled);
      if (o && c.o) o.set(c.o.subarray(lo - starts[i], hi - starts[i]), filled);
      if (c.sparse) parts.push(sliceCsr(c.sparse, lo - starts[i], hi - lo));
      filled += hi - lo;
    }
    return { rows: count, x, y, firstRow: start, ...(w ? { w } : {}), ...(o ? { o } : {}), ...(ds.sparse ? { sparse: concatCsr(parts) } : {}) };
  };
  return {
    description,
    features: ds.features,
    target: ds.target,
    rows: ds.rows,
    ...(extras ? { extras } : {}),
    ...(ds.sparse ? { sparse: ds.sparse } : {}),
    async *read(opts: ReadOptions = {}) {
      const max = opts.maxRows ?? Infinity;
      for (let i = 0; i < ds.chunks.length; i++) {
        const c = ds.chunks[i];
        for (let s = 0; s < c.rows; s += max) {
          opts.signal?.throwIfAborted();
          const n = Math.min(max, c.rows - s);
          const sparse = c.sparse ? { sparse: sliceCsr(c.sparse, s, n) } : {};
          yield { rows: n, x: c.x.subarray(s * d, (s + n) * d), y: c.y.subarray(s, s + n), firstRow: starts[i] + s, ...extrasOf(c, s, s + n), ...sparse };
        }
      }
    },
    async readRows(start: number, count: number) {
      if (start < 0 || count < 0 || start + count > ds.rows) throw new RangeError(`rows [${start}, ${start + count}) outside 0..${ds.rows}`);
      return slice(start, count);
    },
  };
}
