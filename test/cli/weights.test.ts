// Sample weights, offsets and class weights through the built CLI (dist/cli.js), as a user runs them: `--weight w`
// on a CSV trains what the rows repeated w times train (the exact solver's f64 rows too); `--offset` on Poisson counts
// with log exposure is saved in the model file and applied by predict (which needs no weight column);
// `--class-weight balanced` is the weight column n / (K · n_class); bad weights and missing columns are named.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { downhill, parseJson } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

/** A Poisson draw by inversion (small means). */
function poisson(rng: Rng, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rng.uniform(0, 1);
  while (u > cdf && k < 1000) p *= mean / ++k, cdf += p;
  return k;
}

// Rows x1, x2, an integer weight 0…3, the log exposure, a count with mean e·exp(0.3 + 0.5·x1 − 0.4·x2), a
// linear target; the same rows repeated w times without the weight column.
const rng = new Rng(19);
const rows: { x1: string; x2: string; w: number; lx: string; count: number; y: string; label: string }[] = [];
for (let i = 0; i < 2000; i++) {
  const x1 = rng.uniform(-1, 1).toFixed(4);
  const x2 = rng.uniform(-1, 1).toFixed(4);
  const e = rng.uniform(0.5, 3);
  const count = poisson(rng, e * Math.exp(0.3 + 0.5 * Number(x1) - 0.4 * Number(x2)));
  const y = (1 + 2 * Number(x1) - Number(x2) + rng.uniform(-0.5, 0.5)).toFixed(4);
  rows.push({ x1, x2, w: Math.floor(rng.uniform(0, 4)), lx: Math.log(e).toFixed(6), count, y, label: Number(x1) + 0.6 * Number(x2) > 0.5 ? 'rare' : 'common' });
}
const weighted = file('weighted.csv', ['x1,x2,w,logexp,count,y', ...rows.map((r) => `${r.x1},${r.x2},${r.w},${r.lx},${r.count},${r.y}`)]);
const repeated = file('repeated.csv', ['x1,x2,logexp,count,y', ...rows.flatMap((r) => Array<string>(r.w).fill(`${r.x1},${r.x2},${r.lx},${r.count},${r.y}`))]);

const trainJson = (...args: string[]) => {
  const r = downhill('train', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return parseJson(r.stdout);
};
const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => expect(Math.abs(v - b[i]), `${a} vs ${b}`).toBeLessThan(tol));

describe('downhill train --weight', () => {
  it('--solver exact on the f64 rows: the weighted fit is the fit on rows repeated w times', () => {
    const got = trainJson(weighted, '--target', 'y', '--features', 'x1,x2', '--weight', 'w', '--solver', 'exact', '--backend', 'reference');
    const want = trainJson(repeated, '--target', 'y', '--features', 'x1,x2', '--solver', 'exact', '--backend', 'reference');
    expect(got.features).toEqual(['x1', 'x2']);
    expect(got.training.weight).toBe('w');
    close([...got.weights, got.bias], [...want.weights, want.bias], 1e-9);
    expect(got.mse).toBeCloseTo(want.mse, 9);
  });

  // WebGPU trains weights and offsets in test/train/weights.test.ts (its shader compiles are slow on lavapipe).
  it('--loss poisson --offset by Newton: the weighted fit on the CPU backend is the repeated rows\' fit', () => {
    const want = trainJson(repeated, '--target', 'count', '--features', 'x1,x2', '--offset', 'logexp', '--loss', 'poisson', '--solver', 'newton', '--backend', 'reference');
    const got = trainJson(weighted, '--target', 'count', '--features', 'x1,x2', '--weight', 'w', '--offset', 'logexp', '--loss', 'poisson', '--solver', 'newton', '--backend', 'cpu');
    close([...got.weights, got.bias], [...want.weights, want.bias], 1e-4);
    // The offset carries the exposure: the rate's coefficients come back near the truth (0.5, −0.4; bias 0.3).
    close([...want.weights, want.bias], [0.5, -0.4, 0.3], 0.15);
  });

  it('a negative or NaN weight stops with the file, the row and the column; a missing column is named', () => {
    const bad = file('bad.csv', ['x1,w,y', '1,1,2', '2,-0.5,3', '3,1,4']);
    let r = downhill('train', bad, '--target', 'y', '--weight', 'w', '--backend', 'reference');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.csv.*row 2.*column "w".*a sample weight must be a finite number ≥ 0, got -0\.5/);
    const nan = file('nan.csv', ['x1,w,y', '1,1,2', '2,1,3', '3,NaN,4']);
    r = downhill('train', nan, '--target', 'y', '--weight', 'w', '--backend', 'reference');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nan\.csv:4 \(column 2 "w"\): expected a number, got "NaN"/);
    r = downhill('train', weighted, '--target', 'y', '--weight', 'wt', '--backend', 'reference');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--weight: there is no column "wt"/);
  });
});

describe('a model trained with --offset', () => {
  const model = join(dir, 'poisson.json');
  it('records the offset column; predict adds it (no weight column needed) and names it when missing', () => {
    const t = trainJson(weighted, '--target', 'count', '--features', 'x1,x2', '--weight', 'w', '--offset', 'logexp', '--loss', 'poisson', '--solver', 'newton', '--backend', 'reference', '--save', model);
    expect(t.features).toEqual(['x1', 'x2']);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved.offset).toBe('logexp');
    expect(saved.features).toEqual(['x1', 'x2']);
    expect(saved.training.weight).toBe('w');
    // Data without the weight column, the offset under its own name and then renamed.
    const data = rows.slice(0, 5);
    const plain = file('new.csv', ['logexp,x2,x1', ...data.map((r) => `${r.lx},${r.x2},${r.x1}`)]);
    const p = downhill('predict', model, plain);
    expect(p.code, p.stderr).toBe(0);
    const values = p.stdout.trim().split('\n').slice(1).map(Number);
    data.forEach((r, i) => {
      const z = t.weights[0] * Number(r.x1) + t.weights[1] * Number(r.x2) + t.bias + Number(r.lx);
      expect(values[i]).toBeCloseTo(Math.exp(z), 4);
    });
    const renamed = file('renamed.csv', ['x1,x2,exposure_log', ...data.map((r) => `${r.x1},${r.x2},${r.lx}`)]);
    expect(downhill('predict', model, renamed, '--offset', 'exposure_log').stdout).toBe(p.stdout);
    const r = downhill('predict', model, renamed);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/trained with the offset column "logexp".*--offset <column>/);
  });
});

describe('downhill train --class-weight balanced', () => {
  it('trains what the weight column n / (K · n_class) trains', () => {
    const n = rows.length;
    const rare = rows.filter((r) => r.label === 'rare').length;
    const cw = (r: (typeof rows)[number]) => n / (2 * (r.label === 'rare' ? rare : n - rare));
    const labels = file('labels.csv', ['x1,x2,cw,label', ...rows.map((r) => `${r.x1},${r.x2},${cw(r)},${r.label}`)]);
    const opts = ['--target', 'label', '--features', 'x1,x2', '--loss', 'logistic', '--penalty', 'l2', '--alpha', '0.01', '--solver', 'newton', '--backend', 'reference'];
    const got = trainJson(labels, ...opts, '--class-weight', 'balanced');
    const want = trainJson(labels, ...opts, '--weight', 'cw');
    expect(got.training.classWeight ?? got.training['class-weight']).toBe('balanced');
    close([...got.weights, got.bias], [...want.weights, want.bias], 1e-6);
    const plain = trainJson(labels, ...opts);
    expect(Math.abs(plain.bias - got.bias)).toBeGreaterThan(0.1);
  });

  it('help says how an offset enters a loss without a log link', () => {
    const r = downhill('train', '--help');
    expect(r.stdout + r.stderr).toMatch(/--offset/);
    expect(r.stdout + r.stderr).toMatch(/identity/);
  });
});

describe('downhill train --weight with categorical columns', () => {
  it('--weight beside a categorical column is refused, not ignored', () => {
    const cats = file('cats.csv', ['x1,city,w,y', ...rows.slice(0, 50).map((r, i) => `${r.x1},${['a', 'b', 'c'][i % 3]},${r.w},${r.y}`)]);
    const r = downhill('train', cats, '--target', 'y', '--weight', 'w', '--backend', 'reference');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--weight is not supported with categorical\/sparse features yet/);
  });
});
