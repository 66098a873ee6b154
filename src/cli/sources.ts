// Opening a dataset file by its extension: CSV (streamed), NPY (X with y beside it, or one matrix), Parquet or
// a .dh binary cache. Shared by train, predict and convert. `labels` reads a CSV or Parquet target as class
// labels; NPY and .dh hold numbers and ignore it (numeric labels are classes in train/targets.ts).
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { cacheSource } from '../data/cache';
import { csvSource, parquetFileSource } from '../data/node_files';
import { npySource, npyTargetPath } from '../data/npy';
import type { SkippedRow } from '../data/csv_plan';
import type { DataSource } from '../data/source';
import { UsageError } from './args';

/** What the user said about the input. */
export interface InputOptions {
  target?: string;
  features?: string[];
  skipBadRows?: boolean;
  delimiter?: string;
  y?: string;
  /** Accept a file without the target column (predictions): CSV and Parquet with the features named, X.npy alone. */
  targetOptional?: boolean;
  /** Read the target as class labels (text or numbers as written; see DataSource.targetLabels). */
  labels?: boolean;
  /** CSV with skipBadRows: told of each row skipped (every pass). */
  onSkip?: (s: SkippedRow) => void;
}

const CSV_EXTS = new Set(['.csv', '.tsv', '.txt']);

async function npyInput(file: string, v: InputOptions): Promise<DataSource> {
  const features = v.features;
  if (v.y !== undefined && v.target !== undefined && /^-?\d+$/.test(v.target)) {
    throw new UsageError(`${file}: --target ${v.target} picks the target column of one matrix, but --y ${v.y} gives the targets: use one or the other`);
  }
  if (v.y !== undefined) return npySource({ x: file, y: v.y, features, target: v.target });
  if (v.target !== undefined && /^-?\d+$/.test(v.target)) return npySource({ x: file, targetColumn: Number(v.target), features });
  const y = npyTargetPath(file);
  if (existsSync(y)) return npySource({ x: file, y, features, target: v.target });
  if (v.targetOptional) return npySource({ x: file, features, target: v.target, noTarget: true });
  throw new UsageError(`${file}: give --target <column index> for one matrix, or --y y.npy (no ${y} found)`);
}

/** Opens `file` as a DataSource; `.dh` caches only where `allowCache`. */
export async function openInput(file: string, v: InputOptions, allowCache = true): Promise<DataSource> {
  const ext = extname(file).toLowerCase();
  if (CSV_EXTS.has(ext)) {
    if (!v.target) throw new UsageError(`${file}: a CSV needs --target <column>`);
    const delimiter = v.delimiter === '\\t' || v.delimiter === 'tab' ? '\t' : v.delimiter;
    return csvSource(file, {
      target: v.target, features: v.features, skipBadRows: v.skipBadRows === true, delimiter, targetOptional: v.targetOptional, labels: v.labels === true,
      onSkip: v.onSkip,
    });
  }
  if (ext === '.npy') return npyInput(file, v);
  if (ext === '.parquet') {
    if (!v.target) throw new UsageError(`${file}: a Parquet file needs --target <column>`);
    return parquetFileSource(file, { target: v.target, features: v.features, labels: v.labels === true, targetOptional: v.targetOptional });
  }
  if (ext === '.dh' && allowCache) {
    const src = await cacheSource(file);
    if (v.target !== undefined && v.target !== src.target) {
      throw new UsageError(`${file}: the cache's target is "${src.target}", not "${v.target}" (convert again to change it)`);
    }
    if (v.features) throw new UsageError(`${file}: --features cannot select columns of a .dh cache (choose them when converting)`);
    return src;
  }
  const kinds = allowCache ? '.csv, .tsv, .txt, .npy, .parquet or .dh' : '.csv, .tsv, .txt, .npy or .parquet';
  throw new UsageError(`cannot read "${file}": expected a ${kinds} file`);
}
