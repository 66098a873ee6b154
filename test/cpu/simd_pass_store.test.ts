// The fast CPU backend's store that reads an NPY file's features again at every pass (simd_pass_store.ts) against the
// same backend holding the rows: L-BFGS gives the same model bit for bit — every iteration's objective, the final
// metrics — with features of a width that is and is not a multiple of 4, rows in several slots, one to three
// threads, rounds of a few chunks read into one buffer while the other is summed, and the rows held after a few
// passes (a long solve); a value that is not finite stops the run with its file, row and column; the blocking reads
// of later passes (NPY readFeaturesSync); the choice between the two (train/load.ts readsPerPass).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import type { SimdCpuBackend, SimdOptions } from '../../src/cpu/simd_backend';
import { DataError } from '../../src/data/csv';
import type { DataSource } from '../../src/data/source';
import { npySource, npyTargetPath, NpyWriter } from '../../src/data/npy';
import { Rng } from '../../src/core/rng';
import { readsPerPass } from '../../src/train/load';
import { resolvePlan, type TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { rejection, tempDir } from '../data/helpers';

const tmp = tempDir('pass-store');

/** Writes X (rows × d) and y to x.npy and x.y.npy under `name`: seeded features, labels from a noisy linear rule. */
async function writeData(name: string, rows: number, d: number, bad?: { row: number; col: number; value: number }): Promise<string> {
  const rng = new Rng(rows * 31 + d);
  const x = Float32Array.from({ length: rows * d }, () => rng.uniform(-1, 1) * 2);
  const y = Float32Array.from({ length: rows }, (_, r) => {
    let z = 0.3;
    for (let j = 0; j < d; j++) z += x[r * d + j] * ((j % 3) - 0.8);
    return z + rng.uniform(-1, 1) > 0 ? 1 : 0;
  });
  if (bad) x[bad.row * d + bad.col] = bad.value;
  const write = async (file: string, v: Float32Array, cols: number | null) => {
    const w = await NpyWriter.create(join(tmp.dir, file), cols);
    await w.append(v);
    await w.close();
  };
  await write(`${name}.npy`, x, d);
  await write(`${name}.y.npy`, y, null);
  return join(tmp.dir, `${name}.npy`);
}

/** Trains L-BFGS on the file, reading its rows at every pass or holding them; counts the stores that read at every pass. */
async function fit(backend: SimdCpuBackend, file: string, passReads: boolean, o: TrainOptions = {}) {
  const spy = vi.spyOn(backend, 'createPassStore');
  const source = await npySource({ x: file, y: npyTargetPath(file) });
  try {
    const r = await train(backend, source, {
      solver: 'lbfgs', loss: 'logistic', penalty: 'l2', alpha: 1e-3, solverTol: 1e-12, maxIter: 25, chunkRows: 1500, passReads, ...o,
    });
    return { r, passStores: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
    await source.close?.();
  }
}

const CASES: [string, SimdOptions][] = [
  ['1 thread', { threads: 1 }],
  ['1 thread, rounds of one chunk', { threads: 1, minChunkBytes: 0, roundBytes: 1024 }],
  // A job of the 5003 rows is 16 chunks of 312–313 rows (10 KB of rows at D = 6 or 8): rounds of 2 and of 3 chunks.
  ['2 threads, rounds of two chunks', { threads: 2, minChunkBytes: 0, adapt: false, roundBytes: 20480 }],
  ['3 threads, rounds of three chunks', { threads: 3, minChunkBytes: 0, adapt: false, roundBytes: 32768 }],
  ['2 threads, rows held after 4 passes', { threads: 2, minChunkBytes: 0, adapt: false, roundBytes: 20480, holdAfter: 4 }],
];

describe.each(CASES)('the fast CPU backend (%s) reading an NPY file at every pass', (_, opts) => {
  const backend = nodeCpuBackend(opts);
  afterAll(() => backend.dispose());

  for (const d of [8, 6]) {
    it(`gives the model it gives holding the rows, bit for bit (D = ${d}, rows in 4 slots)`, async () => {
      const file = await writeData(`lr${d}`, 5003, d);
      const held = await fit(backend, file, false);
      const read = await fit(backend, file, true);
      expect([held.passStores, read.passStores]).toEqual([0, 1]);
      expect(read.r.chunkRows).toEqual([1500, 1500, 1500, 503]);
      expect(read.r.solve!.iterations.length).toBeGreaterThan(5);
      expect(read.r.solve!.iterations.map((i) => i.objective)).toEqual(held.r.solve!.iterations.map((i) => i.objective));
      expect([...read.r.params.weights, ...read.r.params.bias]).toEqual([...held.r.params.weights, ...held.r.params.bias]);
      expect(read.r.final).toEqual(held.r.final);
      expect(read.r.objective).toBe(held.r.objective);
    });
  }

  it('stops at a value that is not finite, naming the file, its row and column', async () => {
    const file = await writeData('bad', 5003, 6, { row: 4100, col: 3, value: NaN });
    const e = await rejection(fit(backend, file, true));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('bad.npy');
    expect(e.message).toMatch(/row 4101\b.*4 "x4".*NaN/);
  });
});

describe('reading an NPY file\'s features blocking (readFeaturesSync), as later passes do', () => {
  it('reads what readRowsInto reads once the files are open, stops at a bad value with its row and column, and at a changed file', async () => {
    const file = await writeData('sync', 300, 5, { row: 250, col: 1, value: Infinity });
    const source = await npySource({ x: file, y: npyTargetPath(file) });
    try {
      const [a, b] = [0, 1].map(() => ({ rows: 200, x: new Float32Array(200 * 5), y: new Float32Array(200) }));
      expect(source.readFeaturesSync!(10, 200, a)).toBe(false); // the files are not open yet: nothing read
      await source.readRowsInto(10, 200, b);
      expect(source.readFeaturesSync!(10, 200, a)).toBe(true);
      expect(a.x).toEqual(b.x);
      const e = (() => {
        try {
          source.readFeaturesSync!(100, 200, a);
        } catch (err) {
          return err as Error;
        }
        throw new Error('expected an error');
      })();
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toMatch(/row 251\b.*2 "x2".*Infinity/);
      await writeData('sync', 300, 5);
      expect(() => source.readFeaturesSync!(0, 10, a)).toThrow(/the file changed while it was being read/);
    } finally {
      await source.close();
    }
  });
});

describe('when L-BFGS reads the rows at every pass (readsPerPass)', () => {
  const source = (rows: number | null, d: number) => ({ rows, features: Array.from({ length: d }, (_, j) => `x${j}`) }) as unknown as DataSource;
  const big = source(2 ** 20, 32);
  it('from 64 MiB of rows, or when asked; never for other solvers, a holdout, a path or folds, or when told not to', () => {
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs' }), big)).toBe(true);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs' }), source(1000, 32))).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs', passReads: true }), source(1000, 32))).toBe(true);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs', passReads: false }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'newton' }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'gd' }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs', validation: 0.2 }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs', penalty: 'l2', alphaPath: 10 }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs', penalty: 'l2', alphaPath: 10, cv: 3 }), big)).toBe(false);
    expect(readsPerPass(resolvePlan({ solver: 'lbfgs' }), source(null, 32))).toBe(false);
  });

  it('holds the rows where it cannot read them at every pass: standardized features (their statistics need the rows twice)', async () => {
    const backend = nodeCpuBackend({ threads: 1 });
    try {
      const file = await writeData('std', 3001, 5);
      const read = await fit(backend, file, true, { standardize: true });
      const held = await fit(backend, file, false, { standardize: true });
      expect([...read.r.params.weights]).toEqual([...held.r.params.weights]);
    } finally {
      backend.dispose();
    }
  });
});
