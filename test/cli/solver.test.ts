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

describe('downhill train --solver newton, --alpha-path, --cv', () => {
  const cancer = join(__dirname, '../fixtures/real/breast_cancer.csv');
  it('prints every iteration (passes, objective, gradient norm, decrement) and carries them in --json', () => {
    const args = ['train', cancer, '--target', 'y', '--loss', 'logistic', '--penalty', 'l2', '--alpha', '0.01', '--solver', 'newton', '--backend', 'reference'];
    const t = downhill(...args);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/--solver newton converged: \d+ iteration\(s\), \d+ passes over the data/);
    expect(t.stdout).toMatch(/iteration\s+passes\s+objective\s+‖gradient‖\s+decrement\s+step/);
    const j = parseJson(downhill(...args, '--json').stdout);
    expect(j.solve.converged).toBe(true);
    expect(j.solve.history.length).toBe(j.solve.iterations);
    const last = j.solve.history[j.solve.iterations - 1];
    expect(last.passes).toBe(j.solve.passes);
    expect(last.decrement).toBeLessThan(1e-6 * j.solve.history[0].decrement);
    expect(j.solve.reason).toMatch(/Newton decrement/);
    expect(j.path).toBeNull();
  });

  it('prints the path (α, nonzeros, objective, cross-validated loss ± se), marks the chosen α and the folds; --json has them all', () => {
    const args = ['train', cancer, '--target', 'y', '--loss', 'logistic', '--penalty', 'l1', '--solver', 'newton', '--alpha-path', '6', '--alpha-min-ratio', '0.01', '--cv', '3', '--backend', 'reference'];
    const t = downhill(...args);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/regularization path: 6 α's from α_max/);
    expect(t.stdout).toMatch(/step\s+alpha\s+nonzeros\s+objective\s+cv loss \(3 folds\)\s+± se\s+iterations\s+passes/);
    expect(t.stdout).toMatch(/chosen \(\*\): α [\d.e+-]+, step \d: the least mean held-out loss over 3 folds/);
    expect(t.stdout.match(/ {2}fold \d: trained on \d+ rows, held out \d+/g)?.length).toBe(3);
    const j = parseJson(downhill(...args, '--json').stdout);
    expect(j.path.steps.length).toBe(6);
    expect(j.path.steps[0].nonzeros).toBe(0);
    expect(j.path.cv.folds.length).toBe(3);
    expect(j.path.cv.chosen).toBe(j.path.chosen);
    expect(t.stdout).toMatch(new RegExp(`\\*\\s+${j.path.chosen + 1}\\s`));
  });
});
