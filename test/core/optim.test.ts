// Every optimizer's CPU twin (describe.each over the registry) against a hand-computed three-step trajectory of the
// notes' J(w) = w² from w = 20 with α = 0.1 (g = 2w), from each rule as published; the schedules' rates; clipping;
// the running average; and the option descriptors of the optimizers.
import { describe, expect, it } from 'vitest';
import { LrSchedule, SCHEDULE_OPTIONS, type ScheduleParams } from '../../src/core/lr_schedule';
import { modelSpec } from '../../src/core/model';
import { OPTIM_DEFAULTS, OPTIMIZER_NAMES, OPTIMIZERS, type OptimizerKind } from '../../src/core/optim';
import { applyStep, clipFactor, newOptimState } from '../../src/core/optim/apply';
import { parseTrainSpec } from '../../src/core/spec';

/**
 * w after steps 1, 2, 3 of J(w) = w² from 20, α = 0.1, default hyperparameters (β = 0.9; β1 = 0.9, β2 = 0.999,
 * ε = 1e−8; ρ = 0.99; AdamW λ = 0.01). Worked by hand from each rule:
 * - sgd: w ← w − α·2w = 0.8w (the notes: 16, 12.8, 10.24).
 * - momentum (PyTorch, Polyak): v = 40 → 16; v = 0.9·40 + 32 = 68 → 9.2; v = 0.9·68 + 18.4 = 79.6 → 1.24.
 * - nesterov (PyTorch, Sutskever et al. 2013): v = 40 → 20 − 0.1·(40 + 36) = 12.4; v = 36 + 24.8 = 60.8 →
 *   12.4 − 0.1·(24.8 + 54.72) = 4.448; v = 54.72 + 8.896 = 63.616 → 4.448 − 0.1·(8.896 + 57.2544) = −2.16704.
 * - adagrad (Duchi et al. 2011): G = 1600 → 20 − 4/40 = 19.9; G = 1600 + 39.8² → 19.8294668; → 19.7719651.
 * - rmsprop (Hinton's lecture 6e): s = 0.01·1600 = 16 → 20 − 4/4 = 19; s = 0.99·16 + 0.01·38² = 30.28 → 18.3094333; → 17.7534944.
 * - adam (Kingma & Ba 2015, Algorithm 1): m̂ = 40, v̂ = 1600 → 19.9; then m = 7.58, v = 3.18244, m̂ = 7.58/0.19,
 *   v̂ = 3.18244/0.001999 → 19.8000134; → 19.7000491.
 * - adamw (Loshchilov & Hutter 2019): w·(1 − α·λ) − α·(Adam step): 19.98 − 0.1 = 19.88; → 19.7601361; → 19.6404191.
 * - ftrl (McMahan et al. 2013, Algorithm 1; β = 1, λ1 = λ2 = 0): n = 1600, σ = 40/0.1 = 400, z = 40 − 400·20 = −7960 →
 *   w = 7960/((1 + 40)/0.1) = 19.4146341; g = 38.8292683, n = 3107.71208, σ = (55.7468572 − 40)/0.1 = 157.468572,
 *   z = −7960 + 38.8292683 − 157.468572·19.4146341 = −10978.3654 → 10978.3654/567.468572 = 19.3462087; → 19.2900178.
 * (The last digits of the adaptive rules were checked with a separate calculator; ε shifts them by ~1e−11.)
 */
const TRAJECTORIES: Record<OptimizerKind, [number, number, number]> = {
  sgd: [16, 12.8, 10.24],
  momentum: [16, 9.2, 1.24],
  nesterov: [12.4, 4.448, -2.16704],
  adagrad: [19.900000000025, 19.829466763185703, 19.771965108288565],
  rmsprop: [19.0000000025, 18.309433257731847, 17.753494415534778],
  adam: [19.900000000025, 19.800013379588957, 19.700049114997004],
  adamw: [19.880000000025, 19.760136139171035, 19.640419109284245],
  ftrl: [19.414634146341463, 19.346208738698877, 19.29001777450727],
};

describe.each(OPTIMIZER_NAMES)('optimizer %s', (name) => {
  it('follows the hand-computed trajectory of J(w) = w² from w = 20, α = 0.1', () => {
    const spec = modelSpec({ d: 1, fitBias: false, optimizer: name });
    const p = { weights: Float64Array.of(20), bias: Float64Array.of(0) };
    const state = newOptimState(spec);
    const got: number[] = [];
    for (let t = 1; t <= 3; t++) {
      const g = { weights: Float64Array.of(2 * p.weights[0]), bias: Float64Array.of(0), loss: 0, rows: 1 };
      applyStep(p, g, state, { lr: 0.1, t, average: 0 }, spec);
      got.push(p.weights[0]);
    }
    TRAJECTORIES[name].forEach((want, i) => expect(got[i], `step ${i + 1}`).toBeCloseTo(want, 9));
  });

  it('declares its state slots and options with defaults inside their bounds', () => {
    const u = OPTIMIZERS[name];
    expect(newOptimState(modelSpec({ d: 3, outputs: 1, optimizer: name })).slots).toHaveLength(4 * u.slots);
    for (const o of u.options) {
      expect(OPTIM_DEFAULTS[o.key]).toBe(o.default);
      if (o.min !== undefined) expect(o.default).toBeGreaterThanOrEqual(o.min);
      if (o.max !== undefined) expect(o.default).toBeLessThan(o.max);
    }
  });

  it('updates biases with the same rule but never decays or penalizes them', () => {
    const spec = modelSpec({ d: 1, optimizer: name, penalty: 'l2', penaltyParams: { alpha: 0.5 } });
    const p = { weights: Float64Array.of(0), bias: Float64Array.of(20) };
    applyStep(p, { weights: Float64Array.of(0), bias: Float64Array.of(40), loss: 0, rows: 1 }, newOptimState(spec), { lr: 0.1, t: 1, average: 0 }, spec);
    const noDecay = OPTIMIZERS[name].decoupled ? TRAJECTORIES.adam[0] : TRAJECTORIES[name][0];
    expect(p.bias[0]).toBeCloseTo(noDecay, 9);
    expect(p.weights[0]).toBe(0);
  });
});

describe('schedules', () => {
  const base: ScheduleParams = { lrSchedule: 'constant', warmup: 0, decay: 0.5, stepEvery: 0, power: 0.25, patience: 2, tol: 0 };
  const rates = (p: Partial<ScheduleParams>, ts: number[], perEpoch = 10, total = 100) => {
    const s = new LrSchedule(0.1, { ...base, ...p }, perEpoch, total);
    return ts.map((t) => +s.rate(t).toPrecision(12));
  };
  it('constant, step (γ per epoch of 10 steps), exponential, invscaling, cosine, warm-up', () => {
    expect(rates({}, [0, 50, 99])).toEqual([0.1, 0.1, 0.1]);
    expect(rates({ lrSchedule: 'step' }, [0, 9, 10, 25])).toEqual([0.1, 0.1, 0.05, 0.025]);
    expect(rates({ lrSchedule: 'step', stepEvery: 3 }, [2, 3, 6])).toEqual([0.1, 0.05, 0.025]);
    expect(rates({ lrSchedule: 'exponential' }, [0, 5, 10])).toEqual([0.1, +(0.1 * 0.5 ** 0.5).toPrecision(12), 0.05]);
    expect(rates({ lrSchedule: 'invscaling' }, [0, 15])).toEqual([0.1, +(0.1 / 16 ** 0.25).toPrecision(12)]);
    expect(rates({ lrSchedule: 'cosine' }, [0, 50, 100])).toEqual([0.1, 0.05, 0]);
    expect(rates({ warmup: 4 }, [0, 1, 3, 10])).toEqual([0.025, 0.05, 0.1, 0.1]);
  });
  it('plateau lowers the rate by γ after `patience` epochs without improvement', () => {
    const s = new LrSchedule(0.1, { ...base, lrSchedule: 'plateau' }, 10, 100);
    expect([1, 0.9, 0.95, 0.95].map((l) => s.observe(l))).toEqual([false, false, false, true]);
    expect(s.rate(5)).toBeCloseTo(0.05, 15);
  });
  it('schedule options apply only where they are read', () => {
    expect(() => parseTrainSpec({ power: 0.5 })).toThrow(/--lr-schedule invscaling/);
    expect(parseTrainSpec({ 'lr-schedule': 'invscaling', power: '0.5' }).power).toBe(0.5);
    expect(SCHEDULE_OPTIONS.map((o) => o.name)).toEqual(['warmup', 'decay', 'step-every', 'power', 'patience', 'tol']);
  });
});

describe('clipping, averaging and options', () => {
  it('clips the mean gradient (weights and fitted biases) to the given norm', () => {
    const g = { weights: Float64Array.of(3, 4), bias: Float64Array.of(12), loss: 0, rows: 1 };
    expect(clipFactor(g, 0, true)).toBe(1);
    expect(clipFactor(g, 13, true)).toBe(1);
    expect(clipFactor(g, 6.5, true)).toBeCloseTo(0.5, 15);
    expect(clipFactor(g, 2.5, false)).toBeCloseTo(0.5, 15);
  });
  it('the running average of iterates 1 … n is their mean', () => {
    const spec = modelSpec({ d: 1, fitBias: false });
    const p = { weights: Float64Array.of(20), bias: Float64Array.of(0) };
    const state = newOptimState(spec);
    const seen: number[] = [];
    for (let t = 1; t <= 5; t++) {
      applyStep(p, { weights: Float64Array.of(2 * p.weights[0]), bias: Float64Array.of(0), loss: 0, rows: 1 }, state, { lr: 0.1, t, average: t >= 3 ? t - 2 : 0 }, spec);
      if (t >= 3) seen.push(p.weights[0]);
    }
    expect(state.average!.weights[0]).toBeCloseTo(seen.reduce((a, b) => a + b, 0) / seen.length, 12);
    expect(state.averaged).toBe(3);
  });
  it('bad optimizer options name the flag and the bounds; options apply only to their optimizers', () => {
    expect(() => parseTrainSpec({ optimizer: 'lbfgs' })).toThrow(/--optimizer must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw/);
    expect(() => parseTrainSpec({ optimizer: 'momentum', momentum: '1' })).toThrow(/--momentum expects a number in \[0, 1\)/);
    expect(() => parseTrainSpec({ optimizer: 'adam', beta1: '-0.1' })).toThrow(/--beta1 expects a number in \[0, 1\)/);
    expect(() => parseTrainSpec({ optimizer: 'adamw', 'weight-decay': '-1' })).toThrow(/--weight-decay expects a number ≥ 0/);
    expect(() => parseTrainSpec({ momentum: '0.5' })).toThrow(/--optimizer momentum, nesterov/);
    expect(() => parseTrainSpec({ 'early-stopping': true })).toThrow(/--early-stopping watches the held-out rows: give --validation/);
    expect(parseTrainSpec({ optimizer: 'nesterov', momentum: '0.5' }).momentum).toBe(0.5);
  });
});
