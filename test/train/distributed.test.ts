// Data-parallel training on in-process ranks (test/helpers/ranks.ts: the TCP ranks' algorithms over queues): 1, 2
// and 4 ranks give the same model — full-batch gradient descent within 1e-6, mini-batch SGD with the same global
// batch within 1e-5, the exact solver within 1e-10 — on the f64 reference and the fast CPU backend; shares cover the
// rows once; classes, statistics and held-out rows are every rank's; a stop on one rank stops all after the same
// step; checkpoints come from rank 0 alone, record the shares, and resume to the uninterrupted model. Newton, L-BFGS
// and a cross-validated path reach one process's answer; CSV, .dh and Parquet sources are shared out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { cacheSource, writeCache } from '../../src/data/cache';
import { csvSource, parquetFileSource } from '../../src/data/node_files';
import type { Backend } from '../../src/backend';
import type { ModelParams } from '../../src/core/model';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { classesDataset } from '../../src/data/synthetic_classes';
import type { Checkpoint } from '../../src/train/checkpoint';
import type { TrainOptions } from '../../src/train/plan';
import type { TrainResult } from '../../src/train/report';
import { distChunkRows, rankRecord, shardLayout } from '../../src/train/shards';
import { train } from '../../src/train/train';
import { reference, useBackends } from '../helpers/matrix';
import { onRanks } from '../helpers/ranks';

const BACKENDS = useBackends();
const fast = BACKENDS.find((b) => b.name === 'cpu (1 thread)')!;
const webgpu = BACKENDS.find((b) => b.kind === 'webgpu')!;
const data = linearDataset({ rows: 3000, features: 5, noise: 0.1, seed: 1 });
const CHUNK = 256;

/** The largest |a − b| / max(1, |b|) over every parameter. */
function relDiff(a: ModelParams, b: ModelParams): number {
  const x = [...a.weights, ...a.bias];
  const y = [...b.weights, ...b.bias];
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]) / Math.max(1, Math.abs(y[i]))));
}

/** Trains on `size` in-process ranks; every rank's result (rank 0's first). */
function onSize(size: number, backend: () => Backend, opts: TrainOptions, perRank: (rank: number) => TrainOptions = () => ({})): Promise<TrainResult[]> {
  return onRanks(size, (collective) => train(backend(), memorySource(data), { chunkRows: CHUNK, ...opts, ...perRank(collective.rank), collective }));
}

describe('shares', () => {
  it('cover every row exactly once, in whole chunks, for any number of ranks', () => {
    for (const [rows, chunk, size] of [[3000, 256, 4], [1000, 1, 7], [65, 64, 2], [12, 3, 4]]) {
      let next = 0;
      for (let r = 0; r < size; r++) {
        const l = shardLayout(rows, chunk, r, size);
        expect(l.firstRow).toBe(next);
        expect(l.firstRow % chunk).toBe(0);
        next = l.endRow;
      }
      expect(next).toBe(rows);
      expect(rankRecord(rows, chunk, size, 1).shards.reduce((n, s) => n + s.rows, 0)).toBe(rows);
    }
  });

  it('are cut by a chunk size that depends on the data alone: rows/64 in [256, 2^20], whole row groups when they are even', () => {
    expect(distChunkRows(3000, 1e9, Infinity)).toBe(256);
    expect(distChunkRows(64e6, 1e9, Infinity)).toBe(1e6);
    expect(distChunkRows(1e9, 1e9, Infinity)).toBe(1 << 20);
    expect(distChunkRows(1e9, 5000, Infinity)).toBe(5000);
    expect(distChunkRows(3000, 1e9, 100)).toBe(100);
    expect(distChunkRows(64e6, 1e9, Infinity, [300_000, 300_000, 100])).toBe(900_000);
    expect(distChunkRows(10_000, 1e9, Infinity, [1000, 1000, 1000])).toBe(1000);
    expect(distChunkRows(10_000, 1e9, Infinity, [1000, 900, 1000])).toBe(256);
  });

  it('refuse a rank without rows, saying what to change', () => {
    expect(() => shardLayout(1000, 600, 2, 4)).toThrow(/4 ranks need at least 4 chunks.*--chunk-rows 250/);
  });
});

describe.each([['reference', () => reference], ['cpu (1 thread)', () => fast.backend()]] as const)('on %s', (_name, backend) => {
  it('1, 2 and 4 ranks: full-batch gradient descent within 1e-6, every rank the same model', async () => {
    const opts: TrainOptions = { epochs: 40, batch: Infinity, lr: 0.3, seed: 2 };
    const [one] = await onSize(1, backend, opts);
    for (const size of [2, 4]) {
      const all = await onSize(size, backend, opts);
      for (const r of all) expect(relDiff(r.params, one.params)).toBeLessThan(1e-6);
      expect(all[size - 1].params).toEqual(all[0].params);
      expect(all[0].rows).toBe(3000);
    }
    const plain = await train(backend(), data, { ...opts, chunkRows: CHUNK });
    expect(relDiff(plain.params, one.params)).toBeLessThan(1e-6);
  });

  it('1, 2 and 4 ranks: shuffled mini-batch SGD with the same global batch within 1e-5', async () => {
    // B = 1024 over 30 chunks: 2 stripes (core/stripes.ts) of 15 chunks, so every rank has rows in every step.
    const opts: TrainOptions = { epochs: 3, batch: 1024, lr: 0.2, seed: 7, optimizer: 'momentum', chunkRows: 100 };
    const [one] = await onSize(1, backend, opts);
    for (const size of [2, 4]) {
      const [r] = await onSize(size, backend, opts);
      expect(relDiff(r.params, one.params)).toBeLessThan(1e-5);
      expect(r.epochs.map((e) => e.steps)).toEqual([3, 3, 3]);
    }
  });

  it('1, 2 and 4 ranks: the exact solver within 1e-10 of one process', async () => {
    const plain = await train(backend(), data, { solver: 'exact', penalty: 'l2', alpha: 0.01, standardize: true });
    for (const size of [1, 2, 4]) {
      const [r] = await onSize(size, backend, { solver: 'exact', penalty: 'l2', alpha: 0.01, standardize: true });
      expect(relDiff(r.params, plain.params)).toBeLessThan(1e-10);
      expect(r.rows).toBe(3000);
      expect(Math.abs(r.final.loss - plain.final.loss)).toBeLessThan(1e-9 * plain.final.loss);
    }
  });
});

describe('on webgpu', () => {
  it('1 and 2 ranks sharing the adapter: full-batch gradient descent within 1e-6', async () => {
    const opts: TrainOptions = { epochs: 15, batch: Infinity, lr: 0.3, seed: 2 };
    const [one] = await onSize(1, () => webgpu.backend(), opts);
    const [two] = await onSize(2, () => webgpu.backend(), opts);
    expect(relDiff(two.params, one.params)).toBeLessThan(1e-6);
    expect(two.backend).toBe('webgpu');
  });
});

describe('what the ranks share', () => {
  it('classes, standardization and held-out rows of every rank, with early stopping', async () => {
    const ds = classesDataset({ rows: 2000, features: 4, classes: 3, seed: 3 });
    const opts: TrainOptions = { loss: 'softmax', epochs: 6, batch: 200, lr: 0.2, seed: 4, standardize: true, validation: 0.2, earlyStopping: true, patience: 2 };
    const run = (size: number) => onRanks(size, (c) => train(reference, memorySource(ds), { ...opts, chunkRows: 128, collective: c }));
    const [one] = await run(1);
    const [four] = await run(4);
    expect(four.classes).toEqual(one.classes);
    expect(four.validationRows).toBe(one.validationRows);
    expect(four.validationRows).toBeGreaterThan(300);
    expect(relDiff(four.params, one.params)).toBeLessThan(1e-9);
    expect(four.final.rows + four.validationRows).toBe(2000);
  });

  it('a stop asked for on one rank stops every rank after the same step', async () => {
    const stop = new AbortController();
    const all = await onSize(3, () => reference, { epochs: 5, batch: 50, lr: 0.05, lossEvery: 1 }, (rank) => rank === 2 ? {
      signal: stop.signal, onProgress: (p) => p.rowsDone >= 500 && stop.abort(),
    } : {});
    for (const r of all) {
      expect(r.stopped).toBe(true);
      expect(r.epochs[0].steps).toBe(all[0].epochs[0].steps);
    }
    expect(all[0].epochs[0].steps).toBeLessThan(60);
  });

  it('--sync-every: local steps with the models averaged, every rank ending with the same model', async () => {
    const all = await onSize(2, () => reference, { epochs: 20, batch: 200, lr: 0.1, seed: 1, syncEvery: 5 });
    expect(all[1].params).toEqual(all[0].params);
    const [exact] = await onSize(1, () => reference, { solver: 'exact' });
    expect(relDiff(all[0].params, exact.params)).toBeLessThan(0.02);
  });
});

describe('Newton, L-BFGS, regularization paths and cross-validation on ranks', () => {
  const binary = classesDataset({ rows: 1500, features: 4, classes: 2, seed: 6 });
  const onBinary = (size: number, opts: TrainOptions) =>
    onRanks(size, (c) => train(reference, memorySource(binary), { chunkRows: 128, ...opts, collective: c }));

  it('Newton (the ranks sum the Hessians) and L-BFGS (OWL-QN): 1, 2 and 4 ranks reach one process\'s optimum', async () => {
    // Newton converges quadratically: the same bits up to rounding. OWL-QN stops once its relative decrease is below
    // the tolerance, so rounding in the ranks' sums may move where it stops: the objective agrees to 1e-12.
    const cases = [
      [{ loss: 'logistic', penalty: 'l2', alpha: 0.01, solver: 'newton', solverTol: 1e-14 }, 1e-12],
      [{ loss: 'logistic', penalty: 'l1', alpha: 0.005, solver: 'lbfgs', solverTol: 1e-14, maxIter: 500 }, 1e-6],
    ] as const;
    for (const [opts, tol] of cases) {
      const plain = await train(reference, binary, { ...opts, chunkRows: 128 });
      for (const size of [1, 2, 4]) {
        const all = await onBinary(size, opts);
        expect(relDiff(all[0].params, plain.params)).toBeLessThan(tol);
        expect(Math.abs(all[0].objective - plain.objective)).toBeLessThan(1e-12 * plain.objective);
        expect(all[size - 1].params).toEqual(all[0].params);
        expect(all[0].solve?.solver).toBe(opts.solver);
        expect(all[0].rows).toBe(1500);
      }
    }
  });

  it('a lasso path with 3-fold cross-validation: 2 ranks choose the α one process chooses, and the same model', async () => {
    const opts: TrainOptions = { loss: 'logistic', penalty: 'l1', solver: 'newton', alphaPath: 6, alphaMinRatio: 0.05, cv: 3, seed: 2, solverTol: 1e-12 };
    const plain = await train(reference, binary, { ...opts, chunkRows: 128 });
    const [two] = await onBinary(2, opts);
    expect(two.path?.chosen).toBe(plain.path?.chosen);
    expect(relDiff(two.params, plain.params)).toBeLessThan(1e-8);
  });

  it('refuses what holds every row in one process, and --sync-every for a solver', async () => {
    await expect(onBinary(2, { loss: 'hinge', penalty: 'l2', solver: 'dcd' })).rejects.toThrow(/--solver dcd .* does not run on ranks/);
    await expect(onBinary(2, { loss: 'logistic', penalty: 'l2', solver: 'newton', syncEvery: 4 })).rejects.toThrow(/--sync-every is for gradient descent/);
  });
});

describe('checkpoints', () => {
  it('only rank 0 writes them; they record the shares; a resume on the same ranks reaches the uninterrupted model', async () => {
    const opts: TrainOptions = { epochs: 4, batch: 300, lr: 0.05, seed: 5, optimizer: 'adam' };
    const [whole] = await onSize(2, () => reference, opts);
    const written: [number, Checkpoint][] = [];
    await onSize(2, () => reference, { ...opts, epochs: 2 }, (rank) => ({ onCheckpoint: async (c) => void written.push([rank, c]), checkpointEpochs: 1 }));
    expect(written.map(([rank]) => rank)).toEqual([0, 0]);
    const ckpt = written.at(-1)![1];
    expect(ckpt.ranks).toEqual(rankRecord(3000, CHUNK, 2, 1));
    const [resumed] = await onSize(2, () => reference, { ...opts, resume: ckpt });
    expect(resumed.params).toEqual(whole.params);
    await expect(onSize(4, () => reference, { ...opts, resume: ckpt })).rejects.toThrow(/resume on 2 ranks, not 4/);
    await expect(train(reference, data, { ...opts, chunkRows: CHUNK, resume: ckpt })).rejects.toThrow(/resume it on 2 ranks/);
  });

  it('--sync-every: checkpoints every 20 steps and at a stop hold the averaged model and resume to the uninterrupted one', async () => {
    const opts: TrainOptions = { epochs: 3, batch: 100, lr: 0.05, seed: 5, optimizer: 'momentum', syncEvery: 4 };
    const [whole] = await onSize(2, () => reference, opts);
    const written: Checkpoint[] = [];
    const stop = new AbortController();
    await onSize(2, () => reference, opts, (rank) => (rank === 0 ? {
      checkpointSteps: 20, lossEvery: 20, signal: stop.signal,
      onCheckpoint: async (c) => {
        written.push(c);
        if (c.run.t >= 40) stop.abort();
      },
    } : { checkpointSteps: 20, lossEvery: 20 }));
    // 30 steps an epoch: periods count from each epoch's start, so step 50 (the 20th of epoch 2) ends one. Asked to
    // stop there, the ranks stop where the next period ends.
    expect(written.map((c) => c.run.t)).toEqual([20, 50, 54]);
    for (const c of written.slice(1)) {
      const [resumed] = await onSize(2, () => reference, { ...opts, resume: c });
      expect(resumed.params).toEqual(whole.params);
    }
    await expect(onSize(2, () => reference, { ...opts, checkpointSteps: 10 })).rejects.toThrow(/multiple of --sync-every 4/);
  });
});

describe('CSV shared out by byte ranges cut at line starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'downhill-dist-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rng = new Rng(8);
  const rows = Array.from({ length: 1500 }, () => [rng.float() * 2 - 1, rng.float() * 4, rng.float() - 0.5]);
  const reg = join(dir, 'reg.csv');
  writeFileSync(reg, `a,b,c,y\n${rows.map(([a, b, c]) => `${a},${b},${c},${(2 * a - b + 3 * c + 0.1 * rng.float()).toFixed(6)}`).join('\n')}\n`);
  const cls = join(dir, 'cls.csv');
  const names = ['eel', 'dog', 'cat'];
  writeFileSync(cls, `a,b,c,kind\n${rows.map(([a, b, c], i) => `${a},${b},${c},${names[(a + c > 0 ? 1 : 0) + (b > 3 && i > 900 ? 1 : 0)]}`).join('\r\n')}`);

  it('1, 2 and 3 ranks read every row once and train the same model as one process', async () => {
    const opts: TrainOptions = { epochs: 30, batch: Infinity, lr: 0.2, chunkRows: 100, standardize: true };
    const plain = await train(reference, await csvSource(reg, { target: 'y' }), opts);
    for (const size of [1, 2, 3]) {
      const [r] = await onRanks(size, async (c) => train(reference, await csvSource(reg, { target: 'y' }), { ...opts, collective: c }));
      expect(r.rows).toBe(1500);
      expect(relDiff(r.params, plain.params)).toBeLessThan(1e-9);
    }
  });

  it('text class labels: every rank\'s classes, the same model (a class seen only by the last rank included)', async () => {
    const opts: TrainOptions = { loss: 'softmax', epochs: 5, batch: 64, lr: 0.3, chunkRows: 100, seed: 2 };
    const plain = await train(reference, await csvSource(cls, { target: 'kind', labels: true }), opts);
    for (const size of [2, 3]) {
      const all = await onRanks(size, async (c) => train(reference, await csvSource(cls, { target: 'kind', labels: true }), { ...opts, collective: c }));
      for (const r of all) expect(r.classes).toEqual(['cat', 'dog', 'eel']);
      expect(relDiff(all[0].params, plain.params)).toBeLessThan(1e-9);
    }
  });
});

describe('.dh caches shared out by row ranges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'downhill-dist-dh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('1, 2 and 4 ranks each read their rows of the cache and train the model of the in-memory rows', async () => {
    const file = join(dir, 'd.dh');
    await writeCache(file, memorySource(data));
    const opts: TrainOptions = { epochs: 20, batch: Infinity, lr: 0.3, chunkRows: CHUNK };
    const [mem] = await onRanks(1, (c) => train(reference, memorySource(data), { ...opts, collective: c }));
    for (const size of [1, 2, 4]) {
      const all = await onRanks(size, async (c) => train(reference, await cacheSource(file), { ...opts, collective: c }));
      expect(relDiff(all[0].params, mem.params)).toBeLessThan(1e-6);
      expect(all[0].rows).toBe(3000);
    }
  });
});

describe('Parquet shared out by whole row groups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'downhill-dist-pq-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'd.parquet');
  const c = data.chunks[0];
  const columnData = [
    ...data.features.map((name, j) => ({ name, data: Float64Array.from({ length: 3000 }, (_, i) => c.x[i * 5 + j]), type: 'DOUBLE' })),
    { name: 'y', data: Float64Array.from(c.y), type: 'DOUBLE' },
  ];
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 250 } as Parameters<typeof parquetWriteBuffer>[0])));

  it('chunks of whole row groups; 1, 2 and 4 ranks give the model of the in-memory rows', async () => {
    const opts: TrainOptions = { epochs: 20, batch: Infinity, lr: 0.3 };
    const [mem] = await onRanks(1, (col) => train(reference, memorySource(data), { ...opts, chunkRows: 250, collective: col }));
    for (const size of [1, 2, 4]) {
      const [r] = await onRanks(size, async (col) => train(reference, await parquetFileSource(file, { target: 'y' }), { ...opts, collective: col }));
      expect(r.chunkRows.every((n) => n % 250 === 0)).toBe(true);
      expect(relDiff(r.params, mem.params)).toBeLessThan(1e-9);
    }
  });
});
