// Opening a dataset file by its extension: CSV (streamed), NPY (X with y beside it, or one matrix), Parquet, svmlight
// (by extension, by content, or --format svmlight) or a .dh binary cache. Shared by train, predict and convert.
// `labels` reads a CSV or Parquet target as class labels; NPY and .dh hold numbers and ignore it (numeric labels are
// classes in train/targets.ts). CSV and Parquet files with text columns (found, or named in the encoding options) are
// read with their categorical columns encoded into a sparse block; a model's encoding (`fixed`) is applied as it is.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { cacheSource } from '../data/cache';
import {
  csvSource, csvTextColumns, encodedCsvSource, encodedParquetFileSource, looksLikeSvmlightFile, parquetFileSource, parquetFileTextColumns, svmlightFileSource,
} from '../data/node_files';
import type { Encoding } from '../core/encoding';
import { asksForCategories, type EncodingParams } from '../core/encoding_options';
import { SVMLIGHT_EXTS } from '../data/svmlight';
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
  /** How text columns become a sparse block (the spec's encoding options): CSV and Parquet. */
  encoding?: EncodingParams;
  /** A model's dense features and encoding: rows are encoded as the model's were (predict). */
  fixed?: { features: string[]; encoding: Encoding };
  /** CSV: the value of a blank cell by feature column (a model's fill): blanks are filled, a blank target skips its row. */
  fill?: Readonly<Record<string, number>>;
  /** The format whatever the extension says (--format). */
  format?: string;
  /** svmlight: indices count from 0 (--zero-based). */
  zeroBased?: boolean;
  /** Told of what a reader found and did (text columns read as categorical, ignored qid: tokens). */
  onNote?: (message: string) => void;
}

/** Formats --format names. */
export const FORMATS = ['csv', 'npy', 'parquet', 'svmlight', 'dh'] as const;

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

/** The format of a file: --format, its extension, a model's encoding, or (no telling extension) its content. */
async function formatOf(file: string, v: InputOptions): Promise<string | null> {
  if (v.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(v.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${v.format}"`);
    return v.format;
  }
  const ext = extname(file).toLowerCase();
  if (SVMLIGHT_EXTS.includes(ext) || v.fixed?.encoding.format === 'svmlight') return 'svmlight';
  if (CSV_EXTS.has(ext)) return ext === '.txt' && (await looksLikeSvmlightFile(file)) ? 'svmlight' : 'csv';
  if (['.npy', '.parquet', '.dh'].includes(ext)) return ext.slice(1);
  // The LIBSVM collection's files often have no extension (a9a, rcv1_train.binary): read by their content.
  return (await looksLikeSvmlightFile(file)) ? 'svmlight' : null;
}

/** A CSV with text columns (found in its first lines, or named) read with them encoded; null when it has none. */
async function encodedCsv(file: string, v: InputOptions, csv: Parameters<typeof csvSource>[1]): Promise<DataSource | null> {
  const named = v.encoding !== undefined && asksForCategories(v.encoding);
  // --skip-bad-rows says cells that are not numbers are bad ones: no column is read as categorical unless named.
  if (!v.fixed && !named && (v.skipBadRows || (await csvTextColumns(file, csv)).length === 0)) return null;
  if (v.skipBadRows) throw new UsageError(`${file}: --skip-bad-rows reads numeric files only; this one has categorical columns`);
  const src = await encodedCsvSource(file, { ...csv, ...v.encoding, ...(v.fixed ? { fixed: v.fixed } : {}) });
  for (const n of src.notes) v.onNote?.(n);
  return src;
}

/** Opens `file` as a DataSource; `.dh` caches only where `allowCache`. */
export async function openInput(file: string, v: InputOptions, allowCache = true): Promise<DataSource> {
  const format = await formatOf(file, v);
  if (format === 'svmlight') {
    if (v.features?.length && !v.fixed) throw new UsageError(`${file}: --features does not apply to svmlight files (their features are numbered)`);
    const src = await svmlightFileSource(file, { zeroBased: v.zeroBased === true, width: v.fixed?.encoding.width, target: v.target });
    if (src.note) v.onNote?.(src.note);
    return src;
  }
  if (v.zeroBased) throw new UsageError(`--zero-based applies to svmlight files; ${file} is not one`);
  if (format === 'csv') {
    if (!v.target) throw new UsageError(`${file}: a CSV needs --target <column>`);
    const delimiter = v.delimiter === '\\t' || v.delimiter === 'tab' ? '\t' : v.delimiter;
    const filled = v.fill ? { missing: 'fill' as const, fill: v.fill, onSkip: v.onSkip } : {};
    const csv = { target: v.target, features: v.features, delimiter, targetOptional: v.targetOptional, labels: v.labels === true, ...filled };
    return (await encodedCsv(file, v, csv)) ?? csvSource(file, { ...csv, skipBadRows: v.skipBadRows === true, onSkip: v.onSkip });
  }
  if (format === 'npy') return npyInput(file, v);
  if (format === 'parquet') {
    if (!v.target) throw new UsageError(`${file}: a Parquet file needs --target <column>`);
    const o = { target: v.target, features: v.features, labels: v.labels === true, targetOptional: v.targetOptional };
    const named = v.encoding !== undefined && asksForCategories(v.encoding);
    if (v.fixed || named || (await parquetFileTextColumns(file, v.target, v.features)).length) {
      const src = await encodedParquetFileSource(file, { ...o, ...v.encoding, ...(v.fixed ? { fixed: v.fixed } : {}) });
      for (const n of src.notes) v.onNote?.(n);
      return src;
    }
    return parquetFileSource(file, o);
  }
  if (format === 'dh' && allowCache) {
    const src = await cacheSource(file);
    if (v.target !== undefined && v.target !== src.target) {
      throw new UsageError(`${file}: the cache's target is "${src.target}", not "${v.target}" (convert again to change it)`);
    }
    if (v.features) throw new UsageError(`${file}: --features cannot select columns of a .dh cache (choose them when converting)`);
    return src;
  }
  const kinds = allowCache ? '.csv, .tsv, .txt, .npy, .parquet, svmlight (.svm, .libsvm) or .dh' : '.csv, .tsv, .txt, .npy, .parquet or svmlight (.svm, .libsvm)';
  throw new UsageError(`cannot read "${file}": expected a ${kinds} file (or name its format with --format ${FORMATS.join('|')})`);
}
