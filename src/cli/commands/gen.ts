// `downhill gen -o out.csv|out.npy|out.dh --rows N --features D …`: writes seeded synthetic linear data of
// any size in constant memory (src/data/synthetic_stream.ts: the same rows and truth as linearDataset for the
// same seed), atomically, with the true coefficients in a sidecar <out>.truth.json.
import { extname } from 'node:path';
import type { HostChunk } from '../../core/dataset';
import { CacheWriter } from '../../data/cache';
import { csvHeader, csvRows } from '../../data/csv_write';
import { AtomicFile } from '../../data/node_files';
import { NpyWriter, npyTargetPath } from '../../data/npy';
import { linearChunks, syntheticTruth } from '../../data/synthetic_stream';
import { num, parse, UsageError } from '../args';
import { writeAtomic } from '../io';

/** Usage text of `downhill gen`. */
export const GEN_USAGE = `downhill gen -o <out.csv|out.npy|out.dh> --rows N --features D [options]
  writes y = X·w* + b* + N(0, σ²) with x_j ~ uniform(−s_j, s_j), seeded, in constant memory
  --noise σ              standard deviation of the noise on y (default 0.1)
  --seed S               seed for the coefficients and the rows (default 0; same data as the demo's seed)
  --scales s|s1,…,sD     per-feature scale of x (one value for all, or D values; default 1)
  .npy writes X (N, D) to out.npy and y (N,) to out.y.npy; the true w* and b* go to <out>.truth.json`;

const CHUNK_ROWS = 65536;

/** One output format: consume chunks, then finish (rename into place) or abort (remove the temp files). */
interface Sink {
  write(c: HostChunk): Promise<void>;
  close(): Promise<unknown>;
  abort(): Promise<void>;
}

async function csvSink(path: string, names: string[]): Promise<Sink> {
  const out = await AtomicFile.create(path);
  const enc = new TextEncoder();
  const d = names.length - 1;
  try {
    await out.write(enc.encode(csvHeader(names)));
  } catch (e) {
    await out.abort();
    throw e;
  }
  return { write: (c) => out.write(enc.encode(csvRows(c, d))), close: () => out.commit(), abort: () => out.abort() };
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
    close: async () => {
      await x.close();
      await y.close();
    },
    abort: async () => {
      await Promise.all([x.abort(), y.abort()]);
    },
  };
}

async function openSink(path: string, names: string[]): Promise<Sink> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return csvSink(path, names);
  if (ext === '.npy') return npySink(path, names.length - 1);
  if (ext === '.dh') return CacheWriter.create(path, names.slice(0, -1), names[names.length - 1]);
  throw new UsageError(`gen writes .csv, .npy or .dh files, got "${path}"`);
}

function parseScales(text: string | undefined, d: number): number[] | undefined {
  if (text === undefined) return undefined;
  const s = text.split(',').map((t, i) => num(`scales (value ${i + 1})`, t, 1, { positive: true }));
  if (s.length === 1) return new Array<number>(d).fill(s[0]);
  if (s.length !== d) throw new UsageError(`--scales expects 1 or ${d} values, got ${s.length}`);
  return s;
}

/** Runs the gen command; returns the exit code. */
export async function genCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    output: { type: 'string', short: 'o' }, rows: { type: 'string' }, features: { type: 'string' },
    noise: { type: 'string' }, seed: { type: 'string' }, scales: { type: 'string' },
  });
  if (!v.output) throw new UsageError('gen needs -o <out.csv|out.npy|out.dh>');
  if (v.rows === undefined || v.features === undefined) throw new UsageError('gen needs --rows N and --features D');
  const rows = num('rows', v.rows, 0, { integer: true, min: 1 });
  const d = num('features', v.features, 0, { integer: true, min: 1 });
  const noise = num('noise', v.noise, 0.1, { min: 0 });
  const seed = num('seed', v.seed, 0, { integer: true, min: 0 });
  const scales = parseScales(v.scales, d);
  const truth = syntheticTruth(d, seed);
  const names = [...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'y'];
  const sink = await openSink(v.output, names);
  try {
    for (const c of linearChunks({ rows, features: d, noise, seed, scales, truth }, CHUNK_ROWS)) await sink.write(c);
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
  const truthFile = `${v.output}.truth.json`;
  writeAtomic(truthFile, JSON.stringify({
    format: 'downhill.truth', features: names.slice(0, -1), target: 'y', weights: [...truth.weights], bias: truth.bias,
    noise, seed, rows, scales: scales ?? new Array<number>(d).fill(1),
  }, null, 2) + '\n');
  const extra = extname(v.output).toLowerCase() === '.npy' ? ` and ${npyTargetPath(v.output)}` : '';
  process.stdout.write(`wrote ${v.output}${extra}: ${rows} rows × ${d} features (seed ${seed}, noise ${noise}); true coefficients in ${truthFile}\n`);
  return 0;
}
