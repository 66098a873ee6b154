// The in-memory shape of training data that sources produce and backends consume.
import type { Csr } from './csr';
import type { SparseSchema } from './encoding';

/** A block of rows: x is row-major rows × d float32, y has one target per row. */
export interface HostChunk {
  rows: number;
  x: Float32Array;
  y: Float32Array;
  /** Index of this chunk's first row in its source (for row-keyed holdout); 0 when unknown. */
  firstRow?: number;
  /** The sparse block of each row (categorical or svmlight features; core/csr.ts), when the source has one. */
  sparse?: Csr;
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
