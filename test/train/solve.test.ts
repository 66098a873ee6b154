// The exact solver through train() on every backend (--solver exact, resident and streamed, ridge, holdout), the
// optimality gap (--gap), preconditioned gradient descent (--precondition) against plain standardized descent on a
// κ = 1e6 problem, and bad input (a non-squared loss, L1, a singular system, a Gram too large for the budget).
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset';
import { OptionError } from '../../src/core/options';
import { Rng } from '../../src/core/rng';
import { linearDataset } from '../../src/data/synthetic';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { reference, TOLERANCE, useBackends } from '../helpers/matrix';
import { problemOf, ridge } from '../helpers/oracles';
import { conditionedProblem, referenceFit } from '../helpers/qr_reference';

const BACKENDS = useBackends();
const webgpu = BACKENDS.find((b) => b.kind === 'webgpu')!;

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let n = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    n += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(n / s);
};

/** A dataset of f32 rows from an f64 problem (the solver's reference is computed on the stored values). */
function dataset(x: Float64Array, y: Float64Array, d: number, chunkRows = 1000): Dataset {
  const rows = y.length;
  const chunks = [];
  for (let r = 0; r < rows; r += chunkRows) {
    const n = Math.min(chunkRows, rows - r);
    chunks.push({ rows: n, x: Float32Array.from(x.subarray(r * d, (r + n) * d)), y: Float32Array.from(y.subarray(r, r + n)), firstRow: r });
  }
  return { features: Array.from({ length: d }, (_, j) => `x${j + 1}`), target: 'y', rows, chunks };
}

const flat = (ds: Dataset) => ({
  x: Float64Array.from(ds.chunks.flatMap((c) => [...c.x])),
  y: Float64Array.from(ds.chunks.flatMap((c) => [...c.y])),
});

const linear = linearDataset({ rows: 5000, features: 6, noise: 0.1, seed: 3, chunkRows: 1500 });
const exact = (o: Partial<TrainOptions> = {}): TrainOptions => ({ solver: 'exact', ...o });

describe.each(BACKENDS)('--solver exact on %s', (b) => {
  const make = () => b.backend();
  const gram = b.kind === 'webgpu';
  // WebGPU keeps its Gram pass on well-conditioned data: float32 Gram entries (~1e-7) times κ² ≈ 1. The CPU backends
  // solve by the streamed QR in f64 on the host, whatever the precision of their training arithmetic.
  const tol = gram ? 1e-6 : TOLERANCE.f64.rtol;
  it('matches Householder QR of the stored values (f64 solve of f32 data) with its metrics from the backend', async () => {
    const { x, y } = flat(linear);
    const want = referenceFit(x, y, 5000, 6, true);
    const r = await train(make(), linear, exact());
    expect(relErr(r.params.weights, want.w)).toBeLessThan(tol);
    expect(Math.abs(r.params.bias[0] - want.b)).toBeLessThan(tol);
    expect(r.exact).toMatchObject({ rank: 7, columns: 7, method: gram ? 'gram' : 'qr', collinear: [], warnings: [] });
    expect(r.exact!.condition).toBeGreaterThan(1);
    expect(r.exact!.condition).toBeLessThan(1.5);
    expect(r.epochs).toEqual([]);
    // The backend's MSE (f32 on the GPU) against the exact minimum.
    expect(Math.abs(r.final.loss - r.exact!.loss) / r.exact!.loss).toBeLessThan(1e-4);
  });

  it('streamed (budget 32 KB) gives the same answer; a holdout leaves its rows out and reports them', async () => {
    const resident = await train(make(), linear, exact());
    const streamed = await train(make(), linear, exact({ memoryBudget: 32 * 1024 }));
    expect(streamed.streamed).toBe(true);
    expect(relErr(streamed.params.weights, resident.params.weights)).toBeLessThan(1e-14);
    const held = await train(make(), linear, exact({ validation: 0.2 }));
    expect(held.rows + held.validationRows).toBe(5000);
    expect(held.validationRows).toBeGreaterThan(800);
    expect(held.validation!.loss).toBeGreaterThan(0);
    expect(relErr(held.params.weights, resident.params.weights)).toBeLessThan(0.05);
  });

  it('trainResident (the page\'s path) solves too, from the loaded source', async () => {
    const { uploadDataset, trainResident } = await import('../../src/train/train');
    const backend = make();
    const data = await uploadDataset(backend, linear);
    try {
      const r = await trainResident(backend, data, exact());
      const { x, y } = flat(linear);
      expect(relErr(r.params.weights, referenceFit(x, y, 5000, 6, true).w)).toBeLessThan(tol);
      expect(r.exact!.rank).toBe(7);
    } finally {
      data.dispose();
    }
  });

  it('--gap on streamed data (budget 32 KB, mini-batches)', async () => {
    const r = await train(make(), linear, { epochs: 3, batch: 500, lr: 0.05, gap: true, memoryBudget: 32 * 1024 });
    expect(r.streamed).toBe(true);
    expect(r.gapHistory).toHaveLength(3);
    expect(r.gapHistory![2]).toBeLessThan(r.gapHistory![0]);
  });

  it('ridge (--penalty l2) matches the closed form', async () => {
    const want = ridge(problemOf(linear), 0.05);
    const r = await train(make(), linear, exact({ penalty: 'l2', alpha: 0.05 }));
    expect(relErr(r.params.weights, want.w)).toBeLessThan(tol);
  });

  it('κ = 1e3: the streamed QR decides (WebGPU sets its Gram pass aside and says why)', async () => {
    const p = conditionedProblem(3000, 5, 1e3, { seed: 37, noise: 0.01 });
    const ds = dataset(p.x, p.y, 5);
    const { x, y } = flat(ds);
    const r = await train(make(), ds, exact());
    expect(relErr(r.params.weights, referenceFit(x, y, 3000, 5, true).w)).toBeLessThan(1e-11);
    expect(r.exact!.method).toBe('qr');
    if (gram) expect(r.exact!.note).toMatch(/GPU Gram pass not kept \(condition number 1\.\d+e\+3: the float32 Gram would lose digits/);
  });
});

describe('--solver exact: bad input', () => {
  it('a non-squared loss or an L1 penalty is an option error that says what to do', async () => {
    await expect(train(reference, linear, exact({ loss: 'huber' }))).rejects.toThrow(OptionError);
    await expect(train(reference, linear, exact({ penalty: 'l1', alpha: 0.1 }))).rejects.toThrow(/--penalty l1 is not smooth \(use none or l2\).*use --solver gd/);
  });

  it('a singular system is reported by column, with finite weights', async () => {
    const ds = linearDataset({ rows: 1000, features: 3, seed: 4 });
    for (const c of ds.chunks) for (let i = 0; i < c.rows; i++) c.x[i * 3 + 2] = c.x[i * 3] - c.x[i * 3 + 1];
    const r = await train(reference, ds, exact());
    expect(r.exact!.rank).toBe(3);
    expect(r.exact!.collinear.map((c) => c.feature)).toEqual(['x3']);
    expect(r.exact!.warnings[0]).toMatch(/rank 3 of 4: collinear columns \(x3 = 1·x1 − 1·x2 \+ constant\); its weight is set to 0/);
    expect([...r.params.weights].every(Number.isFinite)).toBe(true);
  });

  it('a D × D factor larger than the memory budget is a clear error naming the limit', async () => {
    const ds: Dataset = { features: Array.from({ length: 3000 }, (_, j) => `x${j}`), target: 'y', rows: 1, chunks: [{ rows: 1, x: new Float32Array(3000), y: new Float32Array(1) }] };
    await expect(train(reference, ds, exact({ memoryBudget: 64 * 2 ** 20 }))).rejects.toThrow(/3000 features needs 1306 MiB for its \(D \+ 2\)² factors; the limit is --memory-budget 64 MiB/);
  });
});

describe('--gap and --precondition', () => {
  it.each(BACKENDS)('--gap on %s: the gap after every epoch, falling to the f32 limit', async (b) => {
    const r = await train(b.backend(), linear, { epochs: 30, batch: Infinity, lr: 0.5, gap: true, standardize: true });
    expect(r.gapHistory).toHaveLength(30);
    expect(r.epochs[0].gap!.gap).toBe(r.gapHistory![0]);
    for (let i = 1; i < 30; i++) expect(r.gapHistory![i]).toBeLessThanOrEqual(r.gapHistory![i - 1] * 1.01 + 1e-6);
    expect(r.gapHistory![29]).toBeLessThan(1e-5);
    expect(r.gap!.distance).toBeLessThan(1e-3);
    expect(r.exact!.rank).toBe(7);
  });

  it('preconditioned GD reaches 1e-6 on κ = 1e6 in ≤ 50 full-batch epochs; standardized GD does not in 5000', async () => {
    const rows = 2000, d = 5;
    const p = conditionedProblem(rows, d, 1e6, { seed: 31, noise: 1e-3, mean: 2 });
    const ds = dataset(p.x, p.y, d);
    const { x, y } = flat(ds);
    const want = referenceFit(x, y, rows, d, true).w;
    const pre = await train(reference, ds, { epochs: 50, batch: Infinity, lr: 0.5, precondition: true, gap: true });
    const errPre = pre.epochs.map((e) => relErr(e.params!.weights, want));
    const first = errPre.findIndex((e) => e < 1e-6);
    const plain = await train(reference, ds, { epochs: 5000, batch: Infinity, lr: 0.2, standardize: true, skipFinalMetrics: true });
    const errPlain = relErr(plain.params.weights, want);
    console.log(`κ = ${pre.exact!.condition.toExponential(2)}: preconditioned GD (lr 0.5) relative coefficient error ${errPre.at(-1)!.toExponential(2)} after 50 epochs, ` +
      `below 1e-6 from epoch ${first + 1}; standardized GD (lr 0.2) ${errPlain.toExponential(2)} after 5000 epochs`);
    expect(pre.exact!.condition).toBeGreaterThan(5e5);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(50);
    expect(errPlain).toBeGreaterThan(1e-6);
  });

  it('--precondition with ridge and on the GPU converges to the ridge optimum (f32 limits the GPU)', async () => {
    const want = ridge(problemOf(linear), 0.05);
    const cpu = await train(reference, linear, { epochs: 20, batch: Infinity, lr: 1, penalty: 'l2', alpha: 0.05, precondition: true });
    expect(relErr(cpu.params.weights, want.w)).toBeLessThan(1e-10);
    const g = await train(webgpu.backend(), linear, { epochs: 20, batch: Infinity, lr: 1, penalty: 'l2', alpha: 0.05, precondition: true });
    expect(relErr(g.params.weights, want.w)).toBeLessThan(1e-5);
    // Standardized, the penalty is on the standardized weights: a different optimum, which --gap measures.
    const s = await train(webgpu.backend(), linear, { epochs: 20, batch: Infinity, lr: 1, penalty: 'l2', alpha: 0.05, precondition: true, standardize: true, gap: true });
    expect(s.gap!.distance).toBeLessThan(1e-5);
    expect(relErr(s.params.weights, want.w)).toBeGreaterThan(1e-3);
  });

  it('--gap and --precondition need their settings: an option error otherwise', async () => {
    const { parseTrainSpec } = await import('../../src/core/spec');
    expect(() => parseTrainSpec({ gap: true, loss: 'huber' })).toThrow(/--gap does not apply here: .*squared loss/);
    expect(() => parseTrainSpec({ precondition: true, penalty: 'l1', alpha: 0.1 })).toThrow(/--precondition does not apply here/);
    expect(() => parseTrainSpec({ solver: 'exact', loss: 'logistic' })).toThrow(/--solver exact cannot fit this: --loss logistic has no closed form.*--solver gd, newton, lbfgs/);
    expect(parseTrainSpec({ solver: 'exact', penalty: 'l2', alpha: 1 }).solver).toBe('exact');
  });
});

describe('no bias with standardization (item 1, verified here through the solver)', () => {
  it('y = β·x with x in 60…70: the exact fit through the origin, standardization scaling only', async () => {
    const rng = new Rng(17);
    const x = Float32Array.from({ length: 500 }, () => 60 + 10 * rng.float24());
    const y = Float32Array.from(x, (v) => 1.5 * v + 0.1 * rng.normal());
    const ds: Dataset = { features: ['x'], target: 'y', rows: 500, chunks: [{ rows: 500, x, y }] };
    const r = await train(reference, ds, exact({ fitBias: false, standardize: true }));
    const want = referenceFit(x, y, 500, 1, false).w[0];
    expect(Math.abs(r.params.weights[0] - want) / want).toBeLessThan(1e-14);
    expect(r.params.bias[0]).toBe(0);
    expect([...r.standardization!.mean]).toEqual([0]);
  });
});
