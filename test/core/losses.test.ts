// Every registered loss (describe.each over the registry): dL/dz against central finite differences of the f64
// value (the notes' own definition of a derivative, f(z+h) ≈ f(z) + f'(z)·h), at smooth points and next to each
// kink (Huber at ±δ, hinge at margin 1, ε-insensitive at ±ε, quantile at 0, modified Huber at −1 and 1); the
// subgradient taken at a kink lies between the one-sided derivatives; and the links used by predict.
import { describe, expect, it } from 'vitest';
import { LOSS_DEFAULTS, LOSS_NAMES, LOSSES, lossHp, type LossKind, type MultiLoss, type ScalarLoss } from '../../src/core/losses';
import { sigmoid, softplus } from '../../src/core/losses/loss';

const H = 1e-6;
const PARAMS = { huberDelta: 0.7, epsilon: 0.25, quantile: 0.3 };

/** Residuals z − t (or margins, for binary losses) where each loss bends. */
const KINKS: Record<LossKind, number[]> = {
  squared: [], huber: [-0.7, 0.7], 'epsilon-insensitive': [-0.25, 0.25], quantile: [0], poisson: [],
  logistic: [], hinge: [1], 'modified-huber': [-1, 1], softmax: [],
};

const fd = (f: (z: number) => number, z: number) => (f(z + H) - f(z - H)) / (2 * H);

describe.each(LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass'))('loss %s', (name) => {
  const unit = LOSSES[name] as ScalarLoss;
  const hp = lossHp(name, PARAMS);
  const targets = unit.task === 'regression' ? (name === 'poisson' ? [0, 1, 3] : [-1.3, 0, 2.5]) : [0, 1];
  /** z for a residual or margin r against target t. */
  const zOf = (r: number, t: number) => (unit.task === 'binary' ? r * (t === 1 ? 1 : -1) : t + r);

  it('dL/dz matches central differences at smooth points', () => {
    for (const t of targets) {
      for (const z of [-2.1, -0.45, 0.05, 0.9, 1.7]) {
        if (KINKS[name].some((k) => Math.abs(zOf(k, t) - z) < 1e-3)) continue;
        const want = fd((v) => unit.value(v, t, hp), z);
        expect(Math.abs(unit.dz(z, t, hp) - want), `${name} z=${z} t=${t}`).toBeLessThan(1e-6 * (1 + Math.abs(want)));
      }
    }
  });

  it('dL/dz matches central differences just beside each kink, and takes a subgradient at it', () => {
    for (const t of targets) {
      for (const k of KINKS[name]) {
        const at = zOf(k, t);
        for (const side of [-1e-3, 1e-3]) {
          const z = at + side;
          const want = fd((v) => unit.value(v, t, hp), z);
          expect(Math.abs(unit.dz(z, t, hp) - want), `${name} beside kink z=${z} t=${t}`).toBeLessThan(1e-5);
        }
        const left = fd((v) => unit.value(v, t, hp), at - 1e-3);
        const right = fd((v) => unit.value(v, t, hp), at + 1e-3);
        const g = unit.dz(at, t, hp);
        expect(g, `${name} subgradient at z=${at}`).toBeGreaterThanOrEqual(Math.min(left, right) - 1e-9);
        expect(g).toBeLessThanOrEqual(Math.max(left, right) + 1e-9);
      }
    }
  });

  it('is finite for large outputs (no overflow in the stable forms)', () => {
    for (const t of targets) {
      for (const z of name === 'poisson' ? [-30, 30] : [-500, 500]) {
        expect(Number.isFinite(unit.value(z, t, hp)), `${name} value at ${z}`).toBe(true);
        expect(Number.isFinite(unit.dz(z, t, hp)), `${name} dz at ${z}`).toBe(true);
      }
    }
  });

  it('has its hyperparameters as option descriptors with defaults inside their bounds', () => {
    for (const o of unit.options) {
      expect(LOSS_DEFAULTS[o.key]).toBe(o.default);
      if (o.min !== undefined) expect(o.default).toBeGreaterThanOrEqual(o.min);
      if (o.max !== undefined) expect(o.default).toBeLessThanOrEqual(o.max);
    }
    expect(unit.hp({ ...LOSS_DEFAULTS, ...PARAMS })).toHaveLength(4);
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
