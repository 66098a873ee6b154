// The in-memory shape of training data that sources produce and backends consume.

/** A block of rows: x is row-major rows × d float32, y has one target per row. */
export interface HostChunk {
  rows: number;
  x: Float32Array;
  y: Float32Array;
  /** Index of this chunk's first row in its source (for row-keyed holdout); 0 when unknown. */
  firstRow?: number;
}

/** A dataset held as chunks, with feature names. */
export interface Dataset {
  features: string[];
  target: string;
  rows: number;
  chunks: HostChunk[];
}

/** Number of features of a dataset. */
export function featureCount(ds: Dataset): number {
  return ds.features.length;
}

/** Re-blocks chunks into chunks of exactly `capacity` rows (the last one shorter). */
export function* rechunk(chunks: Iterable<HostChunk>, d: number, capacity: number): Generator<HostChunk> {
  if (!(capacity >= 1)) throw new Error(`chunk capacity must be ≥ 1 row, got ${capacity}`);
  let x = new Float32Array(capacity * d);
  let y = new Float32Array(capacity);
  let filled = 0;
  for (const c of chunks) {
    let at = 0;
    while (at < c.rows) {
      const take = Math.min(c.rows - at, capacity - filled);
      x.set(c.x.subarray(at * d, (at + take) * d), filled * d);
      y.set(c.y.subarray(at, at + take), filled);
      at += take;
      filled += take;
      if (filled === capacity) {
        yield { rows: filled, x, y };
        x = new Float32Array(capacity * d);
        y = new Float32Array(capacity);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield { rows: filled, x: x.slice(0, filled * d), y: y.slice(0, filled) };
}

/** Concatenates a dataset's rows into one chunk (for small data and tests). */
export function concatRows(ds: Dataset): HostChunk {
  const d = featureCount(ds);
  const [one] = [...rechunk(ds.chunks, d, Math.max(1, ds.rows))];
  return one ?? { rows: 0, x: new Float32Array(0), y: new Float32Array(0) };
}
