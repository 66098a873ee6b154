// `downhill gen --task binary|multiclass|blobs` and `--outliers` (src/cli/commands/gen.ts) on real temp files: the
// rows written are the generators' rows (classesChunks, blobsDataset, outlierChunks) in .csv, .npy and .dh alike,
// the truth sidecar records the model, output is reproducible by seed, and options that do not apply are refused.
// Also the streaming blobs generator (src/data/synthetic_blobs.ts) against the in-memory one.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { genCommand } from '../../src/cli/commands/gen';
import { cacheSource } from '../../src/data/cache';
import { csvSource } from '../../src/data/node_files';
import { npySource } from '../../src/data/npy';
import { linearDataset } from '../../src/data/synthetic';
import { blobCenters, blobsChunks } from '../../src/data/synthetic_blobs';
import { blobsDataset, classesDataset, classesTruth, outlierChunks } from '../../src/data/synthetic_classes';
import { syntheticTruth } from '../../src/data/synthetic_stream';
import { firstDiff, flatten, gather, rejection, tempDir, type Gathered } from './helpers';

const tmp = tempDir('gen-classes');
let out: MockInstance;
beforeEach(() => {
  out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => out.mockRestore());
const printed = () => out.mock.calls.map((c) => String(c[0])).join('');
const truthOf = (file: string) => JSON.parse(fs.readFileSync(`${file}.truth.json`, 'utf8'));

/** Writes one data set as .csv, .npy and .dh and returns the rows read back, checked equal across the three. */
async function genAll(stem: string, argv: string[]): Promise<Gathered> {
  for (const ext of ['csv', 'npy', 'dh']) expect(await genCommand(['-o', tmp.file(`${stem}.${ext}`), ...argv])).toBe(0);
  const csv = await gather(await csvSource(tmp.file(`${stem}.csv`), { target: 'y' }));
  const npy = await gather(await npySource({ x: tmp.file(`${stem}.npy`), y: tmp.file(`${stem}.y.npy`) }));
  const dh = await gather(await cacheSource(tmp.file(`${stem}.dh`)));
  for (const other of [npy, dh]) {
    expect(firstDiff(other.x, csv.x)).toBe(-1);
    expect(firstDiff(other.y, csv.y)).toBe(-1);
  }
  return csv;
}

const same = (a: Gathered, b: Gathered) => {
  expect(a.rows).toBe(b.rows);
  expect(firstDiff(a.x, b.x)).toBe(-1);
  expect(firstDiff(a.y, b.y)).toBe(-1);
};

describe('gen --task binary and multiclass', () => {
  it('writes labels drawn from the logistic model, as 0/1 in every format, with the one weight row in the truth', async () => {
    const g = await genAll('bin', ['--task', 'binary', '--rows', '3000', '--features', '3', '--seed', '5', '--scale', '4']);
    same(g, flatten(classesDataset({ rows: 3000, features: 3, classes: 2, seed: 5, scale: 4 })));
    expect(new Set(g.y)).toEqual(new Set([0, 1]));
    const t = classesTruth(3, 2, 5, 4);
    expect(truthOf(tmp.file('bin.csv'))).toEqual({
      format: 'downhill.truth', task: 'binary', features: ['x1', 'x2', 'x3'], target: 'y', model: 'logistic', classes: 2,
      weights: [[...t.weights]], bias: [...t.bias], scale: 4, seed: 5, rows: 3000,
    });
    // The labels follow the model: rows with x·w + b > 2 are mostly class 1.
    let agree = 0;
    let confident = 0;
    for (let r = 0; r < g.rows; r++) {
      const z = t.bias[0] + [0, 1, 2].reduce((s, j) => s + g.x[r * 3 + j] * t.weights[j], 0);
      if (Math.abs(z) < 2) continue;
      confident++;
      if ((z > 0 ? 1 : 0) === g.y[r]) agree++;
    }
    expect(agree / confident).toBeGreaterThan(0.85);
    expect(printed()).toContain(`3000 rows × 3 features (binary, seed 5, 2 classes); the true model in ${tmp.file('bin.dh.truth.json')}`);
  });

  it('writes K classes from the softmax model with K weight rows, and CSV labels read back as the same classes', async () => {
    const g = await genAll('multi', ['--task', 'multiclass', '--classes', '4', '--rows', '2000', '--features', '2', '--seed', '1']);
    same(g, flatten(classesDataset({ rows: 2000, features: 2, classes: 4, seed: 1 })));
    expect([...new Set(g.y)].sort()).toEqual([0, 1, 2, 3]);
    const truth = truthOf(tmp.file('multi.npy'));
    const t = classesTruth(2, 4, 1, 2);
    expect(truth).toMatchObject({ task: 'multiclass', model: 'softmax', classes: 4, scale: 2, bias: [...t.bias] });
    expect(truth.weights).toEqual([0, 1, 2, 3].map((c) => [...t.weights.subarray(2 * c, 2 * c + 2)]));
    const labeled = await csvSource(tmp.file('multi.csv'), { target: 'y', labels: true });
    const back = await gather(labeled);
    expect(back.y.map((k) => Number(labeled.targetLabels![k]))).toEqual(g.y);
  });
});

describe('gen --task blobs', () => {
  it('streams the rows and centers of blobsDataset, in any chunking', () => {
    const o = { rows: 1001, features: 3, classes: 5, spread: 0.3, seed: 9 };
    const ref = blobsDataset(o);
    for (const per of [1, 7, 1000, 5000]) same(flatten({ ...ref, chunks: [...blobsChunks(o, per)] }), flatten(ref));
    expect([...blobCenters(o)]).toEqual([...ref.centers]);
  });

  it('writes blobs in every format across chunk boundaries, with the centers in the truth', async () => {
    const rows = 70000; // more than one 65536-row chunk
    const g = await genAll('blobs', ['--task', 'blobs', '--classes', '3', '--spread', '0.2', '--rows', String(rows), '--features', '2', '--seed', '2']);
    const ref = blobsDataset({ rows, features: 2, classes: 3, spread: 0.2, seed: 2 });
    same(g, flatten(ref));
    const truth = truthOf(tmp.file('blobs.dh'));
    expect(truth).toMatchObject({ task: 'blobs', classes: 3, spread: 0.2, seed: 2, rows });
    expect(truth.centers).toEqual([0, 1, 2].map((c) => [...ref.centers.subarray(2 * c, 2 * c + 2)]));
    expect(truth).not.toHaveProperty('weights');
  });
});

describe('gen --outliers', () => {
  it('moves the given fraction of y by a gross error and leaves x and every other row as linearDataset has them', async () => {
    const argv = ['--rows', '4000', '--features', '3', '--seed', '4', '--noise', '0.1', '--outliers', '0.05'];
    const g = await genAll('out', argv);
    const o = { rows: 4000, features: 3, seed: 4, noise: 0.1 };
    same(g, flatten({ ...linearDataset(o), chunks: [...outlierChunks({ ...o, outliers: 0.05 })] }));
    const clean = flatten(linearDataset(o));
    expect(firstDiff(g.x, clean.x)).toBe(-1);
    const moved = g.y.filter((y, i) => y !== clean.y[i]).length;
    expect(moved / 4000).toBeGreaterThan(0.035);
    expect(moved / 4000).toBeLessThan(0.065);
    expect(g.y.every((y, i) => y === clean.y[i] || Math.abs(y - clean.y[i]) >= 20)).toBe(true);
    const truth = truthOf(tmp.file('out.csv'));
    expect(truth).toMatchObject({ task: 'regression', outliers: 0.05, noise: 0.1, bias: 0.5, weights: [...syntheticTruth(3, 4).weights] });
  });
});

describe('gen: seeds and options', () => {
  it('is reproducible for a seed and different for another, for every task', async () => {
    const tasks = [['--task', 'binary'], ['--task', 'multiclass', '--classes', '5'], ['--task', 'blobs'], ['--outliers', '0.1']];
    for (const [k, t] of tasks.entries()) {
      const argv = [...t, '--rows', '500', '--features', '2'];
      const files = ['a', 'b', 'c'].map((n) => tmp.file(`seed${k}${n}.csv`));
      await genCommand(['-o', files[0], ...argv, '--seed', '3']);
      await genCommand(['-o', files[1], ...argv, '--seed', '3']);
      await genCommand(['-o', files[2], ...argv, '--seed', '4']);
      const [a, b, c] = files.map((f) => fs.readFileSync(f, 'utf8'));
      expect(a, t.join(' ')).toBe(b);
      expect(a, t.join(' ')).not.toBe(c);
      expect(fs.readFileSync(`${files[0]}.truth.json`, 'utf8')).toBe(fs.readFileSync(`${files[1]}.truth.json`, 'utf8'));
    }
  });

  it('refuses unknown tasks, options that do not apply, and values out of range, naming the option', async () => {
    const base = ['-o', tmp.file('bad.csv'), '--rows', '10', '--features', '2'];
    const cases: [string[], RegExp][] = [
      [['--task', 'ranking'], /--task expects one of regression, binary, multiclass, blobs, ctr, got "ranking"/],
      [['--classes', '3'], /--classes applies to --task binary or multiclass or blobs, not regression/],
      [['--task', 'binary', '--outliers', '0.1'], /--outliers applies to --task regression, not binary/],
      [['--task', 'blobs', '--scale', '2'], /--scale applies to --task binary or multiclass, not blobs/],
      [['--task', 'multiclass', '--spread', '1'], /--spread applies to --task blobs, not multiclass/],
      [['--task', 'binary', '--noise', '1'], /--noise applies to --task regression, not binary/],
      [['--task', 'binary', '--classes', '3'], /--task binary has 2 classes, got --classes 3/],
      [['--task', 'multiclass', '--classes', '2'], /--classes expects an integer ≥ 3, got "2"/],
      [['--task', 'multiclass', '--classes', '1001'], /--classes expects an integer from 3 to 1000/],
      [['--task', 'blobs', '--classes', '1'], /--classes expects an integer ≥ 2, got "1"/],
      [['--task', 'binary', '--scale', '0'], /--scale expects a number > 0, got "0"/],
      [['--task', 'blobs', '--spread=-1'], /--spread expects a number ≥ 0/],
      [['--outliers', '1'], /--outliers expects a fraction in \[0, 1\), got "1"/],
    ];
    for (const [extra, re] of cases) {
      const e = await rejection(genCommand([...base, ...extra]));
      expect(e, extra.join(' ')).toBeInstanceOf(UsageError);
      expect(e.message, extra.join(' ')).toMatch(re);
    }
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('bad.'))).toEqual([]);
  });
});
