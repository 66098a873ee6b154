// Sample weights (--weight), offsets (--offset) and balanced class weights on in-process ranks: Σ w is every rank's,
// so a step's gradient is normalised as in one process, and 1, 2 and 4 ranks train one process's model — full-batch
// gradient descent within 1e-6, the exact solver and Newton within 1e-10 — from memory, from a CSV shared out by byte
// ranges (its parts carry the columns), and with held-out rows whose weighted loss is every rank's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend';
import type { Dataset, HostChunk } from '../../src/core/dataset';
import type { ModelParams } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { csvSource } from '../../src/data/node_files';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { classesDataset } from '../../src/data/synthetic_classes';
import type { TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { reference, useBackends } from '../helpers/matrix';
import { onRanks } from '../helpers/ranks';

const fast = useBackends().find((b) => b.name === 'cpu (1 thread)')!;

function relDiff(a: ModelParams, b: ModelParams): number {
  const x = [...a.weights, ...a.bias];
  const y = [...b.weights, ...b.bias];
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]) / Math.max(1, Math.abs(y[i]))));
}

/** The dataset with two more feature columns: "w", integer weights 0…3, and "o", offsets in [−0.25, 0.25). */
function withWeightColumns(ds: Dataset, seed: number): Dataset {
  const rng = new Rng(seed);
  const d = ds.features.length;
  const chunks = ds.chunks.map((c): HostChunk => {
    const x = new Float32Array(c.rows * (d + 2));
    for (let i = 0; i < c.rows; i++) {
      x.set(c.x.subarray(i * d, (i + 1) * d), i * (d + 2));
      x[i * (d + 2) + d] = Math.floor(rng.float24() * 4);
      x[i * (d + 2) + d + 1] = 0.5 * rng.float24() - 0.25;
    }
    return { ...c, x };
  });
  return { ...ds, features: [...ds.features, 'w', 'o'], chunks };
}

const reg = withWeightColumns(linearDataset({ rows: 3000, features: 4, noise: 0.1, seed: 11 }), 12);
const cls = withWeightColumns(classesDataset({ rows: 2000, features: 4, classes: 2, seed: 13 }), 14);

const onSize = (size: number, backend: Backend, ds: Dataset, opts: TrainOptions) =>
  onRanks(size, (c) => train(backend, memorySource(ds), { chunkRows: 128, ...opts, collective: c }));

describe.each([['reference', () => reference], ['cpu (1 thread)', () => fast.backend()]] as const)('weights and offsets on ranks, %s', (_n, backend) => {
  it('full-batch gradient descent: 1, 2 and 4 ranks within 1e-6 of one process, every rank the same model', async () => {
    const opts: TrainOptions = { epochs: 30, batch: Infinity, lr: 0.3, seed: 2, weight: 'w', offset: 'o', standardize: true };
    const plain = await train(backend(), reg, { ...opts, chunkRows: 128 });
    for (const size of [1, 2, 4]) {
      const all = await onSize(size, backend(), reg, opts);
      for (const r of all) expect(relDiff(r.params, plain.params)).toBeLessThan(1e-6);
      expect(all[0].features).toEqual(['x1', 'x2', 'x3', 'x4']);
      expect(Math.abs(all[0].final.loss - plain.final.loss)).toBeLessThan(1e-6 * plain.final.loss);
    }
  });

  it('the exact solver: 1, 2 and 4 ranks within 1e-10 of one process', async () => {
    const opts: TrainOptions = { solver: 'exact', penalty: 'l2', alpha: 0.01, weight: 'w', offset: 'o' };
    const plain = await train(backend(), reg, opts);
    for (const size of [1, 2, 4]) {
      const [r] = await onSize(size, backend(), reg, opts);
      expect(relDiff(r.params, plain.params)).toBeLessThan(1e-10);
      expect(Math.abs(r.objective - plain.objective)).toBeLessThan(1e-9 * plain.objective);
    }
  });
});

describe('weights on ranks with held-out rows and class weights', () => {
  it('logistic with sample weights and a validation share: 2 ranks give one process\'s model and validation loss', async () => {
    const opts: TrainOptions = { loss: 'logistic', epochs: 20, batch: Infinity, lr: 0.5, seed: 3, weight: 'w', validation: 0.2 };
    const plain = await train(reference, cls, { ...opts, chunkRows: 128 });
    const [two] = await onSize(2, reference, cls, opts);
    expect(relDiff(two.params, plain.params)).toBeLessThan(1e-6);
    expect(two.validationRows).toBe(plain.validationRows);
    expect(Math.abs(two.validation!.loss - plain.validation!.loss)).toBeLessThan(1e-9);
  });

  it('Newton with sample weights: 2 and 4 ranks reach one process\'s optimum within 1e-10', async () => {
    const opts: TrainOptions = { loss: 'logistic', penalty: 'l2', alpha: 0.01, solver: 'newton', solverTol: 1e-14, weight: 'w', offset: 'o' };
    const plain = await train(reference, cls, { ...opts, chunkRows: 128 });
    for (const size of [2, 4]) {
      const [r] = await onSize(size, reference, cls, opts);
      expect(relDiff(r.params, plain.params)).toBeLessThan(1e-10);
    }
  });

  it('--sync-every with sample weights: every rank ends with the same model, near one process\'s weighted optimum', async () => {
    const opts: TrainOptions = { epochs: 12, batch: 100, lr: 0.1, seed: 5, weight: 'w', offset: 'o', syncEvery: 4 };
    const exact = await train(reference, reg, { solver: 'exact', weight: 'w', offset: 'o' });
    const all = await onSize(2, reference, reg, opts);
    expect(all[1].params).toEqual(all[0].params);
    expect(relDiff(all[0].params, exact.params)).toBeLessThan(0.02);
  });

  it('--class-weight balanced: 2 ranks count every rank\'s classes and give one process\'s model', async () => {
    const opts: TrainOptions = { loss: 'logistic', epochs: 20, batch: Infinity, lr: 0.5, seed: 3, classWeight: 'balanced', weight: 'w' };
    const plain = await train(reference, cls, { ...opts, chunkRows: 128 });
    const [two] = await onSize(2, reference, cls, opts);
    expect(relDiff(two.params, plain.params)).toBeLessThan(1e-6);
  });
});

describe('a weighted CSV shared out by byte ranges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'downhill-dist-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'weighted.csv');
  const c = reg.chunks;
  const lines = c.flatMap((ch) => Array.from({ length: ch.rows }, (_, i) => [...ch.x.subarray(i * 6, (i + 1) * 6), ch.y[i]].join(',')));
  writeFileSync(file, `${[...reg.features, reg.target].join(',')}\n${lines.join('\n')}\n`);

  it('3 ranks read the weight and offset columns from their parts: one process\'s model', async () => {
    const opts: TrainOptions = { epochs: 20, batch: Infinity, lr: 0.3, chunkRows: 100, weight: 'w', offset: 'o' };
    const plain = await train(reference, await csvSource(file, { target: reg.target }), opts);
    const [r] = await onRanks(3, async (col) => train(reference, await csvSource(file, { target: reg.target }), { ...opts, collective: col }));
    expect(r.rows).toBe(3000);
    expect(relDiff(r.params, plain.params)).toBeLessThan(1e-9);
  });
});
