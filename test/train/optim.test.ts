// Optimizers and schedules end to end: every optimizer × every schedule on every f32 backend of the test matrix (the
// fast CPU backend on 1 and 3 threads, WebGPU fused and two-dispatch where both exist) against the f64 reference over hundreds of steps at an awkward D;
// convergence on an ill-conditioned least-squares problem (momentum and Adam reach the exact solution in fewer
// epochs than plain SGD, which does not within the budget); averaged SGD past the noise floor of constant-rate SGD;
// early stopping keeping the best epoch's weights; host-update mode with every optimizer.
import { describe, expect, it } from 'vitest';
import { SCHEDULES } from '../../src/core/lr_schedule';
import { leastSquares } from '../../src/core/lstsq';
import { linearDataset } from '../../src/data/synthetic';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { type TrainResult } from '../../src/train/report';
import { ALL_OPTIMIZERS, gpuVariant, reference, TOLERANCE, useBackends } from '../helpers/matrix';

const MATRIX = useBackends();
const webgpu = MATRIX.find((b) => b.kind === 'webgpu')!;
/** The f32 backends, and WebGPU once more with the update in its own dispatch (the default fuses it where it can). */
const BACKENDS = [...MATRIX.filter((b) => b.precision === 'f32'), gpuVariant(webgpu, 'webgpu, two dispatches', { fuse: false })];

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const data = linearDataset({ rows: 403, features: 7, noise: 0.1, seed: 21 });
/** Hyperparameters that make each schedule change the rate within the run (two epochs of 101 steps). */
const scheduleOptions = { warmup: 10, decay: 0.7, stepEvery: 40, power: 0.5, patience: 1, tol: 0.5 };

describe.each(BACKENDS)('%s against the f64 reference', (b) => {
  for (const optimizer of ALL_OPTIMIZERS) {
    it(`${optimizer} under every schedule, 202 steps, D = 7`, async () => {
      const backend = b.backend();
      for (const lrSchedule of SCHEDULES) {
        const { patience, tol, decay, stepEvery, power, warmup } = scheduleOptions;
        const schedule = lrSchedule === 'plateau' ? { lrSchedule, decay, patience, tol, warmup } : lrSchedule === 'invscaling' ? { lrSchedule, power, warmup }
          : ['step', 'exponential'].includes(lrSchedule) ? { lrSchedule, decay, stepEvery, warmup } : { lrSchedule, warmup };
        const lr = ['adam', 'adamw', 'rmsprop', 'adagrad'].includes(optimizer) ? 0.02 : 0.05;
        const o: TrainOptions = { epochs: 2, batch: 4, lr, seed: 3, optimizer, average: optimizer === 'momentum', ...schedule } as TrainOptions;
        const want = await train(reference, data, o);
        const got = await train(backend, data, o);
        // f32 against f64 over 202 dependent steps.
        expect(maxDiff(got.params.weights, want.params.weights), `${optimizer} ${lrSchedule}`).toBeLessThan(TOLERANCE.train.atol);
        expect(Math.abs(got.params.bias[0] - want.params.bias[0])).toBeLessThan(TOLERANCE.train.atol);
        got.epochs.forEach((e, i) => expect(Math.abs(e.lr - want.epochs[i].lr), `${lrSchedule} rate`).toBeLessThan(1e-12));
      }
    });
  }
});

describe('convergence on an ill-conditioned least-squares problem (feature scales 1, 10, 100: κ ≈ 10⁴)', () => {
  const truth = { weights: Float64Array.of(1.5, -2, 0.7), bias: Float64Array.of(0.5) };
  const ds = linearDataset({ rows: 500, features: 3, noise: 0.01, seed: 5, scales: [1, 10, 100], truth });
  const exact = leastSquares(ds.chunks[0].x, ds.chunks[0].y, 500, 3, true);
  const relErr = (w: Float64Array) => Math.max(...Array.from(w, (v, j) => Math.abs(v - exact.weights[j]) / Math.abs(exact.weights[j])));
  const epochsTo = async (o: Omit<TrainOptions, 'epochs' | 'batch'>): Promise<number> => {
    let hit = Infinity;
    await train(reference, ds, { ...o, epochs: 2500, batch: Infinity, skipFinalMetrics: true, onEpoch: (e) => { if (hit === Infinity && relErr(e.params!.weights) < 1e-4) hit = e.epoch + 1; } });
    return hit;
  };

  it('momentum and Adam reach 1e-4 relative coefficient error in fewer full-batch epochs than plain SGD', async () => {
    // SGD at its largest stable rate (2/λmax ≈ 3e−4) against momentum at the same rate and Adam.
    const sgd = await epochsTo({ lr: 2.5e-4 });
    const momentum = await epochsTo({ lr: 2.5e-4, optimizer: 'momentum', momentum: 0.99 });
    const adam = await epochsTo({ lr: 0.05, optimizer: 'adam' });
    console.log(`epochs to 1e-4 relative error: sgd ${sgd}, momentum ${momentum}, adam ${adam} (budget 2500)`);
    expect(sgd).toBe(Infinity);
    expect(momentum).toBeLessThan(2500);
    expect(adam).toBeLessThan(momentum);
  });

  it('averaged SGD at a constant rate gets below 1e-4 relative error, where plain SGD at the same rate stays at its noise floor', async () => {
    const noisy = linearDataset({ rows: 2000, features: 3, noise: 0.1, seed: 5, truth });
    const ls = leastSquares(noisy.chunks[0].x, noisy.chunks[0].y, 2000, 3, true);
    const err = (r: TrainResult) => Math.max(...Array.from(r.params.weights, (v, j) => Math.abs(v - ls.weights[j]) / Math.abs(ls.weights[j])));
    const o = { epochs: 60, batch: 10, lr: 0.05, seed: 1, skipFinalMetrics: true };
    const plain = await train(reference, noisy, o);
    const averaged = await train(reference, noisy, { ...o, average: true });
    console.log(`relative coefficient error after 60 epochs: plain ${err(plain).toExponential(2)}, averaged ${err(averaged).toExponential(2)}`);
    expect(averaged.averaged).toBe(true);
    expect(err(averaged)).toBeLessThan(1e-4);
    expect(err(plain)).toBeGreaterThan(1e-3);
  });
});

describe('early stopping and host-update mode', () => {
  it('stops when the validation loss stops improving and keeps the best epoch\'s weights', async () => {
    const epochsSeen: number[] = [];
    const r = await train(reference, data, {
      epochs: 200, batch: 8, lr: 0.2, seed: 4, validation: 0.3, earlyStopping: true, patience: 3, tol: 0.01,
      onEpoch: (e) => epochsSeen.push(e.validation!.loss),
    });
    expect(r.earlyStop).not.toBeNull();
    const { bestEpoch, stoppedAfter } = r.earlyStop!;
    expect(stoppedAfter).toBeLessThan(200);
    expect(stoppedAfter - bestEpoch).toBeGreaterThanOrEqual(3);
    expect(r.validation!.loss).toBeCloseTo(epochsSeen[bestEpoch - 1], 10);
    expect(r.epochs).toHaveLength(stoppedAfter);
  });

  it.each(ALL_OPTIMIZERS)('host-update mode applies %s exactly as the backend does (WebGPU)', async (optimizer) => {
    const o: TrainOptions = { epochs: 1, batch: 40, lr: 0.05, seed: 2, optimizer, lrSchedule: 'cosine' };
    const device = await train(webgpu.backend(), data, o);
    const host = await train(webgpu.backend(), data, { ...o, hostUpdate: true });
    expect(maxDiff(host.params.weights, device.params.weights)).toBeLessThan(1e-5);
  });
});
