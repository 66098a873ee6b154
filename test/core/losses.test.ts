// Every registered loss (describe.each over the registry, so a new unit is tested without new code here): dL/dz
// against finite differences of the f64 value (the notes' own definition of a derivative, f(z+h) ≈ f(z) + f'(z)·h)
// on a dyadic grid around each target: between the one-sided differences everywhere — a subgradient at the kinks
// that fall on the grid (Huber at ±δ, hinge at margin 1, quantile at 0, modified Huber at −1 and 1) — and equal to the
// central difference where smooth; finite for huge outputs; and the links used by predict.
import { describe, expect, it } from 'vitest';
import { LOSS_DEFAULTS, LOSS_NAMES, LOSSES, lossHp, type MultiLoss, type ScalarLoss } from '../../src/core/losses';
import { sigmoid, softplus } from '../../src/core/losses/math';

const H = 1e-6;

const fd = (f: (z: number) => number, z: number) => (f(z + H) - f(z - H)) / (2 * H);

/** Targets to try: for regression those the loss accepts (checkTarget) among a few, for classes 0 and 1. */
const targetsOf = (unit: ScalarLoss) =>
  unit.task === 'binary' ? [0, 1] : [-1.3, 0, 1, 2.5].filter((t) => !unit.checkTarget || unit.checkTarget(t) === null);

describe.each(LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass'))('loss %s', (name) => {
  const unit = LOSSES[name] as ScalarLoss;
  const hp = lossHp(name);
  const targets = targetsOf(unit);
  /** Points around each target (regression) or margin 0 (binary) on a 1/32 grid: kinks at dyadic offsets fall on it. */
  const grid = (t: number) => Array.from({ length: 193 }, (_, k) => (unit.task === 'binary' ? 0 : t) + (k - 96) / 32);

  it('dL/dz lies between the one-sided differences everywhere on the grid (a subgradient at kinks), and matches central differences where smooth', () => {
    for (const t of targets) {
      for (const z of grid(t)) {
        const f = (v: number) => unit.value(v, t, hp);
        const left = (f(z) - f(z - H)) / H;
        const right = (f(z + H) - f(z)) / H;
        const g = unit.dz(z, t, hp);
        const tol = 1e-4 * (1 + Math.abs(g));
        expect(g, `${name} z=${z} t=${t}: dL/dz ${g}, one-sided ${left} and ${right}`).toBeGreaterThanOrEqual(Math.min(left, right) - tol);
        expect(g, `${name} z=${z} t=${t}`).toBeLessThanOrEqual(Math.max(left, right) + tol);
        if (Math.abs(left - right) < 1e-3) expect(Math.abs(g - fd(f, z)), `${name} z=${z} t=${t}`).toBeLessThan(1e-6 * (1 + Math.abs(g)));
      }
    }
  });

  it('is finite for large outputs (no overflow in the stable forms)', () => {
    for (const t of targets) {
      for (const z of [-500, 500]) {
        expect(Number.isFinite(unit.value(z, t, hp)), `${name} value at ${z}`).toBe(true);
        expect(Number.isFinite(unit.dz(z, t, hp)), `${name} dz at ${z}`).toBe(true);
      }
    }
  });

  it('has its hyperparameters as option descriptors with defaults inside their bounds', () => {
    for (const o of unit.options) {
      expect((LOSS_DEFAULTS as Record<string, number>)[o.key]).toBe(o.default);
      if (o.min !== undefined) expect(o.default).toBeGreaterThanOrEqual(o.min);
      if (o.max !== undefined) expect(o.default).toBeLessThanOrEqual(o.max);
    }
    expect(unit.hp(LOSS_DEFAULTS)).toHaveLength(4);
  });
});

describe.each(LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass' && (LOSSES[n] as ScalarLoss).d2z))('curvature of %s', (name) => {
  const unit = LOSSES[name] as ScalarLoss;
  const hp = lossHp(name);
  const targets = targetsOf(unit);
  const grid = (t: number) => Array.from({ length: 193 }, (_, k) => (unit.task === 'binary' ? 0 : t) + (k - 96) / 32);

  it('d²L/dz² matches central differences of dL/dz where dL/dz is smooth, and is never negative', () => {
    for (const t of targets) {
      for (const z of grid(t)) {
        const g = (v: number) => unit.dz(v, t, hp);
        const left = (g(z) - g(z - H)) / H;
        const right = (g(z + H) - g(z)) / H;
        const h = unit.d2z!(z, t, hp);
        expect(h, `${name} z=${z} t=${t}`).toBeGreaterThanOrEqual(0);
        if (Math.abs(left - right) < 1e-3) expect(Math.abs(h - fd(g, z)), `${name} z=${z} t=${t}`).toBeLessThan(1e-5 * (1 + Math.abs(h)));
      }
    }
  });

});

describe('the kink grid', () => {
  it('holds the kinks it is meant to test: hinge at margin 1, quantile at z = t, Huber at t ± δ (δ = 1)', () => {
    const jump = (name: 'hinge' | 'quantile' | 'huber', z: number, t: number) => {
      const u = LOSSES[name] as ScalarLoss;
      const hp = lossHp(name);
      const f = (v: number) => u.value(v, t, hp);
      return Math.abs((f(z + H) - f(z)) / H - (f(z) - f(z - H)) / H);
    };
    expect(jump('hinge', 1, 1)).toBeGreaterThan(0.5);
    expect(jump('quantile', 2.5, 2.5)).toBeGreaterThan(0.5);
    expect(jump('huber', 2, 1)).toBeLessThan(1e-3); // Huber's dL/dz is continuous: its kink is in the second derivative
  });
});

describe('links and probabilities', () => {
  it('regression links: identity, and exp for poisson', () => {
    const hp = lossHp('squared');
    expect((LOSSES.squared as ScalarLoss).link(1.25, hp)).toBe(1.25);
    expect((LOSSES.poisson as ScalarLoss).link(0.5, hp)).toBeCloseTo(Math.exp(0.5), 15);
  });
  it('logistic gives σ(z); modified Huber (clip(z, −1, 1) + 1)/2; hinge none', () => {
    const hp = lossHp('logistic');
    expect((LOSSES.logistic as ScalarLoss).link(0.3, hp)).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 15);
    expect((LOSSES['modified-huber'] as ScalarLoss).link(0.5, hp)).toBe(0.75);
    expect((LOSSES['modified-huber'] as ScalarLoss).link(-3, hp)).toBe(0);
    expect(Number.isNaN((LOSSES.hinge as ScalarLoss).link(1, hp))).toBe(true);
    expect(LOSSES.hinge.probabilistic).toBe(false);
  });
  it('the stable softplus and sigmoid agree with the plain formulas where those are exact, and saturate', () => {
    for (const v of [-20, -1, 0, 0.5, 20]) {
      expect(softplus(v)).toBeCloseTo(Math.log(1 + Math.exp(v)), 12);
      expect(sigmoid(v)).toBeCloseTo(1 / (1 + Math.exp(-v)), 14);
    }
    expect(softplus(800)).toBe(800);
    expect(sigmoid(-800)).toBe(0);
  });
});

describe('softmax (multiclass)', () => {
  const unit = LOSSES.softmax as MultiLoss;
  it('∂L/∂z_c matches central differences for every class', () => {
    const z = Float64Array.of(0.3, -1.2, 2.05, 0.7);
    for (let t = 0; t < 4; t++) {
      const dz = new Float64Array(4);
      unit.valueDz(z, t, dz);
      for (let c = 0; c < 4; c++) {
        const f = (v: number) => {
          const zz = Float64Array.from(z);
          zz[c] = v;
          return unit.valueDz(zz, t, null);
        };
        expect(Math.abs(dz[c] - fd(f, z[c]))).toBeLessThan(1e-8);
      }
    }
  });
  it('probabilities sum to one; the loss is −log P(t); huge outputs stay finite', () => {
    const z = Float64Array.of(1000, 999, -5);
    const p = new Float64Array(3);
    unit.probabilities(z, p);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(unit.valueDz(z, 1, null)).toBeCloseTo(-Math.log(p[1]), 12);
    expect(Number.isFinite(unit.valueDz(z, 2, null))).toBe(true);
  });
});
