// In-process tests of `downhill convert` and `downhill gen` (src/cli/commands/convert.ts, gen.ts) on real
// temp files: a converted cache reads back equal to parseCsv of the CSV; gen writes the same rows as .csv,
// .npy and .dh (and linearDataset's rows for the seed); outputs are atomic and the input is never touched.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { convertCommand } from '../../src/cli/commands/convert';
import { genCommand } from '../../src/cli/commands/gen';
import { cacheSource } from '../../src/data/cache';
import { DataError, parseCsv } from '../../src/data/csv';
import { csvSource } from '../../src/data/node_files';
import { npySource } from '../../src/data/npy';
import { linearDataset } from '../../src/data/synthetic';
import { syntheticTruth } from '../../src/data/synthetic_stream';
import { firstDiff, flatten, gather, rejection, tempDir } from './helpers';

const tmp = tempDir('cmd');
let out: MockInstance;
beforeEach(() => {
  out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => out.mockRestore());
const printed = () => out.mock.calls.map((c) => String(c[0])).join('');

describe('convert', () => {
  const text = 'id,size,"age; years",price\r\n1,10.5,3,100\r\n2,oops,4,200\r\n3,7.25,,300\r\n4,1e3,-2,400.5\r\n';

  it('writes a cache that reads back equal to parseCsv of the CSV, with statistics', async () => {
    const csv = tmp.file('ok.csv', 'size;age;price\n' + Array.from({ length: 500 }, (_, i) => `${i / 8};${(i * 37) % 11};${i * 0.1}`).join('\n'));
    const dh = tmp.file('ok.dh');
    expect(await convertCommand([csv, '-o', dh, '--target', 'price'])).toBe(0);
    expect(printed()).toBe(`wrote ${dh}: 500 rows × 2 features, target "price"\n`);
    const ref = flatten(parseCsv(fs.readFileSync(csv, 'utf8'), { file: csv, target: 'price' }));
    const src = await cacheSource(dh);
    const g = await gather(src);
    expect([src.features, src.target, g.rows]).toEqual([['size', 'age'], 'price', 500]);
    expect(firstDiff(g.x, ref.x)).toBe(-1);
    expect(firstDiff(g.y, ref.y)).toBe(-1);
    expect(src.stats.features[0].max).toBe(499 / 8);
  });

  it('skips bad rows on request, selects features, and never touches the input', async () => {
    const csv = tmp.file('bad.csv', text);
    const dh = tmp.file('bad.dh');
    expect(await convertCommand([csv, '-o', dh, '--target', 'price', '--features', 'age; years,size', '--skip-bad-rows'])).toBe(0);
    expect(printed()).toContain('2 rows × 2 features, target "price" (2 bad rows skipped)');
    const g = await gather(await cacheSource(dh));
    expect([g.x, g.y]).toEqual([[3, 10.5, -2, 1000], [100, 400.5]]);
    expect(fs.readFileSync(csv, 'utf8')).toBe(text);
  });

  it('stops at the first bad row with a DataError and writes nothing', async () => {
    const csv = tmp.file('stop.csv', text);
    const dh = tmp.file('stop.dh');
    const e = await rejection(convertCommand([csv, '-o', dh, '--target', 'price']));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`${csv}:3 (column 2 "size"): expected a number, got "oops"`);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('stop.dh'))).toEqual([]);
  });

  it('converts .npy pairs found by name, and one matrix with --target <index>', async () => {
    const x = tmp.file('g.npy');
    expect(await genCommand(['-o', x, '--rows', '50', '--features', '3', '--seed', '5'])).toBe(0);
    const dh = tmp.file('g.dh');
    expect(await convertCommand([x, '-o', dh])).toBe(0);
    const viaCache = await gather(await cacheSource(dh));
    const direct = await gather(await npySource({ x, y: tmp.file('g.y.npy') }));
    expect(firstDiff(viaCache.x, direct.x)).toBe(-1);
    expect(firstDiff(viaCache.y, direct.y)).toBe(-1);
    const m = tmp.file('m.dh');
    expect(await convertCommand([x, '-o', m, '--target', '0', '--features', 'b,c'])).toBe(0);
    const g = await gather(await cacheSource(m));
    expect(g.y).toEqual(direct.x.filter((_, i) => i % 3 === 0));
    expect((await cacheSource(m)).features).toEqual(['b', 'c']);
  });

  it('usage errors: no input, no -o, not .dh, output = input, unknown input type, missing --target', async () => {
    const csv = tmp.file('u.csv', 'a,y\n1,2\n');
    const cases: [string[], RegExp][] = [
      [[], /needs an input file/], [[csv], /needs -o/], [[csv, '-o', tmp.file('u.bin')], /must be a \.dh cache/],
      [[tmp.file('u.dh'), '-o', tmp.file('u.dh')], /the output .*u\.dh is the input/], [[tmp.file('u.json', '{"a": 1}\n'), '-o', tmp.file('v.dh')], /expected a \.csv/],
      [[csv, '-o', tmp.file('v.dh')], /needs --target/], [[csv, '--bogus'], /unknown option --bogus/],
    ];
    for (const [argv, re] of cases) {
      const e = await rejection(convertCommand(argv));
      expect(e, argv.join(' ')).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(re);
    }
  });
});

describe('gen', () => {
  const args = ['--rows', '1500', '--features', '4', '--seed', '3', '--noise', '0.2', '--scales', '1,10,0.01,1000'];

  it('writes the same rows as .csv, .npy and .dh, with the truth in a sidecar', async () => {
    for (const ext of ['csv', 'npy', 'dh']) expect(await genCommand(['-o', tmp.file(`s.${ext}`), ...args])).toBe(0);
    const csv = await gather(await csvSource(tmp.file('s.csv'), { target: 'y' }));
    const dh = await gather(await cacheSource(tmp.file('s.dh')));
    const npy = await gather(await npySource({ x: tmp.file('s.npy'), y: tmp.file('s.y.npy') }));
    expect(csv.rows).toBe(1500);
    for (const other of [dh, npy]) {
      expect(firstDiff(csv.x, other.x)).toBe(-1);
      expect(firstDiff(csv.y, other.y)).toBe(-1);
    }
    const ref = flatten(linearDataset({ rows: 1500, features: 4, seed: 3, noise: 0.2, scales: [1, 10, 0.01, 1000] }));
    expect(firstDiff(dh.x, ref.x)).toBe(-1);
    expect(firstDiff(dh.y, ref.y)).toBe(-1);
    const truth = JSON.parse(fs.readFileSync(tmp.file('s.dh.truth.json'), 'utf8'));
    expect(truth).toMatchObject({ format: 'downhill.truth', bias: 0.5, noise: 0.2, seed: 3, rows: 1500, scales: [1, 10, 0.01, 1000] });
    expect(truth.weights).toEqual([...syntheticTruth(4, 3).weights]);
    expect(printed()).toContain(`true coefficients in ${tmp.file('s.dh.truth.json')}`);
  });

  it('is reproducible for a seed and different for another', async () => {
    await genCommand(['-o', tmp.file('r1.csv'), ...args]);
    await genCommand(['-o', tmp.file('r2.csv'), ...args]);
    await genCommand(['-o', tmp.file('r3.csv'), ...args.slice(0, 5), '4']);
    const [a, b, c] = ['r1', 'r2', 'r3'].map((n) => fs.readFileSync(tmp.file(`${n}.csv`), 'utf8'));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.split('\n')[0]).toBe('x1,x2,x3,x4,y');
  });

  it('usage errors name the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--rows', '5', '--features', '2'], /needs -o/], [['-o', tmp.file('e.csv'), '--rows', '5'], /needs --rows N and --features D/],
      [['-o', tmp.file('e.txt'), '--rows', '5', '--features', '2'], /writes \.csv, \.npy or \.dh/],
      [['-o', tmp.file('e.csv'), '--rows', '0', '--features', '2'], /--rows expects an integer ≥ 1, got "0"/],
      [['-o', tmp.file('e.csv'), '--rows', '5', '--features', '2', '--scales', '1,2,3'], /--scales expects 1 or 2 values, got 3/],
      [['-o', tmp.file('e.csv'), '--rows', '5', '--features', '2', '--noise=-1'], /--noise expects a number ≥ 0/],
    ];
    for (const [argv, re] of cases) {
      const e = await rejection(genCommand(argv));
      expect(e, argv.join(' ')).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(re);
    }
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('e.') || f.startsWith('.e.'))).toEqual([]);
  });
});
