// Local steps (--sync-every k) on in-process ranks: no collective between averages — one allreduce per k steps of an
// epoch (and at its end), counted by a counting Collective — and every decision that needs a global view taken from
// values agreed there: every rank reports the same epoch losses and learning rates, stops early after the same epoch,
// and ends with the same model, on 1, 2 and 4 ranks.
import { describe, expect, it } from 'vitest';
import type { ModelParams } from '../../src/core/model';
import { memorySource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import type { TrainOptions } from '../../src/train/plan';
import type { TrainResult } from '../../src/train/report';
import { train } from '../../src/train/train';
import { reference } from '../helpers/matrix';
import { counting, memoryGroup, onRanks, type CollectiveCounts } from '../helpers/ranks';
import { DivergedError } from '../../src/train/health';

const data = linearDataset({ rows: 3000, features: 5, noise: 0.1, seed: 1 });

function relDiff(a: ModelParams, b: ModelParams): number {
  const x = [...a.weights, ...a.bias];
  const y = [...b.weights, ...b.bias];
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]) / Math.max(1, Math.abs(y[i]))));
}

/** Trains on `size` counting ranks; each rank's result and the allreduce calls it made in each epoch. */
async function run(size: number, opts: TrainOptions): Promise<{ results: TrainResult[]; perEpoch: number[][] }> {
  const perEpoch: number[][] = Array.from({ length: size }, () => []);
  const results = await onRanks(size, (c) => {
    const counts: CollectiveCounts = { allreduce: 0, values: 0, other: 0 };
    let before = 0;
    const onEpoch = () => {
      perEpoch[c.rank].push(counts.allreduce - before);
      before = counts.allreduce;
    };
    return train(reference, memorySource(data), { chunkRows: 256, ...opts, onEpoch, collective: counting(c, counts) });
  });
  return { results, perEpoch };
}

describe('--sync-every k: local steps', () => {
  it('exchange nothing between averages: one allreduce per k steps of an epoch, where k = 1 sums every step', async () => {
    // 30 steps an epoch; no held-out rows, no evaluations between epochs.
    const opts: TrainOptions = { epochs: 3, batch: 100, lr: 0.05, seed: 3 };
    for (const [k, calls] of [[1, 30], [4, 8], [5, 6], [30, 1]]) {
      const { perEpoch } = await run(2, { ...opts, syncEvery: k });
      // Epoch 1 counts the run's set-up (agreeing on rows, statistics, the start's objective) too.
      for (const rank of perEpoch) expect(rank.slice(1)).toEqual([calls, calls]);
    }
  });

  it('1, 2 and 4 ranks: every rank reports the same epoch losses and ends with the same model, near the exact solution', async () => {
    const [exact] = await onRanks(1, (c) => train(reference, memorySource(data), { solver: 'exact', chunkRows: 256, collective: c }));
    for (const size of [1, 2, 4]) {
      const { results } = await run(size, { epochs: 8, batch: 200, lr: 0.1, seed: 1, syncEvery: 5 });
      for (const r of results) {
        expect(r.params).toEqual(results[0].params);
        expect(r.epochs.map((e) => e.loss)).toEqual(results[0].epochs.map((e) => e.loss));
      }
      expect(relDiff(results[0].params, exact.params)).toBeLessThan(0.02);
      // The agreed loss is the mean over every rank's rows: it falls to the noise's 0.01.
      expect(results[0].epochs.at(-1)!.loss).toBeLessThan(0.02);
    }
  });

  it('early stopping and a plateau schedule decide alike on every rank: all stop after the same epoch', async () => {
    const opts: TrainOptions = {
      epochs: 40, batch: 100, lr: 0.02, seed: 2, syncEvery: 3, validation: 0.2, earlyStopping: true, patience: 2, tol: 0.05,
    };
    const { results } = await run(4, opts);
    const stopped = results[0].earlyStop!;
    expect(stopped.stoppedAfter).toBeLessThan(40);
    for (const r of results) {
      expect(r.earlyStop).toEqual(stopped);
      expect(r.epochs.length).toBe(results[0].epochs.length);
      expect(r.params).toEqual(results[0].params);
    }
    // The plateau schedule watches the training loss when nothing is held out: the agreed one.
    const plateau = await run(2, { epochs: 8, batch: 100, lr: 0.5, seed: 2, syncEvery: 4, lrSchedule: 'plateau', patience: 1, tol: 0.5, decay: 0.5 });
    const lrs = plateau.results.map((r) => r.epochs.map((e) => e.lr));
    expect(lrs[1]).toEqual(lrs[0]);
    expect(Math.min(...lrs[0])).toBeLessThan(0.5);
  });

  it('divergence is found on every rank in the same epoch, from the agreed loss (no rank left waiting)', async () => {
    // Each rank on its own, with no abort passed between them: every rank must reach the same verdict by itself.
    const { ranks } = memoryGroup(3);
    const opts: TrainOptions = { epochs: 20, batch: 100, lr: 3, seed: 4, syncEvery: 4, chunkRows: 256 };
    const settled = await Promise.allSettled(ranks.map((c) => train(reference, memorySource(data), { ...opts, collective: c })));
    const errors = settled.map((s) => (s.status === 'rejected' ? s.reason : null));
    for (const e of errors) expect(e).toBeInstanceOf(DivergedError);
    expect(new Set(errors.map((e) => (e as DivergedError).epoch)).size).toBe(1);
  });
});
