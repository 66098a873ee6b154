// `downhill gen -o out.csv|out.npy|out.dh --rows N --features D …`: writes seeded synthetic data of any size in
// constant memory, atomically, with what generated it in a sidecar <out>.truth.json. Regression (the default):
// linear data (src/data/synthetic_stream.ts: the same rows and truth as linearDataset for the same seed), with
// gross outliers on request; classification: labels drawn from a known logistic or softmax model, or Gaussian
// blobs (src/data/synthetic_classes.ts, synthetic_blobs.ts), written as class indices 0..K−1.
import { extname } from 'node:path';
import type { HostChunk } from '../../core/dataset';
import { CacheWriter } from '../../data/cache';
import { parseDtype } from '../../data/cache_f16';
import type { DType } from '../../core/f16';
import { csvHeader, csvRows } from '../../data/csv_write';
import { AtomicFile, commitAll, freeBytes } from '../../data/atomic';
import { checkDistinct } from '../../data/fingerprint';
import { NpyWriter, npyTargetPath } from '../../data/npy';
import { blobCenters, blobsChunks } from '../../data/synthetic_blobs';
import { classesChunks, classesTruth, outlierChunks } from '../../data/synthetic_classes';
import { linearChunks, syntheticTruth } from '../../data/synthetic_stream';
import { bytesText, num, parse, UsageError } from '../args';
import { writeCtr } from './gen_ctr';

/** Usage text of `downhill gen`. */
export const GEN_USAGE = `downhill gen -o <out.csv|out.npy|out.dh> --rows N --features D [--task T] [options]
  --task regression      y = X·w* + b* + N(0, σ²), x_j ~ uniform(−s_j, s_j) (the default)
    --noise σ            standard deviation of the noise on y (default 0.1)
    --scales s|s1,…,sD   per-feature scale of x (one value for all, or D values; default 1)
    --outliers F         fraction of rows whose y gets a gross error of ±(20…50)·(1 + |y|) (default 0)
  --task binary          x ~ uniform(−1, 1), y ∈ {0, 1} drawn with P(y = 1) = σ(x·w* + b*)
  --task multiclass      x ~ uniform(−1, 1), y ∈ 0..K−1 drawn with P(y = c) = softmax(W*·x + b*)_c
    --classes K          number of classes, 3 to 1000 (default 3)
    --scale s            true weights ~ uniform(−s, s): larger is more separable (default 2)
  --task blobs           K Gaussian blobs: centers ~ uniform(−5, 5)^D, x = center[y] + N(0, σ²), y uniform
    --classes K          number of blobs, 2 to 1000 (default 3)
    --spread σ           standard deviation around each center (default 0.5)
  --task ctr             click logs shaped like Criteo's: 13 counts I1…I13, 26 categorical columns C1…C26 (Zipf-like
                         levels, 3 to 10^6 of them), click ~ Bernoulli(σ(z)) of a logistic truth (no --features)
    --hash-bits b        .dh only: the categorical columns stored hashed into 2^b buckets (default 18), as
                         \`train ctr.csv --encoding hash --hash-bits b\` would encode them
  --seed S               seed for the truth and the rows (default 0; regression: the demo's data for the seed)
  --dtype f32|f16        .dh only: store features as float16 (half the bytes; values rounded to the nearest half)
  targets are numbers (class indices for classification); .npy writes X (N, D) to out.npy and y (N,) to
  out.y.npy; the true model (weights as K rows, biases, or the blob centers) goes to <out>.truth.json`;

const CHUNK_ROWS = 65536;

/** One output format: consume chunks, then finish (its files, main file first, ready for commitAll) or abort. */
interface Sink {
  write(c: HostChunk): Promise<void>;
  finish(): Promise<AtomicFile[]>;
  abort(): Promise<void>;
}

async function csvSink(path: string, names: string[]): Promise<Sink> {
  const out = await AtomicFile.create(path);
  const enc = new TextEncoder();
  const d = names.length - 1;
  await out.write(enc.encode(csvHeader(names)));
  return { write: (c) => out.write(enc.encode(csvRows(c, d))), finish: async () => [out], abort: () => out.abort() };
}

async function npySink(path: string, d: number): Promise<Sink> {
  const x = await NpyWriter.create(path, d);
  const y = await NpyWriter.create(npyTargetPath(path), null).catch(async (e) => {
    await x.abort();
    throw e;
  });
  return {
    write: async (c) => {
      await x.append(c.x);
      await y.append(c.y);
    },
    finish: async () => [await x.finish(), await y.finish()],
    abort: async () => {
      await Promise.all([x.abort(), y.abort()]);
    },
  };
}

async function cacheSink(path: string, names: string[], dtype: DType): Promise<Sink> {
  const w = await CacheWriter.create(path, names.slice(0, -1), names[names.length - 1], dtype);
  return { write: (c) => w.write(c), finish: async () => (await w.finish(), [w.file]), abort: () => w.abort() };
}

const FORMATS = ['.csv', '.npy', '.dh'];

/** Bytes a format needs at least for rows × (d + 1) values (CSV: two characters a value). */
function leastBytes(ext: string, rows: number, d: number): number {
  return ext === '.csv' ? rows * (d + 1) * 2 : ext === '.npy' ? 256 + rows * (d + 1) * 4 : 64 * (d + 2) + rows * (d + 1) * 4;
}

/** The files gen writes for `path`: the data (the main file first) and the truth sidecar. */
export function genOutputs(path: string): string[] {
  const ext = extname(path).toLowerCase();
  return [path, ...(ext === '.npy' ? [npyTargetPath(path)] : []), `${path}.truth.json`];
}

async function openSink(path: string, names: string[], dtype: DType): Promise<Sink> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return csvSink(path, names);
  if (ext === '.npy') return npySink(path, names.length - 1);
  return cacheSink(path, names, dtype);
}

function parseScales(text: string | undefined, d: number): number[] | undefined {
  if (text === undefined) return undefined;
  const s = text.split(',').map((t, i) => num(`scales (value ${i + 1})`, t, 1, { positive: true }));
  if (s.length === 1) return new Array<number>(d).fill(s[0]);
  if (s.length !== d) throw new UsageError(`--scales expects 1 or ${d} values, got ${s.length}`);
  return s;
}

const TASKS = ['regression', 'binary', 'multiclass', 'blobs', 'ctr'] as const;
type Task = (typeof TASKS)[number];

/** The options that apply to each task (any other given is a usage error). */
const APPLIES: Record<string, readonly Task[]> = {
  noise: ['regression'], scales: ['regression'], outliers: ['regression'],
  classes: ['binary', 'multiclass', 'blobs'], scale: ['binary', 'multiclass'], spread: ['blobs'], 'hash-bits': ['ctr'],
};

type Values = Partial<Record<'noise' | 'scales' | 'outliers' | 'classes' | 'scale' | 'spread' | 'hash-bits', string>>;

/** What to write: the rows, the truth sidecar's task-specific fields, and a phrase for the summary line. */
interface Plan {
  chunks: Iterable<HostChunk>;
  truth: Record<string, unknown>;
  summary: string;
}

/** K rows of D weights from a row-major array. */
const rowsOf = (w: Float64Array, d: number): number[][] => Array.from({ length: w.length / d }, (_, c) => [...w.subarray(c * d, (c + 1) * d)]);

function regressionPlan(v: Values, rows: number, d: number, seed: number): Plan {
  const noise = num('noise', v.noise, 0.1, { min: 0 });
  const outliers = num('outliers', v.outliers, 0, { min: 0 });
  if (outliers >= 1) throw new UsageError(`--outliers expects a fraction in [0, 1), got "${v.outliers}"`);
  const scales = parseScales(v.scales, d);
  const truth = syntheticTruth(d, seed);
  const o = { rows, features: d, noise, seed, scales, truth };
  return {
    chunks: outliers > 0 ? outlierChunks({ ...o, outliers }, CHUNK_ROWS) : linearChunks(o, CHUNK_ROWS),
    truth: { weights: [...truth.weights], bias: truth.bias[0], noise, scales: scales ?? new Array<number>(d).fill(1), outliers },
    summary: `noise ${noise}${outliers > 0 ? `, outliers ${outliers}` : ''}`,
  };
}

function classesPlan(task: 'binary' | 'multiclass', v: Values, rows: number, d: number, seed: number): Plan {
  const classes = task === 'binary' ? 2 : num('classes', v.classes, 3, { integer: true, min: 3 });
  if (task === 'binary' && v.classes !== undefined && num('classes', v.classes, 2) !== 2) {
    throw new UsageError(`--task binary has 2 classes, got --classes ${v.classes} (use --task multiclass)`);
  }
  if (classes > 1000) throw new UsageError(`--classes expects an integer from 3 to 1000, got "${v.classes}"`);
  const scale = num('scale', v.scale, 2, { positive: true });
  const truth = classesTruth(d, classes, seed, scale);
  return {
    chunks: classesChunks({ rows, features: d, classes, seed, scale }, CHUNK_ROWS),
    truth: { model: task === 'binary' ? 'logistic' : 'softmax', classes, weights: rowsOf(truth.weights, d), bias: [...truth.bias], scale },
    summary: `${classes} classes`,
  };
}

function blobsPlan(v: Values, rows: number, d: number, seed: number): Plan {
  const classes = num('classes', v.classes, 3, { integer: true, min: 2 });
  if (classes > 1000) throw new UsageError(`--classes expects an integer from 2 to 1000, got "${v.classes}"`);
  const spread = num('spread', v.spread, 0.5, { min: 0 });
  const o = { rows, features: d, classes, spread, seed };
  return {
    chunks: blobsChunks(o, CHUNK_ROWS),
    truth: { classes, centers: rowsOf(blobCenters(o), d), spread },
    summary: `${classes} blobs, spread ${spread}`,
  };
}

/** Writes every chunk and the truth sidecar, then puts all the files in place together (commitAll). */
async function writeAll(sink: Sink, chunks: Iterable<HostChunk>, truthFile: string, truth: string): Promise<void> {
  let files: AtomicFile[] = [];
  try {
    for (const c of chunks) await sink.write(c);
    files = await sink.finish();
    const t = await AtomicFile.create(truthFile);
    files.push(t);
    await t.write(new TextEncoder().encode(truth));
  } catch (e) {
    await sink.abort();
    await Promise.all(files.map((f) => f.abort()));
    throw e;
  }
  await commitAll(files);
}

/** gen --task ctr: .csv or .dh, fixed columns, --hash-bits for the cache. */
async function genCtrCommand(v: Values & { output?: string; rows?: string; features?: string; seed?: string; dtype?: string; noise?: string }): Promise<number> {
  const out = v.output!;
  const ext = extname(out).toLowerCase();
  if (ext !== '.csv' && ext !== '.dh') throw new UsageError(`--task ctr writes .csv or .dh files, got "${out}"`);
  if (v.features !== undefined) throw new UsageError('--features does not apply to --task ctr (13 counts and 26 categorical columns)');
  for (const [name, tasks] of Object.entries(APPLIES)) {
    if (v[name as keyof Values] !== undefined && !tasks.includes('ctr')) throw new UsageError(`--${name} applies to --task ${tasks.join(' or ')}, not ctr`);
  }
  if (v.dtype !== undefined) throw new UsageError('--dtype does not apply to --task ctr (its cache holds counts as float32 and hashed indicators)');
  if (v['hash-bits'] !== undefined && ext !== '.dh') throw new UsageError('--hash-bits applies to a .dh output (a CSV holds the level names; hash them when training)');
  if (v.rows === undefined) throw new UsageError('gen needs --rows N');
  const rows = num('rows', v.rows, 0, { integer: true, min: 1 });
  const seed = num('seed', v.seed, 0, { integer: true, min: 0, max: 2 ** 32 - 1 });
  const bits = num('hash-bits', v['hash-bits'], 18, { integer: true, min: 1, max: 30 });
  const outputs = genOutputs(out);
  checkDistinct(outputs, [], (m) => new UsageError(m));
  const need = rows * (ext === '.csv' ? 250 : 164);
  const free = freeBytes(out);
  if (need > free) throw new UsageError(`${out}: ${rows} click rows need about ${bytesText(need)}; ${bytesText(free)} are free there`);
  const summary = await writeCtr(out, outputs[outputs.length - 1], { rows, seed, bits, dh: ext === '.dh' });
  process.stdout.write(`wrote ${out}: ${rows} rows × 13 counts + 26 categorical columns (${summary}); the truth in ${outputs[outputs.length - 1]}\n`);
  return 0;
}

/** Runs the gen command; returns the exit code. */
export async function genCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    output: { type: 'string', short: 'o' }, rows: { type: 'string' }, features: { type: 'string' }, task: { type: 'string' },
    noise: { type: 'string' }, seed: { type: 'string' }, scales: { type: 'string' }, outliers: { type: 'string' },
    classes: { type: 'string' }, scale: { type: 'string' }, spread: { type: 'string' }, dtype: { type: 'string' }, 'hash-bits': { type: 'string' },
  });
  if (!v.output) throw new UsageError('gen needs -o <out.csv|out.npy|out.dh>');
  const task = (v.task ?? 'regression') as Task;
  if (!TASKS.includes(task)) throw new UsageError(`--task expects one of ${TASKS.join(', ')}, got "${v.task}"`);
  if (task === 'ctr') return genCtrCommand(v);
  if (v.rows === undefined || v.features === undefined) throw new UsageError('gen needs --rows N and --features D');
  for (const [name, tasks] of Object.entries(APPLIES)) {
    if (v[name as keyof Values] !== undefined && !tasks.includes(task)) throw new UsageError(`--${name} applies to --task ${tasks.join(' or ')}, not ${task}`);
  }
  const ext = extname(v.output).toLowerCase();
  if (!FORMATS.includes(ext)) throw new UsageError(`gen writes .csv, .npy or .dh files, got "${v.output}"`);
  const dtype = parseDtype(v.dtype, (m) => new UsageError(m)) ?? 'f32';
  if (dtype === 'f16' && ext !== '.dh') throw new UsageError(`--dtype f16 writes .dh caches only (${ext} files hold float32): use -o <out.dh>`);
  const rows = num('rows', v.rows, 0, { integer: true, min: 1 });
  const d = num('features', v.features, 0, { integer: true, min: 1, max: 1e6 });
  const seed = num('seed', v.seed, 0, { integer: true, min: 0, max: 2 ** 32 - 1 });
  const outputs = genOutputs(v.output);
  checkDistinct(outputs, [], (m) => new UsageError(m));
  const need = leastBytes(ext, rows, d);
  const free = freeBytes(v.output);
  if (need > free) throw new UsageError(`${v.output}: ${rows} rows × ${d + 1} columns need at least ${bytesText(need)}; ${bytesText(free)} are free there`);
  const plan = task === 'regression' ? regressionPlan(v, rows, d, seed)
    : task === 'blobs' ? blobsPlan(v, rows, d, seed) : classesPlan(task, v, rows, d, seed);
  const names = [...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'y'];
  const truthFile = outputs[outputs.length - 1];
  const truth = JSON.stringify({ format: 'downhill.truth', task, features: names.slice(0, -1), target: 'y', ...plan.truth, seed, rows }, null, 2) + '\n';
  await writeAll(await openSink(v.output, names, dtype), plan.chunks, truthFile, truth);
  const extra = ext === '.npy' ? ` and ${npyTargetPath(v.output)}` : '';
  const what = task === 'regression' ? 'true coefficients' : 'the true model';
  process.stdout.write(`wrote ${v.output}${extra}: ${rows} rows × ${d} features (${task === 'regression' ? '' : `${task}, `}seed ${seed}, ${plan.summary}); ${what} in ${truthFile}\n`);
  return 0;
}
