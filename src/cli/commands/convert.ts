// `downhill convert data.csv|data.npy -o data.dh …`: streams a CSV or NPY dataset into the binary cache
// (src/data/cache.ts) in constant memory, atomically, never touching the input.
import { extname } from 'node:path';
import { writeCache } from '../../data/cache';
import { parseDtype } from '../../data/cache_f16';
import { parse, UsageError } from '../args';
import { checkOutputs } from '../io';
import { openInput } from '../sources';
import { encodingParams } from '../../core/encoding_options';
import { encodingWords, note } from '../notes';
import { ENCODING_FLAGS, joinRepeated, specFromFlags } from '../spec_args';

/** Usage text of `downhill convert`. */
export const CONVERT_USAGE = `downhill convert <data.csv|data.npy|data.parquet|data.svm> -o <data.dh> [options]
  -o, --output out.dh    the cache to write (atomically; the input is only read)
  --target <name|index>  CSV: the column to predict (required); NPY: the target's column index in one matrix
  --features a,b,c       CSV: feature columns (default: all but the target); NPY: names for the features
  --skip-bad-rows        CSV: skip rows with bad or missing cells (counted) instead of stopping
  --delimiter C          CSV: field delimiter (default: detected among , ; and tab)
  --y y.npy              NPY: the targets as a separate (N,) array (default <stem>.y.npy when it exists)
  --dtype f32|f16        how the cache stores features (default f32); f16 halves the bytes read per row, each value
                         rounded to the nearest half (|x| ≤ 65504; the target stays float32); svmlight: the values
  --format F, --zero-based   as for train (svmlight files)
  --encoding, --categorical, --hashed, --cross, --hash-bits, --min-count, --max-levels
                         as for train: text columns are stored encoded (one-hot levels and hash buckets as sparse
                         rows, layout 3), so training from the cache neither parses nor hashes`;

/** Runs the convert command; returns the exit code. */
export async function convertCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(joinRepeated(argv, ['cross']), {
    output: { type: 'string', short: 'o' }, target: { type: 'string' }, features: { type: 'string' },
    'skip-bad-rows': { type: 'boolean' }, delimiter: { type: 'string' }, y: { type: 'string' }, dtype: { type: 'string' },
    format: { type: 'string' }, 'zero-based': { type: 'boolean' }, ...ENCODING_FLAGS,
  }, 1);
  const input = positionals[0];
  if (!input) throw new UsageError('convert needs an input file (.csv or .npy)');
  if (!v.output) throw new UsageError('convert needs -o <out.dh>');
  if (extname(v.output).toLowerCase() !== '.dh') throw new UsageError(`the output must be a .dh cache, got "${v.output}"`);
  checkOutputs([v.output], [input, ...(v.y ? [v.y] : [])]);
  const dtype = parseDtype(v.dtype, (m) => new UsageError(m)) ?? 'f32';
  const features = v.features?.split(',').map((s) => s.trim()).filter(Boolean);
  const encoding = encodingParams(specFromFlags(v));
  const src = await openInput(input, {
    target: v.target, features, skipBadRows: v['skip-bad-rows'] === true, delimiter: v.delimiter, y: v.y,
    format: v.format, zeroBased: v['zero-based'] === true, encoding, onNote: note,
  }, false);
  try {
    checkOutputs([v.output], src.files ?? [input]);
    const info = await writeCache(v.output, src, {}, dtype);
    const skipped = src.skipped ? ` (${src.skipped} bad rows skipped)` : '';
    const half = dtype === 'f16' ? ' (float16 features)' : '';
    const sparse = src.sparse ? ` + ${src.sparse.width} sparse columns (${src.sparse.encoding.format === 'svmlight' ? 'svmlight' : encodingWords(src.sparse.encoding)})` : '';
    process.stdout.write(`wrote ${v.output}: ${info.rows} rows × ${info.features.length} features${sparse}${half}, target "${info.target}"${skipped}\n`);
  } finally {
    await src.close?.();
  }
  return 0;
}
