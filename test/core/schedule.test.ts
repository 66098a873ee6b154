// Unit tests for the epoch plan (src/core/schedule.ts): every row of every chunk exactly once per epoch,
// full batches but the last, pieces across chunk boundaries, and a seeded, reproducible chunk order.
import { describe, expect, it } from 'vitest';
import { permuteIndex } from '../../src/core/permute';
import { chunkOrder as orderOf, epochSteps, stepsPerEpoch, type EpochOptions, type Step } from '../../src/core/schedule';

const chunkOrder = (o: EpochOptions) => orderOf(o.chunkRows.length, o.seed, o.epoch, o.shuffle);

function opts(over: Partial<EpochOptions>): EpochOptions {
  return { chunkRows: [10], batch: 4, lr: 0.1, seed: 1, epoch: 0, shuffle: false, ...over };
}

const plan = (o: EpochOptions): Step[] => [...epochSteps(o)];

/** Checks that an epoch reads every row of every chunk exactly once (through the permutation when shuffling). */
function expectFullCoverage(o: EpochOptions, steps: Step[]): void {
  const seen = o.chunkRows.map((n) => new Uint8Array(n));
  for (const s of steps) {
    for (const p of s.pieces) {
      const n = o.chunkRows[p.chunk];
      expect(p.start >= 0 && p.count >= 1 && p.start + p.count <= n, `piece ${JSON.stringify(p)}`).toBe(true);
      for (let i = p.start; i < p.start + p.count; i++) {
        const row = p.shuffle ? permuteIndex(i, n, p.key) : i;
        expect(seen[p.chunk][row], `chunk ${p.chunk} row ${row} read twice`).toBe(0);
        seen[p.chunk][row] = 1;
      }
    }
  }
  seen.forEach((s, c) => expect(s.every((v) => v === 1), `chunk ${c} not fully read`).toBe(true));
}

describe('stepsPerEpoch', () => {
  it('is ⌈rows / batch⌉', () => {
    expect(stepsPerEpoch(10, 4)).toBe(3);
    expect(stepsPerEpoch(12, 4)).toBe(3);
    expect(stepsPerEpoch(1, 100)).toBe(1);
    expect(stepsPerEpoch(100, 1)).toBe(100);
  });
});

describe('epochSteps', () => {
  const CASES: [number[], number][] = [
    [[10], 4], [[10], 10], [[10], 1], [[10], 25], [[5, 7, 3], 4], [[1, 1, 1], 2],
    [[64, 63, 65], 64], [[1000, 3, 4099], 256], [[7, 0, 9], 5],
  ];

  for (const shuffle of [false, true]) {
    it(`covers every row of every chunk exactly once (shuffle=${shuffle})`, () => {
      for (const [chunkRows, batch] of CASES) {
        const o = opts({ chunkRows, batch, shuffle, seed: 3, epoch: 2 });
        expectFullCoverage(o, plan(o));
      }
    });

    it(`fills every batch but possibly the last and counts steps from 0 (shuffle=${shuffle})`, () => {
      for (const [chunkRows, batch] of CASES) {
        const o = opts({ chunkRows, batch, shuffle, lr: 0.25 });
        const steps = plan(o);
        const total = chunkRows.reduce((a, b) => a + b, 0);
        expect(steps.length).toBe(stepsPerEpoch(total, batch));
        steps.forEach((s, k) => {
          expect(s.index).toBe(k);
          expect(s.lr).toBe(0.25);
          expect(s.rows).toBe(s.pieces.reduce((a, p) => a + p.count, 0));
          expect(s.rows).toBe(k < steps.length - 1 ? batch : total - batch * (steps.length - 1));
        });
      }
    });
  }

  it('splits batches across chunk boundaries into pieces (hand-worked plan)', () => {
    // Chunks of 5, 7, 3 rows, batch 4, in order: 15 rows → batches 4, 4, 4, 3.
    const steps = plan(opts({ chunkRows: [5, 7, 3], batch: 4 }));
    const shape = steps.map((s) => s.pieces.map((p) => [p.chunk, p.start, p.count]));
    expect(shape).toEqual([
      [[0, 0, 4]],
      [[0, 4, 1], [1, 0, 3]],
      [[1, 3, 4]],
      [[2, 0, 3]],
    ]);
    expect(steps.map((s) => s.rows)).toEqual([4, 4, 4, 3]);
  });

  it('lets one batch span several small chunks', () => {
    const steps = plan(opts({ chunkRows: [2, 1, 3, 2], batch: 7 }));
    expect(steps.map((s) => s.pieces.map((p) => [p.chunk, p.start, p.count]))).toEqual([
      [[0, 0, 2], [1, 0, 1], [2, 0, 3], [3, 0, 1]],
      [[3, 1, 1]],
    ]);
  });

  it('makes one step of all rows when the batch exceeds the data', () => {
    const steps = plan(opts({ chunkRows: [3, 4], batch: 100 }));
    expect(steps).toHaveLength(1);
    expect(steps[0].rows).toBe(7);
    expect(steps[0].index).toBe(0);
  });

  it('without shuffling: chunks in index order, pieces unshuffled with key 0', () => {
    const steps = plan(opts({ chunkRows: [4, 4, 4, 4], batch: 3 }));
    const visited = steps.flatMap((s) => s.pieces.map((p) => p.chunk));
    expect([...new Set(visited)]).toEqual([0, 1, 2, 3]);
    for (const p of steps.flatMap((s) => s.pieces)) expect([p.shuffle, p.key]).toEqual([false, 0]);
  });

  it('with shuffling: pieces carry shuffle=true and one key per chunk, different between chunks', () => {
    const steps = plan(opts({ chunkRows: [50, 50, 50, 50], batch: 16, shuffle: true }));
    const keyOf = new Map<number, number>();
    for (const p of steps.flatMap((s) => s.pieces)) {
      expect(p.shuffle).toBe(true);
      if (keyOf.has(p.chunk)) expect(p.key).toBe(keyOf.get(p.chunk));
      keyOf.set(p.chunk, p.key);
    }
    expect(new Set(keyOf.values()).size).toBe(4);
  });

  it('visits chunks in chunkOrder, each chunk contiguously', () => {
    const o = opts({ chunkRows: [3, 5, 2, 8, 4, 6], batch: 4, shuffle: true, seed: 12, epoch: 5 });
    const visited = plan(o).flatMap((s) => s.pieces.map((p) => p.chunk));
    const runs = visited.filter((c, i) => i === 0 || visited[i - 1] !== c);
    expect(runs).toEqual(chunkOrder(o));
  });

  it('is reproducible per (seed, epoch) and changes with either', () => {
    const base = opts({ chunkRows: [100, 37, 64, 1], batch: 10, shuffle: true, seed: 9, epoch: 1 });
    const sig = (o: EpochOptions) => JSON.stringify(plan(o));
    expect(sig(base)).toBe(sig({ ...base }));
    expect(sig({ ...base, epoch: 2 })).not.toBe(sig(base));
    expect(sig({ ...base, seed: 10 })).not.toBe(sig(base));
  });

  it('rejects batch sizes below 1 or NaN', () => {
    expect(() => plan(opts({ batch: 0 }))).toThrow(/batch size must be ≥ 1, got 0/);
    expect(() => plan(opts({ batch: -3 }))).toThrow(/got -3/);
    expect(() => plan(opts({ batch: NaN }))).toThrow(/batch size/);
  });

  it('yields nothing for an empty dataset', () => {
    expect(plan(opts({ chunkRows: [] }))).toEqual([]);
    expect(plan(opts({ chunkRows: [0, 0], shuffle: true }))).toEqual([]);
  });
});

describe('chunkOrder', () => {
  const isPerm = (p: number[], n: number) => [...p].sort((a, b) => a - b).every((v, i) => v === i) && p.length === n;

  it('is the identity when shuffle is false, whatever the seed and epoch', () => {
    for (const [seed, epoch] of [[0, 0], [5, 3], [99, 100]]) {
      expect(chunkOrder(opts({ chunkRows: [1, 2, 3, 4, 5], seed, epoch }))).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('is a permutation, reproducible for a seed and epoch', () => {
    const o = opts({ chunkRows: new Array<number>(12).fill(10), shuffle: true, seed: 4, epoch: 7 });
    const a = chunkOrder(o);
    expect(isPerm(a, 12)).toBe(true);
    expect(chunkOrder({ ...o })).toEqual(a);
  });

  it('shuffles: over epochs the orders vary and are not all the identity', () => {
    const o = opts({ chunkRows: new Array<number>(8).fill(1), shuffle: true, seed: 1 });
    const orders = Array.from({ length: 10 }, (_, epoch) => chunkOrder({ ...o, epoch }).join(','));
    // 8! = 40320 orders: ten epochs should essentially never repeat.
    expect(new Set(orders).size).toBe(10);
    expect(orders).not.toContain('0,1,2,3,4,5,6,7');
    const bySeed = [1, 2, 3, 4].map((seed) => chunkOrder({ ...o, seed, epoch: 0 }).join(','));
    expect(new Set(bySeed).size).toBe(4);
  });
});
