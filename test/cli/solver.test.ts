// The exact solver from the built CLI (dist/cli.js): --solver exact on the f64 reference path keeps a CSV's digits
// (agreement with Householder QR of the values as written), the f32 path is limited by float32, --json carries the
// solver's findings and the gap history, collinear columns are named, and a loss without a closed form exits 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { downhill, parseJson } from '../helpers/cli';
import { referenceFit } from '../helpers/qr_reference';

const dir = mkdtempSync(join(tmpdir(), 'downhill-solver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// x1 around 1000 with nine decimals (float32 keeps about four of them), x2 in (−1, 1); y = 2·x1 − 3·x2 + 0.5 + noise.
const rng = new Rng(41);
const rows = 3000;
const text: string[] = ['x1,x2,y'];
const x = new Float64Array(rows * 2);
const y = new Float64Array(rows);
for (let r = 0; r < rows; r++) {
  const a = Number((1000 + rng.uniform(0, 1)).toFixed(9));
  const b = Number(rng.uniform(-1, 1).toFixed(9));
  const t = Number((2 * a - 3 * b + 0.5 + 0.01 * rng.normal()).toFixed(9));
  x.set([a, b], r * 2);
  y[r] = t;
  text.push(`${a},${b},${t}`);
}
const precise = join(dir, 'precise.csv');
writeFileSync(precise, text.join('\n') + '\n');
const want = referenceFit(x, y, rows, 2, true);
const rel = (w: number[]) => Math.hypot(w[0] - want.w[0], w[1] - want.w[1]) / Math.hypot(...want.w);

describe('downhill train --solver exact', () => {
  it('on the f64 reference path agrees with QR of the values as written; the f32 path is float32-limited', () => {
    const f64 = downhill('train', precise, '--target', 'y', '--solver', 'exact', '--backend', 'reference', '--json');
    expect(f64.code, f64.stderr).toBe(0);
    const out = parseJson(f64.stdout);
    expect(rel(out.weights)).toBeLessThan(1e-10);
    expect(Math.abs(out.bias - want.b) / Math.abs(want.b)).toBeLessThan(1e-9);
    expect(out).toMatchObject({ solver: 'exact', epochs: 0, gap: null, gapHistory: null });
    expect(out.exact).toMatchObject({ method: 'qr', rank: 3, columns: 3, collinear: [], warnings: [] });
    const f32 = parseJson(downhill('train', precise, '--target', 'y', '--solver', 'exact', '--backend', 'cpu', '--json').stdout);
    console.log(`relative weight error: f64 CSV path ${rel(out.weights).toExponential(2)}, float32 path ${rel(f32.weights).toExponential(2)}`);
    expect(rel(f32.weights)).toBeGreaterThan(1e-8);
    expect(rel(f32.weights)).toBeLessThan(1e-2);
  });

  it('--gap: the gap and coefficient distance after every epoch in --json', () => {
    const r = downhill('train', precise, '--target', 'y', '--gap', '--standardize', '--batch', 'full', '--lr', '0.5', '--epochs', '15', '--backend', 'cpu', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.gapHistory).toHaveLength(15);
    expect(out.gapHistory[14]).toBeLessThan(out.gapHistory[0]);
    expect(out.gap).toBe(out.gapHistory[14]);
    expect(out.coefficientDistance).toBeGreaterThanOrEqual(0);
    expect(out.exact.condition).toBeGreaterThan(0.99);
  });

  it('names collinear columns in a warning; a non-squared loss exits 2 with a hint', () => {
    const lines = ['a,b,c,y'];
    for (let r = 0; r < 200; r++) {
      const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
      lines.push(`${a},${b},${a + b},${a - b + 0.1 * rng.normal()}`);
    }
    const f = join(dir, 'collinear.csv');
    writeFileSync(f, lines.join('\n') + '\n');
    const r = downhill('train', f, '--target', 'y', '--solver', 'exact', '--backend', 'reference');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/warning: rank 3 of 4: collinear columns \(c = 1·a \+ 1·b \+ constant\); its weight is set to 0/);
    const bad = downhill('train', f, '--target', 'y', '--solver', 'exact', '--loss', 'huber');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--solver exact cannot fit this: --loss huber has no closed form \(least squares only\).*use --solver gd/);
  });
});
