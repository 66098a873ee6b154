// Every class of issue 13, as a user meets it, through the built CLI (dist/cli.js): one table of bad inputs over
// CSV, NPY, .dh, Parquet and model files — each with its exit code and message, no stack trace, inputs
// byte-identical afterwards and no temp file left — and the cases a table cannot hold (pipes, alignment, order).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { writeCache } from '../../src/data/cache';
import { encodeNpyHeader } from '../../src/data/npy_format';
import { memorySource } from '../../src/data/source';
import { CLI, parseJson, runCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** Every run starts in the test's folder, so the cases name their files as a user would. */
const inDir = { cwd: dir };

const put = (name: string, content: string | Uint8Array) => (writeFileSync(at(name), content), at(name));
const npy = (dtype: '<f4' | '<f8', shape: number[], values: number[]) => {
  const data = dtype === '<f4' ? new Uint8Array(Float32Array.from(values).buffer) : new Uint8Array(Float64Array.from(values).buffer);
  return Uint8Array.from([...encodeNpyHeader(dtype, shape), ...data]);
};
const parquet = (cols: { name: string; data: number[]; type: string }[]) =>
  new Uint8Array(parquetWriteBuffer({ columnData: cols } as Parameters<typeof parquetWriteBuffer>[0]));

// y = 2a − b + 1 + noise: 300 rows, every value as written in the CSV (5 decimals).
const rng = new Rng(5);
const rows = Array.from({ length: 300 }, () => {
  const a = rng.uniform(-1, 1);
  const b = rng.uniform(-1, 1);
  return [a, b, 2 * a - b + 1 + 0.05 * rng.normal()].map((v) => Number(v.toFixed(5)));
});
const csvText = `a,b,y\n${rows.map((r) => r.map((v) => v.toFixed(5)).join(',')).join('\n')}\n`;

beforeAll(async () => {
  put('good.csv', csvText);
  put('reordered.csv', `y,b,a\n${rows.map((r) => [r[2], r[1], r[0]].map((v) => v.toFixed(5)).join(',')).join('\n')}\n`);
  put('big_y.csv', `a,y\n${rows.map((r, i) => `${r[0].toFixed(4)},${i === 41 ? '1e30' : r[2].toFixed(4)}`).join('\n')}\n`);
  put('dup.csv', 'a,b,a,y\n1,2,3,4\n');
  put('cell.csv', `a,y\n${'7'.repeat(10 << 20)}x,1\n`);
  put('tiny.csv', 'a,y\n1,2\n2,3\n');
  put('bad_rows.csv', 'a,b,y\n1,2,3\nx,1,1\n0,0,0\n1,1,oops\n');
  put('data.csv.gz', gzipSync(Buffer.from(csvText)));
  put('gz.csv', gzipSync(Buffer.from(csvText)));
  put('binary.csv', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  put('utf16.csv', Buffer.from(`\ufeff${csvText}`, 'utf16le'));
  put('nan.npy', npy('<f4', [3, 3], [1, 2, 3, 4, NaN, 6, 7, 8, 9]));
  put('huge.npy', npy('<f8', [3, 3], [1, 2, 3, 4, 5, 6, 7, 1e300, 9]));
  put('x.npy', npy('<f4', [3, 2], [1, 2, 3, 4, 5, 6]));
  put('x.y.npy', npy('<f4', [3], [1, 2, 3]));
  put('inf.parquet', parquet([{ name: 'a', data: [1, 2, Infinity], type: 'DOUBLE' }, { name: 'y', data: [1, 2, 3], type: 'DOUBLE' }]));
  put('junk.parquet', parquet([{ name: 'a', data: [1, 2, 3], type: 'DOUBLE' }, { name: 'y', data: [1, 2, 3], type: 'DOUBLE' }]).slice(0, 40));
  const cache = async (name: string, names: string[], cols: number[][]) => {
    const n = cols[0].length;
    const x = Float32Array.from({ length: n * (names.length - 1) }, (_, i) => cols[i % (names.length - 1)][Math.floor(i / (names.length - 1))]);
    await writeCache(at(name), memorySource({ features: names.slice(0, -1), target: names.at(-1)!, rows: n, chunks: [{ rows: n, x, y: Float32Array.from(cols.at(-1)!) }] }));
  };
  await cache('good.dh', ['a', 'b', 'y'], [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
  await cache('reordered.dh', ['b', 'a', 'y'], [rows.map((r) => r[1]), rows.map((r) => r[0]), rows.map((r) => r[2])]);
  await cache('only_a.dh', ['a', 'y'], [rows.map((r) => r[0]), rows.map((r) => r[2])]);
  const dh = new Uint8Array(readFileSync(at('good.dh')));
  const corrupt = dh.slice();
  corrupt[20] ^= 0x5a; // the row count
  put('corrupt.dh', corrupt);
  const nan = dh.slice();
  new DataView(nan.buffer).setFloat32(new DataView(nan.buffer).getUint32(12, true) + 4 * 7, NaN, true);
  put('nan.dh', nan);
  put('short.dh', dh.slice(0, 30));
  expect(runCli(['train', at('good.csv'), '--target', 'y', '--backend', 'reference', '--epochs', '40', '--batch', 'full', '--lr', '0.3', '--save', at('m.json')], inDir).code).toBe(0);
  put('null.json', 'null');
  put('broken.json', '{"format": "downhill.linear", "version": 2,');
  put('nofeat.json', JSON.stringify({ ...JSON.parse(readFileSync(at('m.json'), 'utf8')), features: null }));
  linkSync(at('good.csv'), at('hard.csv'));
  linkSync(at('good.csv'), at('alias.dh'));
  symlinkSync(at('good.csv'), at('soft.csv'));
}, 120_000);

/** [what, args, exit code, stderr pattern, files that must not appear]. */
const CASES: [string, string[], number, RegExp, string[]?][] = [
  // 1. Divergence: an error with advice that fits the cause; nothing saved.
  ['divergence', ['train', 'good.csv', '--target', 'y', '--lr', '5', '--batch', 'full', '--backend', 'reference', '--save', 'div.json'], 1,
    /training diverged in epoch \d+ \(.*\): the learning rate 5 is too large for this data's scale; try --lr 0\.\d/, ['div.json']],
  ['float32 overflow (WebGPU)', ['train', 'big_y.csv', '--target', 'y', '--epochs', '2', '--save', 'ovf.json'], 1,
    /values overflow float32: row 42 \(column "y"\) is 1\.00e\+30/, ['ovf.json']],
  // 2. Non-finite and out-of-range values in binary formats, named by row and column.
  ['NaN in .npy', ['train', 'nan.npy', '--target', '2', '--backend', 'reference'], 1, /nan\.npy: row 2 \(column 2 "x2"\): NaN is not a number/],
  ['float64 beyond float32 in .npy', ['train', 'huge.npy', '--target', '2', '--backend', 'reference'], 1, /huge\.npy: row 3 \(column 2 "x2"\): the number 1e\+300 is outside the float32 range/],
  ['NaN in .dh', ['train', 'nan.dh', '--backend', 'reference'], 1, /nan\.dh: row 3 \(column 2 "b"\): NaN is not a number/],
  ['Infinity in Parquet', ['train', 'inf.parquet', '--target', 'y', '--backend', 'reference'], 1, /inf\.parquet: row 3 \(column a\): Infinity is not finite/],
  // 3. An output never overwrites an input: same path, hard link, symbolic link, NPY's y file, the model.
  ['--save over the input', ['train', 'good.csv', '--target', 'y', '--backend', 'reference', '--save', 'good.csv'], 2, /the output .*good\.csv is the input/],
  ['--save over a hard link of the input', ['train', 'hard.csv', '--target', 'y', '--backend', 'reference', '--save', 'good.csv'], 2, /is the same file as the input .*hard\.csv/],
  ['--save over the target of a symlink', ['train', 'soft.csv', '--target', 'y', '--backend', 'reference', '--save', 'good.csv'], 2, /is the same file as the input .*soft\.csv/],
  ['--save over the NPY y file', ['train', 'x.npy', '--backend', 'reference', '--save', 'x.y.npy'], 2, /the output .*x\.y\.npy is the input/],
  ['predict -o over the data', ['predict', 'm.json', 'good.csv', '-o', 'good.csv'], 2, /the output good\.csv is the input/],
  ['predict -o over the model', ['predict', 'm.json', 'good.csv', '-o', 'm.json'], 2, /the output m\.json is the input/],
  ['convert -o over the input', ['convert', 'good.dh', '-o', 'good.dh'], 2, /the output good\.dh is the input/],
  ['convert -o over a hard link to the input', ['convert', 'good.csv', '-o', 'alias.dh', '--target', 'y'], 2, /the output alias\.dh is the same file as the input good\.csv/],
  // 5. A generated file that cannot fit is refused before writing.
  ['gen beyond the free space', ['gen', '-o', 'huge.dh', '--rows', '1000000000000000', '--features', '16'], 2, /huge\.dh: 1000000000000000 rows × 17 columns need at least 68 PB; .* free there/, ['huge.dh']],
  // 7. Shapes and names.
  ['NPY --y with a column --target', ['train', 'x.npy', '--y', 'x.y.npy', '--target', '1', '--backend', 'reference'], 2, /--target 1 picks the target column of one matrix, but --y .* gives the targets/],
  ['predict: a feature the .dh lacks', ['predict', 'm.json', 'only_a.dh'], 1, /only_a\.dh: the model needs the feature column b, which is not in the file/],
  ['predict: a feature the CSV lacks', ['predict', 'm.json', 'tiny.csv'], 1, /tiny\.csv:1 \(column b\): feature column "b" is not in the header/],
  // 8. Messages that help.
  ['corrupt .dh header', ['train', 'corrupt.dh', '--backend', 'reference'], 1, /corrupt\.dh: corrupt cache header \(checksum mismatch\)/],
  ['.dh shorter than its header', ['train', 'short.dh', '--backend', 'reference'], 1, /short\.dh: corrupt cache header/],
  ['model file "null"', ['predict', 'null.json', 'good.csv'], 1, /null\.json: field "format" must be "downhill\.linear"/],
  ['model file cut short', ['predict', 'broken.json', 'good.csv'], 1, /broken\.json: not valid JSON/],
  ['model file without features', ['predict', 'nofeat.json', 'good.csv'], 1, /nofeat\.json: field "features" must be a list of names/],
  ['corrupt Parquet', ['train', 'junk.parquet', '--target', 'y', '--backend', 'reference'], 1, /junk\.parquet: not a readable Parquet file/],
  ['gzip passed as CSV', ['train', 'gz.csv', '--target', 'y', '--backend', 'reference'], 1, /gz\.csv: is gzip-compressed: decompress it first \(gunzip\); expected CSV text/],
  ['.csv.gz', ['train', 'data.csv.gz', '--target', 'y', '--backend', 'reference'], 2, /cannot read ".*data\.csv\.gz": expected a \.csv/],
  ['binary passed as CSV', ['train', 'binary.csv', '--target', 'y', '--backend', 'reference'], 1, /binary\.csv: is not a text file/],
  ['UTF-16 passed as CSV', ['train', 'utf16.csv', '--target', 'y', '--backend', 'reference'], 1, /utf16\.csv: is UTF-16 text: save it as UTF-8/],
  ['duplicate header names', ['train', 'dup.csv', '--target', 'y', '--backend', 'reference'], 1, /dup\.csv:1 \(column a\): duplicate column name: the header has 2 columns named "a" \(columns 1, 3\)/],
  ['a 10 MB cell', ['train', 'cell.csv', '--target', 'y', '--backend', 'reference'], 1, /cell\.csv:2 \(column 1 "a"\): expected a number, got "7{40}…" \(10485761 characters\)$/m],
  ['--validation leaves no rows', ['train', 'tiny.csv', '--target', 'y', '--validation', '0.99', '--seed', '3', '--backend', 'reference'], 1, /no rows left to train on: --validation 0\.99 held out all 2 rows/],
  ['unknown backend', ['train', 'good.csv', '--target', 'y', '--backend', 'tpu'], 2, /--backend must be one of webgpu, cpu, reference; got "tpu"/],
  ['seed ≥ 2^32 (train)', ['train', 'good.csv', '--target', 'y', '--seed', '4294967296', '--backend', 'reference'], 2, /--seed expects an integer in \[0, 4294967295\]/],
  ['seed ≥ 2^32 (gen)', ['gen', '-o', 's.csv', '--rows', '5', '--features', '2', '--seed', '4294967296'], 2, /--seed expects an integer from 0 to 4294967295/, ['s.csv']],
];

const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const inputs = () => readdirSync(dir).filter((f) => !f.endsWith('.tmp')).sort();

describe('bad inputs: exit code, message, no stack trace, inputs untouched, no temp files', () => {
  it.each(CASES)('%s', (_, args, code, message, absent = []) => {
    const before = new Map(inputs().map((f) => [f, digest(at(f))]));
    const r = runCli(args, inDir);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.length).toBeLessThan(3000);
    for (const [f, h] of before) expect(digest(at(f)), `${f} changed`).toBe(h);
    for (const f of absent) expect(existsSync(at(f)), `${f} exists`).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('DOWNHILL_DEBUG=1 adds the stack trace', () => {
    const r = runCli(['train', 'nan.npy', '--target', '2', '--backend', 'reference'], { ...inDir, env: { DOWNHILL_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

describe('what a table cannot hold', () => {
  it('predict applies a model by feature name: a .dh or CSV in another column order gives the same predictions', () => {
    const csv = runCli(['predict', 'm.json', 'good.csv'], inDir);
    const dh = runCli(['predict', 'm.json', 'reordered.dh'], inDir);
    const swapped = runCli(['predict', 'm.json', 'reordered.csv'], inDir);
    expect(csv.code, csv.stderr).toBe(0);
    expect(dh.stdout).toBe(csv.stdout);
    expect(swapped.stdout).toBe(csv.stdout);
  });

  it('predict --skip-bad-rows keeps output row i = input row i and lists the skipped lines', () => {
    const r = runCli(['predict', 'm.json', 'bad_rows.csv', '--skip-bad-rows'], inDir);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('y_predicted');
    expect([lines[2], lines[4]]).toEqual(['', '']);
    expect(lines[1] !== '' && lines[3] !== '').toBe(true);
    expect(r.stderr).toMatch(/skipped 2 bad rows:\n {2}.*bad_rows\.csv:3 \(column 1 "a"\): expected a number, got "x"\n {2}.*bad_rows\.csv:5 \(column 3 "y"\)/);
  });

  it('a closed output pipe ends quietly (exit 141 like SIGPIPE, no stack trace)', () => {
    const big = put('many.csv', `a,b,y\n${'0.5,0.25,1\n'.repeat(200_000)}`);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" predict m.json "${big}" | head -c 100 > /dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(141);
    expect(r.stderr).toBe('');
  });

  it('a header of 100 000 columns is read in linear time', () => {
    const n = 100_000;
    put('wide.csv', `${Array.from({ length: n }, (_, j) => `c${j}`).join(',')},y\n${Array.from({ length: 3 }, (_, r) => `${Array.from({ length: n }, (_, j) => (j + r) % 5).join(',')},1`).join('\n')}\n`);
    const t0 = performance.now();
    const r = runCli(['train', 'wide.csv', '--target', 'y', '--backend', 'reference', '--epochs', '1', '--lr', '1e-7', '--json'], inDir);
    expect(r.code, r.stderr.slice(0, 500)).toBe(0);
    expect(parseJson(r.stdout).features).toHaveLength(n);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
