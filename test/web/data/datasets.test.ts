// The page's data without a browser: spec keys, the built-in datasets (as src/data generates them, with their
// truth and classes), and the scan pass that counts rows, solves least squares (matching core/lstsq) or finds the
// classes, and samples rows to plot.
import { describe, expect, it } from 'vitest';
import { NormalEquations } from '../../../src/core/lstsq';
import { linearDataset, lineDataset } from '../../../src/data/synthetic';
import { blobsDataset, classesDataset, outlierChunks } from '../../../src/data/synthetic_classes';
import { prepareTargets } from '../../../src/train/targets';
import { BINARY_SCALE, buildSynthetic, dataSettings, dataSummary, fitsInMemory, openData, scanData, specKey, type LoadedData } from '../../../src/web/data/datasets';

/** A file's spec as the page makes it (every column but the target, blanks refused). */
const fileSpec = (file: File, target: string, labels: boolean) => ({ kind: 'file' as const, file, name: file.name, size: file.size, target, labels });

const rowsOf = async (d: LoadedData) => {
  const xs: number[] = [];
  const ys: number[] = [];
  for await (const c of d.source.read()) xs.push(...c.x), ys.push(...c.y);
  return { xs, ys };
};

describe('specs and synthetic data', () => {
  it('keys specs by everything that changes the rows', () => {
    const a = specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 1 });
    expect(specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 2 })).not.toBe(a);
    expect(specKey({ kind: 'linear', rows: 1000, features: 4, noise: 0.1, seed: 1 })).toBe(a);
    const f = new File(['a,b\n1,2\n'], 'x.csv');
    expect(specKey(fileSpec(f, 'a', false))).not.toBe(specKey(fileSpec(f, 'b', false)));
    expect(specKey(fileSpec(f, 'a', true))).not.toBe(specKey(fileSpec(f, 'a', false)));
    const blobs = specKey({ kind: 'blobs', rows: 100, features: 2, classes: 3, seed: 1 });
    expect(specKey({ kind: 'blobs', rows: 100, features: 2, classes: 4, seed: 1 })).not.toBe(blobs);
    expect(specKey({ kind: 'binary', rows: 100, features: 2, seed: 1 })).not.toBe(specKey({ kind: 'binary', rows: 100, features: 2, seed: 2 }));
  });
  it('builds the seeds’ line and the linear problem with their true coefficients, as the CLI does', async () => {
    const line = await buildSynthetic({ kind: 'line', rows: 300, noise: 1, seed: 1 });
    const same = lineDataset(300, 4, 3, 1, 1);
    expect([...line.dataset!.chunks[0].x]).toEqual([...same.chunks[0].x]);
    expect([...line.dataset!.chunks[0].y]).toEqual([...same.chunks[0].y]);
    expect(line.truth).toEqual({ weights: Float64Array.of(3), bias: Float64Array.of(4) });
    expect(line.task).toBe('regression');
    expect(line.source.rows).toBe(300);
    const lin = await buildSynthetic({ kind: 'linear', rows: 500, features: 6, noise: 0.1, seed: 2 });
    expect(lin.truth!.weights).toHaveLength(6);
    expect([...lin.source.features]).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
    expect((await rowsOf(lin)).ys).toEqual([...linearDataset({ rows: 500, features: 6, noise: 0.1, seed: 2 }).chunks[0].y]);
  });
  it('builds the classification and outlier datasets from src/data’s seeded generators, with their truth and classes', async () => {
    const bin = await buildSynthetic({ kind: 'binary', rows: 40_000, features: 3, seed: 5 });
    const ref = classesDataset({ rows: 40_000, features: 3, classes: 2, seed: 5, scale: BINARY_SCALE });
    expect(bin.truth).toEqual(ref.truth);
    expect(bin.task).toBe('classification');
    expect(bin.source.targetLabels).toEqual(['0', '1']);
    const got = await rowsOf(bin);
    expect(got.ys).toEqual(ref.chunks.flatMap((c) => [...c.y])); // the same rows in 32k-row slices as in one chunk
    expect(got.xs.slice(-6)).toEqual([...ref.chunks[0].x.slice(-6)]);
    const blobs = await buildSynthetic({ kind: 'blobs', rows: 900, features: 2, classes: 4, seed: 2 });
    expect(blobs.truth).toBeNull();
    expect(blobs.source.targetLabels).toEqual(['0', '1', '2', '3']);
    expect((await rowsOf(blobs)).ys).toEqual([...blobsDataset({ rows: 900, features: 2, classes: 4, seed: 2 }).chunks[0].y]);
    expect(blobs.description).toMatch(/4 classes/);
    const out = await buildSynthetic({ kind: 'outliers', rows: 2000, features: 1, noise: 0.3, outliers: 0.05, seed: 1 });
    expect(out.task).toBe('regression');
    expect(out.source.targetLabels).toBeUndefined();
    expect((await rowsOf(out)).ys).toEqual([...outlierChunks({ rows: 2000, features: 1, noise: 0.3, seed: 1, outliers: 0.05 })].flatMap((c) => [...c.y]));
    expect(out.truth!.weights).toHaveLength(1);
    // Class datasets refuse a regression loss in the engine; the labels map back to the same indices.
    await expect(prepareTargets(blobs.source, 'squared')).rejects.toThrow(/class labels/);
    expect((await prepareTargets(blobs.source, 'softmax')).classes).toEqual(['0', '1', '2', '3']);
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
    if (exact === null || typeof exact !== 'object') throw new Error(`no exact answer: ${exact}`);
    [...ref.weights, ...ref.bias].forEach((v, i) => expect([...exact.weights, ...exact.bias][i]).toBeCloseTo(v, 9));
    expect(scan.classes).toBeNull();
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
    expect(typeof scan.exact === 'object' && scan.exact?.bias[0]).toBe(0);
  });
  it('counts a CSV file’s rows and names collinear columns (the engine\'s exact solver sets their weight to 0)', async () => {
    const text = 'a,b,y\n' + Array.from({ length: 300 }, (_, i) => `${i},${2 * i},${i % 7}`).join('\n');
    const d = await openData(fileSpec(new File([text], 'dup.csv'), 'y', false));
    const scan = await scanData(d, true);
    expect(scan.rows).toBe(300);
    expect(scan.exactWarnings.join()).toMatch(/rank 2 of 3: collinear columns \(b = 2·a \+ constant\)/);
    expect(typeof scan.exact === 'object' && scan.exact?.weights[1]).toBe(0);
  });
  it('reads classes for classification: the sample holds class indices as the engine numbers them, sorted by x₁', async () => {
    const d = await buildSynthetic({ kind: 'blobs', rows: 3000, features: 2, classes: 3, seed: 1 });
    const scan = await scanData(d, true, { classes: true });
    expect(scan).toMatchObject({ rows: 3000, exact: null, classes: ['0', '1', '2'] });
    expect(new Set(scan.sample.y)).toEqual(new Set([0, 1, 2]));
    const x1 = Array.from({ length: scan.sample.rows }, (_, r) => scan.sample.x[r * 2]);
    expect(x1).toEqual([...x1].sort((a, b) => a - b));
    const text = 'a,label\n' + Array.from({ length: 60 }, (_, i) => `${i},${[10, -1, 10, 3][i % 4]}`).join('\n');
    const f = await openData(fileSpec(new File([text], 'labels.csv'), 'label', true));
    const fs = await scanData(f, true, { classes: true });
    expect(fs.classes).toEqual(['-1', '3', '10']);
    expect(fs.sample.y[0]).toBe(2); // a = 0 has label 10: class index 2
    expect(dataSummary(f, fs)).toBe('labels.csv: 1 feature → label, 60 rows. Task: classification, 3 classes (-1, 3, 10).');
    expect(dataSummary(d, scan)).toBe('Gaussian blobs: 3k rows × 2 features, 3 classes. Task: classification, 3 classes (0, 1, 2).');
    expect(dataSettings(d.spec)).toMatchObject({ kind: 'blobs', rows: 3000, classes: 3, name: 'Gaussian blobs (K classes)' });
    expect(dataSettings(f.spec)).toEqual({ kind: 'file', file: 'labels.csv', target: 'label', labels: true });
  });
  it('reads a file’s text target as class labels when the loss classifies (labels: true)', async () => {
    const text = 'a,b,answer\n' + Array.from({ length: 60 }, (_, i) => `${i},${i % 3},${['yes', 'no'][i % 2]}`).join('\n');
    const f = await openData(fileSpec(new File([text], 'answers.csv'), 'answer', true));
    const scan = await scanData(f, true, { classes: true });
    expect(scan.classes).toEqual(['no', 'yes']);
    expect(scan.sample.y[0]).toBe(1); // a = 0 answered "yes"
    const values = await openData(fileSpec(new File([text], 'answers.csv'), 'answer', false));
    await expect(scanData(values, true)).rejects.toThrow(/answer|yes/);
  });
});
