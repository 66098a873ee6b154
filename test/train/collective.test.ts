// The collective algorithms on in-process ranks: sums equal to a plain f64 sum and bit-identical on every rank (tree
// and ring, every world size up to 9, vectors shorter than the world), broadcast, allgather, the tree fold in its
// documented order, the neighbour sets the TCP ranks connect, and a rank's failure reaching the others.
import { describe, expect, it } from 'vitest';
import { neighbours, soloCollective, TREE_BYTES } from '../../src/train/collective';
import { Rng } from '../../src/core/rng';
import { memoryGroup, onRanks } from '../helpers/ranks';

const vectorOf = (rank: number, n: number) => {
  const rng = new Rng(rank + 1);
  return Float64Array.from({ length: n }, () => rng.float() * 2 - 1);
};

describe('allreduce', () => {
  for (const size of [1, 2, 3, 4, 5, 8, 9]) {
    for (const n of [1, 3, 1000, TREE_BYTES / 8 + 17]) {
      it(`sums ${n} values over ${size} ranks, the same bits on every rank`, async () => {
        const out = await onRanks(size, (c) => c.allreduce(vectorOf(c.rank, n)));
        const plain = new Float64Array(n);
        for (let r = 0; r < size; r++) vectorOf(r, n).forEach((v, i) => (plain[i] += v));
        for (let i = 0; i < n; i++) expect(Math.abs(out[0][i] - plain[i])).toBeLessThanOrEqual(1e-14 * size);
        for (const o of out) expect(Buffer.from(o.buffer).equals(Buffer.from(out[0].buffer))).toBe(true);
      });
    }
  }

  it('sends a long vector around the ring: 2·(p−1)/p of its bytes per rank', async () => {
    const { ranks, stats } = memoryGroup(4);
    const n = 1 << 16;
    await Promise.all(ranks.map((c) => c.allreduce(vectorOf(c.rank, n))));
    expect(stats.bytes).toBe(4 * 2 * 3 * (n / 4) * 8);
  });

  it('leaves its argument unchanged', async () => {
    const v = Float64Array.of(1, 2, 3);
    await onRanks(3, (c) => c.allreduce(c.rank === 0 ? v : Float64Array.of(1, 1, 1)));
    expect([...v]).toEqual([1, 2, 3]);
  });
});

describe('broadcast, allgather, reduceTree, barrier', () => {
  it("gives rank 0's values to every rank", async () => {
    const out = await onRanks(5, (c) => c.broadcast(c.rank === 0 ? Float64Array.of(4, 2) : new Float64Array(0)));
    for (const o of out) expect([...o]).toEqual([4, 2]);
  });

  it('gathers every rank\'s bytes in rank order', async () => {
    const out = await onRanks(4, (c) => c.allgather(new TextEncoder().encode('r'.repeat(c.rank + 1))));
    for (const o of out) expect(o.map((b) => new TextDecoder().decode(b))).toEqual(['r', 'rr', 'rrr', 'rrrr']);
  });

  it('folds up the binary tree in its documented order', async () => {
    // Concatenation records the order: ((0 ∘ 1) ∘ (2 ∘ 3)) ∘ 4 for five ranks.
    const names: string[] = [];
    const out = await onRanks(5, (c) => c.reduceTree(Float64Array.of(c.rank), (a, b) => {
      names.push(`${a.join('')}∘${b.join('')}`);
      return Float64Array.of(...a, ...b);
    }));
    expect(new Set(names)).toEqual(new Set(['0∘1', '2∘3', '01∘23', '0123∘4']));
    for (const o of out) expect([...o]).toEqual([0, 1, 2, 3, 4]);
  });

  it('waits at a barrier', async () => {
    let arrived = 0;
    await onRanks(3, async (c) => {
      await new Promise((r) => setTimeout(r, 10 * c.rank));
      arrived++;
      await c.barrier();
      expect(arrived).toBe(3);
    });
  });

  it('is the identity for one process', async () => {
    const c = soloCollective();
    expect([...(await c.allreduce(Float64Array.of(1, 2)))]).toEqual([1, 2]);
    expect((await c.allgather(Uint8Array.of(7))).map((b) => [...b])).toEqual([[7]]);
  });
});

describe('neighbours', () => {
  it('are the ring neighbours and the tree partners, symmetric', () => {
    expect(neighbours(0, 1)).toEqual([]);
    expect(neighbours(0, 2)).toEqual([1]);
    expect(neighbours(0, 8)).toEqual([1, 2, 4, 7]);
    expect(neighbours(6, 8)).toEqual([4, 5, 7]);
    for (const size of [3, 5, 8, 13]) {
      for (let r = 0; r < size; r++) for (const q of neighbours(r, size)) expect(neighbours(q, size)).toContain(r);
    }
  });
});

describe('failure', () => {
  it('stops every rank when one fails, naming it', async () => {
    const err = await onRanks(3, async (c) => {
      if (c.rank === 2) throw new Error('bad rows');
      return c.allreduce(Float64Array.of(1));
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/bad rows/);
  });
});
