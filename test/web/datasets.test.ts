// The page's data without a browser: spec keys, synthetic data with its truth, and the scan pass that
// counts rows, solves least squares (matching core/lstsq) and samples rows to plot.
import { describe, expect, it } from 'vitest';
import { NormalEquations } from '../../src/core/lstsq';
import { lineDataset } from '../../src/data/synthetic';
import { buildSynthetic, fitsInMemory, openData, scanData, specKey } from '../../src/web/datasets';

describe('specs and synthetic data', () => {
  it('keys specs by everything that changes the rows', () => {
    const a = specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 1 });
    expect(specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 2 })).not.toBe(a);
    expect(specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 1 })).toBe(a);
    const f = new File(['a,b\n1,2\n'], 'x.csv');
    expect(specKey({ kind: 'file', file: f, target: 'a' })).not.toBe(specKey({ kind: 'file', file: f, target: 'b' }));
  });
  it('builds the seeds’ line and the linear problem with their true coefficients, as the CLI does', async () => {
    const line = await buildSynthetic({ kind: 'line', rows: 300, noise: 1, seed: 1 });
    const same = lineDataset(300, 4, 3, 1, 1);
    expect([...line.dataset!.chunks[0].x]).toEqual([...same.chunks[0].x]);
    expect([...line.dataset!.chunks[0].y]).toEqual([...same.chunks[0].y]);
    expect(line.truth).toEqual({ weights: Float64Array.of(3), bias: 4 });
    expect(line.source.rows).toBe(300);
    const lin = await buildSynthetic({ kind: 'linear', rows: 500, features: 6, noise: 0.1, seed: 2 });
    expect(lin.truth!.weights).toHaveLength(6);
    expect([...lin.source.features]).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
  });
  it('says when data must stream', () => {
    expect(fitsInMemory(1_000_000, 16)).toBe(true);
    expect(fitsInMemory(100_000_000, 16)).toBe(false);
  });
});

describe('scanData', () => {
  it('solves least squares exactly and samples sorted rows', async () => {
    const d = await buildSynthetic({ kind: 'linear', rows: 50_000, features: 5, noise: 0.1, seed: 3 });
    const scan = await scanData(d, true);
    const ne = new NormalEquations(5, true);
    for (const c of d.dataset!.chunks) ne.add(c.x, c.y, c.rows);
    const ref = ne.solve();
    expect(scan.rows).toBe(50_000);
    const exact = scan.exact;
    if (typeof exact !== 'object') throw new Error(`no exact answer: ${exact}`);
    [...ref.weights, ref.bias].forEach((v, i) => expect([...exact.weights, exact.bias][i]).toBeCloseTo(v, 9));
    expect(scan.sample.rows).toBe(1500);
    expect(scan.sample.d).toBe(5);
    const ys = [...scan.sample.y];
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
  });
  it('sorts a one-feature sample by x and fits without a bias when asked', async () => {
    const d = await buildSynthetic({ kind: 'line', rows: 200, noise: 1, seed: 1 });
    const scan = await scanData(d, false);
    expect(scan.sample.rows).toBe(200);
    const xs = [...scan.sample.x];
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(typeof scan.exact === 'object' && scan.exact.bias).toBe(0);
  });
  it('counts a CSV file’s rows and reports singular data', async () => {
    const text = 'a,b,y\n' + Array.from({ length: 300 }, (_, i) => `${i},${2 * i},${i % 7}`).join('\n');
    const d = await openData({ kind: 'file', file: new File([text], 'dup.csv'), target: 'y' });
    const scan = await scanData(d, true);
    expect(scan.rows).toBe(300);
    expect(scan.exact).toBe('singular'); // b = 2a
  });
});
