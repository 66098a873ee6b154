// Parity: the fast CPU backend's row pass (src/cpu/simd_rows.ts + the SIMD kernels and f32 loss parts) against the f64 reference's
// row kernel (src/cpu/grad_rows.ts) for every registered loss, at awkward sizes (D = 1, 3, 63, 65, 1000), plain,
// shuffled pieces, whole shuffled chunks (read in storage order), standardized, training and evaluation, on one
// thread and on three; the result stripes are poisoned first. Same inputs as the GPU parity matrix
// (test/helpers/grad_pass.ts); tolerances scale with the f32 sums' size.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { LOSSES, type LossHp, type ScalarLoss } from '../../src/core/losses';
import { confusionClasses } from '../../src/core/metrics';
import { zeroParams } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { gradRows } from '../../src/cpu/grad_rows';
import { emptyGradSums } from '../../src/cpu/grad_sums';
import { lossRows } from '../../src/cpu/simd_arena';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import { caseInputs, caseSpec, type GradCase } from '../helpers/grad_pass';
import { fastCpu, SCALAR_LOSSES, useBackends } from '../helpers/matrix';
import type { Step } from '../../src/core/schedule';

// The matrix's fast CPU backends: one thread, and three with every job in the most chunks however small, so all three
// threads take part (by default small jobs make few chunks).
const FAST = useBackends(['cpu (1 thread)', 'cpu (3 threads)']);
const backends = { 1: () => fastCpu(FAST[0]), 3: () => fastCpu(FAST[1]) };

interface Case extends GradCase {
  threads: 1 | 3;
}

/** Trains one "step" over the case's piece with lr 0 and reads the gradient sums, or evaluates; compares with the reference. */
async function check(c: Case, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const start = c.start ?? 0;
  const count = c.count ?? c.rows;
  const x = rng.uniformArray(c.rows * c.d);
  const { spec, k, y, p, key, yShift } = caseInputs(c, rng);
  const backend = backends[c.threads]();
  const store = backend.createStore(c.d, c.rows, true);
  await store.load(0, { rows: c.rows, x, y });
  const session = await backend.createSession(store, spec, p);
  // Poison every chunk's result slot: a chunk that is never run shows as NaN.
  const { arena } = backend;
  const session_ = session as unknown as { results: number; stripe: number; maxChunks: number };
  arena.views.f64.fill(NaN, session_.results / 8, (session_.results + session_.maxChunks * session_.stripe) / 8);
  const train = (c.mode ?? 'train') === 'train';
  const range = { start, count, key, shuffle: !!c.shuffle };
  const want = gradRows(x, y, c.rows, p, range, spec, train ? 0 : yShift, train, emptyGradSums(c.d, k, confusionClasses(c.loss, k)));
  try {
    if (train) {
      const step: Step = { index: 0, rows: count, lr: 0, pieces: [{ chunk: 0, ...range }], t: 0, average: 0 } as Step;
      const g = await session.gradient(step);
      expect(g.rows).toBe(count);
      const got = [...g.weights, ...g.bias, g.loss].map((v) => v * count);
      const ref = [...want.grad, ...want.gradBias, want.loss];
      // f32 outputs and dL/dz (each ~√D in size) summed over the rows: the absolute tolerance grows with both.
      const r = allclose(got, ref, 2e-6 * count * Math.max(1, c.d) ** 0.5 * 4, 1e-4);
      expect(r.ok, r.message).toBe(true);
    } else {
      const s = await session.evaluate(store, yShift);
      expect(s.rows).toBe(c.rows);
      const ref = gradRows(x, y, c.rows, p, { start: 0, count: c.rows, key: 0, shuffle: false }, spec, yShift, false, emptyGradSums(c.d, k, confusionClasses(c.loss, k)));
      const r = allclose([s.loss, ...s.m], [ref.loss, ...ref.m], 2e-6 * c.rows * Math.max(1, c.d) ** 0.5 * 4, 1e-4);
      expect(r.ok, r.message).toBe(true);
      if (ref.confusion) {
        const off = [...s.confusion!].reduce((a, v, i) => a + Math.abs(v - ref.confusion![i]), 0);
        expect(off, 'a row at a decision boundary may flip between f32 and f64').toBeLessThanOrEqual(2);
      }
    }
  } finally {
    session.dispose();
    store.dispose();
  }
}

describe.each([1, 3] as const)('fast CPU row pass vs the reference, %i thread(s)', (threads) => {
  describe.each(SCALAR_LOSSES)('%s', (loss) => {
    for (const d of [1, 3, 63, 65, 1000]) {
      const rows = d === 1000 ? 65 : 1000;
      it(`D=${d}, ${rows} rows, plain`, () => check({ threads, loss, d, rows }, d * 7919 + loss.length));
      it(`D=${d}, shuffled piece in the middle of the chunk`, () =>
        check({ threads, loss, d, rows: rows + 3, start: 5, count: rows - 9, shuffle: true }, d * 31 + loss.length));
      it(`D=${d}, standardized, the whole chunk shuffled`, () => check({ threads, loss, d, rows, shuffle: true, standardize: true }, d * 17 + loss.length));
    }
    it('evaluation: the metric sums and class counts', () => check({ threads, loss, d: 7, rows: 777, mode: 'evaluate' }, 13));
  });

  describe('softmax', () => {
    for (const [d, k] of [[1, 2], [3, 3], [65, 17], [5, 100], [63, 7], [1000, 3]] as const) {
      const rows = d === 1000 ? 65 : 1000;
      it(`D=${d}, K=${k}, plain`, () => check({ threads, loss: 'softmax', d, k, rows }, d * 101 + k));
      it(`D=${d}, K=${k}, shuffled piece, standardized`, () => check({ threads, loss: 'softmax', d, k, rows: rows + 3, start: 7, count: rows - 10, shuffle: true, standardize: true }, d * 13 + k));
      it(`D=${d}, K=${k}, evaluation with class counts`, () => check({ threads, loss: 'softmax', d, k, rows: rows + 1, mode: 'evaluate' }, d + k));
    }
  });
});

describe('fast CPU arena', () => {
  it('hands out 64-byte aligned, zeroed blocks past the reserved first 64 KiB, reusing and zeroing freed ones', () => {
    const { arena } = backends[1]();
    const a = arena.alloc(100);
    const b = arena.alloc(1000);
    expect([a % 64, b % 64, a >= 65536, b >= a + 128]).toEqual([0, 0, true, true]);
    new Uint8Array(arena.memory.buffer, a, 100).fill(7);
    arena.release(a);
    const c = arena.alloc(64);
    expect(c).toBe(a);
    expect([...new Uint8Array(arena.memory.buffer, c, 64)].every((v) => v === 0)).toBe(true);
    arena.release(b);
    arena.release(c);
  });
});

describe('fast CPU loss parts against their units', () => {
  // Each scalar loss's rows — the generated loop over the unit's own math class, or a vectorized override — row by
  // row against the unit's f64 value and dL/dz, kinks included (z = t, |z − t| = hp, s·z = 1 …), and the two sums.
  const HP: Record<string, LossHp> = { huber: [0.7, 0, 0, 0], 'epsilon-insensitive': [0.3, 0, 0, 0], quantile: [0.2, 0, 0, 0] };
  it.each(SCALAR_LOSSES)('%s', (loss) => {
    const unit = LOSSES[loss] as ScalarLoss;
    const part = lossRows(backends[1]().arena.kernels, unit.stem);
    expect(part, `${unit.stem}_rows`).not.toBeNull();
    const rng = new Rng(loss.length * 97);
    const count = 203;
    const hp: LossHp = HP[loss] ?? [0, 0, 0, 0];
    const counts = !!unit.checkTarget && unit.checkTarget(-0.5) !== null; // a loss whose targets are ≥ 0
    const t = Float32Array.from({ length: count }, (_, i) => (unit.task === 'binary' ? i % 2 : Math.fround(counts ? 3 * rng.float24() : 4 * rng.float24() - 2)));
    const z = Float32Array.from({ length: count }, (_, i) => {
      const kinks = [t[i], t[i] + hp[0], t[i] - hp[0], 1, -1, 0];
      return Math.fround(i < 3 * kinks.length ? kinks[i % kinks.length] : 6 * rng.float24() - 3);
    });
    const { arena } = backends[1]();
    const [zp, yp, gp, hpp, out] = [count * 4, count * 4, count * 4, 32, 16].map((b) => arena.alloc(b));
    try {
      const v = arena.views;
      v.f32.set(z, zp / 4);
      v.f32.set(t, yp / 4);
      v.f64.set(hp, hpp / 8);
      part!(zp, yp, gp, count, hpp, out);
      const g = arena.views.f32.subarray(gp / 4, gp / 4 + count);
      let loss = 0;
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const want = unit.dz(z[i], t[i], hp);
        expect(Math.abs(g[i] - want), `row ${i}: z ${z[i]}, t ${t[i]}: dL/dz ${g[i]} vs ${want}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want));
        loss += unit.value(z[i], t[i], hp);
        sum += g[i];
      }
      const [gotLoss, gotSum] = [arena.views.f64[out / 8], arena.views.f64[out / 8 + 1]];
      expect(Math.abs(gotLoss - loss)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(loss)));
      expect(Math.abs(gotSum - sum)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(sum)));
    } finally {
      for (const p of [zp, yp, gp, hpp, out]) arena.release(p);
    }
  });

  it('softmax has its part (src/cpu/simd/losses/softmax.ts)', () => {
    expect(lossRows(backends[1]().arena.kernels, 'softmax')).not.toBeNull();
  });
});

describe('fast CPU pieces', () => {
  it('gives bit-identical sums on one thread and on three (chunks, not threads, fix the order of the sums)', async () => {
    const one = nodeCpuBackend({ threads: 1, minChunkBytes: 0 });
    try {
      const rng = new Rng(21);
      const d = 33;
      const chunk = { rows: 5000, x: rng.uniformArray(5000 * d), y: rng.uniformArray(5000) };
      const spec = caseSpec({ loss: 'logistic', d, rows: 0 });
      const p = { weights: Float64Array.from(rng.uniformArray(d)), bias: Float64Array.of(0.1) };
      const step = { index: 0, rows: 4000, lr: 0, t: 0, average: 0, pieces: [{ chunk: 0, start: 700, count: 4000, key: 77, shuffle: true }] } as Step;
      const sums = await Promise.all([one, backends[3]()].map(async (b) => {
        const store = b.createStore(d, 5000, true);
        await store.load(0, chunk);
        const s = await b.createSession(store, spec, p);
        const g = await s.gradient(step);
        s.dispose();
        store.dispose();
        return [...g.weights, ...g.bias, g.loss];
      }));
      expect(sums[1]).toEqual(sums[0]);
    } finally {
      one.dispose();
    }
  });

  it('keeps working when its memory grows between steps (a plain memory\'s buffer is replaced), and frees what it held', async () => {
    const b = nodeCpuBackend({ threads: 1 });
    try {
      expect(b.arena.shared).toBe(false);
      const rng = new Rng(9);
      const small = { rows: 100, x: rng.uniformArray(100 * 3), y: rng.uniformArray(100) };
      const store = b.createStore(3, 100, true);
      await store.load(0, small);
      const spec = caseSpec({ loss: 'squared', d: 3, rows: 0 });
      const session = await b.createSession(store, spec);
      const step = { index: 0, rows: 100, lr: 0, t: 0, average: 0, pieces: [{ chunk: 0, start: 0, count: 100, key: 5, shuffle: true }] } as Step;
      const before = await session.gradient(step);
      const big = b.createStore(3, 1 << 20, true);
      const bytes = b.arena.memory.buffer.byteLength;
      await big.load(0, { rows: 1 << 20, x: new Float32Array(3 << 20), y: new Float32Array(1 << 20) });
      expect(b.arena.memory.buffer.byteLength).toBeGreaterThan(bytes);
      const after = await session.gradient(step);
      expect([...after.weights, after.loss]).toEqual([...before.weights, before.loss]);
      const used = b.arena.used;
      big.dispose();
      expect(b.arena.used).toBeLessThan(used - (16 << 20));
      session.dispose();
      store.dispose();
      expect(b.arena.used).toBe(0);
    } finally {
      b.dispose();
    }
  });

  it('a step over three chunks with more threads than rows in a piece sums every row once', async () => {
    const b = backends[3]();
    const d = 5;
    const rng = new Rng(3);
    const chunks = [2, 700, 1].map((rows) => ({ rows, x: rng.uniformArray(rows * d), y: rng.uniformArray(rows) }));
    const store = b.createStore(d, 700);
    for (const [i, c] of chunks.entries()) await store.load(i, c);
    const spec = caseSpec({ loss: 'squared', d, rows: 0 });
    const p = zeroParams(d);
    p.weights.set([0.5, -1, 0.25, 2, 0]);
    const session = await b.createSession(store, spec, p);
    const pieces = [{ chunk: 0, start: 0, count: 2 }, { chunk: 1, start: 100, count: 450 }, { chunk: 2, start: 0, count: 1 }].map((q) => ({ ...q, key: 99, shuffle: true }));
    const g = await session.gradient({ index: 0, rows: 453, lr: 0, pieces, t: 0, average: 0 } as Step);
    const want = emptyGradSums(d);
    for (const [i, q] of pieces.entries()) gradRows(chunks[i].x, chunks[i].y, chunks[i].rows, p, q, spec, 0, true, want);
    expect(g.rows).toBe(453);
    const r = allclose([...g.weights, g.bias[0], g.loss].map((v) => v * 453), [...want.grad, want.gradBias[0], want.loss], 1e-3, 1e-5);
    expect(r.ok, r.message).toBe(true);
    session.dispose();
    store.dispose();
  });
});
