// The striped batch order of a data-parallel run (src/core/stripes.ts): every row once per epoch in ceil(N/B) steps,
// every stripe in every step, steps of B rows give or take S, the number of stripes set by the data and the batch
// alone, and with one stripe exactly the one-process order.
import { describe, expect, it } from 'vitest';
import { epochSteps } from '../../src/core/schedule';
import { stripeChunks, stripeCount, stripedSteps } from '../../src/core/stripes';
import { shardLayout } from '../../src/train/shards';

const chunkRows = [500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 137];

describe('stripes', () => {
  it('are 1 to 64 runs of whole chunks, each step giving at least 512 rows of each', () => {
    expect(stripeCount(12, 1023)).toBe(1);
    expect(stripeCount(12, 1024)).toBe(2);
    expect(stripeCount(12, 4096)).toBe(8);
    expect(stripeCount(5, 1 << 16)).toBe(5);
    expect(stripeCount(200, 1 << 20)).toBe(64);
    const cuts = Array.from({ length: 5 }, (_, s) => stripeChunks(12, 5, s));
    expect(cuts[0][0]).toBe(0);
    expect(cuts[4][1]).toBe(12);
    for (let s = 1; s < 5; s++) expect(cuts[s][0]).toBe(cuts[s - 1][1]);
  });

  it.each([[1, 100], [4, 300], [12, 1000], [3, 5637]])('%i stripes, B = %i: every row once, every stripe in every step', (stripes, batch) => {
    const total = chunkRows.reduce((a, b) => a + b, 0);
    const seen = chunkRows.map((n) => new Uint8Array(n));
    const steps = [...stripedSteps({ chunkRows, batch, lr: 0.1, seed: 3, epoch: 1, shuffle: true, stripes })];
    expect(steps.length).toBe(Math.ceil(total / batch));
    for (const st of steps) {
      expect(st.rows).toBe(st.pieces.reduce((n, p) => n + p.count, 0));
      if (st.index < steps.length - 1) expect(Math.abs(st.rows - batch)).toBeLessThanOrEqual(stripes);
      for (let s = 0; s < stripes && batch * stripes < total; s++) {
        const [a, b] = stripeChunks(chunkRows.length, stripes, s);
        expect(st.pieces.some((p) => p.chunk >= a && p.chunk < b)).toBe(true);
      }
      for (const p of st.pieces) for (let i = p.start; i < p.start + p.count; i++) seen[p.chunk][i]++;
    }
    expect(seen.every((rows) => rows.every((n) => n === 1))).toBe(true);
  });

  it('with as many ranks as stripes or fewer, every rank holds rows of every step', () => {
    const rows = Array.from({ length: 64 }, () => 1000);
    const stripes = stripeCount(64, 8192);
    expect(stripes).toBe(16);
    for (const size of [2, 4, 16]) {
      const shares = Array.from({ length: size }, (_, r) => shardLayout(64_000, 1000, r, size));
      for (const st of stripedSteps({ chunkRows: rows, batch: 8192, lr: 0.1, seed: 1, epoch: 0, shuffle: true, stripes })) {
        for (const l of shares) expect(st.pieces.some((p) => p.chunk >= l.firstChunk && p.chunk < l.endChunk)).toBe(true);
      }
    }
  });

  it('one stripe is the one-process order', () => {
    const o = { chunkRows, batch: 100, lr: 0.1, seed: 9, epoch: 2, shuffle: true, firstStep: 7 };
    expect([...stripedSteps({ ...o, stripes: 1 })]).toEqual([...epochSteps(o)]);
  });
});
