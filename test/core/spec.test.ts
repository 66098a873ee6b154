// The training spec and its option descriptors (src/core/spec.ts, options.ts) and the penalty units: defaults,
// bounds named in errors, options that apply only to their loss or penalty, the help text, and the SGD step
// with each penalty (weight decay in the gradient, soft-threshold to exact zeros, the bias never penalized).
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES } from '../../src/core/losses';
import { modelSpec, zeroParams, type Gradient, type ModelParams, type ModelSpec } from '../../src/core/model';
import { applyStep, newOptimState } from '../../src/core/optim/apply';
import { boundsText, helpLine, OptionError } from '../../src/core/options';
import { PENALTIES, PENALTY_NAMES, penaltyHp, penaltyValue, softThreshold } from '../../src/core/penalties';
import { parseTrainSpec, specRecord, TRAIN_OPTIONS } from '../../src/core/spec';

/** One SGD step through the one update rule (optim/apply.ts), as the fused GPU step takes it. */
const sgdStep = (p: ModelParams, g: Gradient, lr: number, spec: ModelSpec) => applyStep(p, g, newOptimState(spec), { lr, t: 1, average: 0 }, spec);

const fails = (record: Record<string, unknown>, option: string, text: RegExp) => {
  let err: unknown;
  try {
    parseTrainSpec(record);
  } catch (e) {
    err = e;
  }
  expect(err, `${JSON.stringify(record)} should fail`).toBeInstanceOf(OptionError);
  expect((err as OptionError).option).toBe(option);
  expect((err as Error).message).toMatch(text);
};

describe('parseTrainSpec', () => {
  it('fills every default: squared loss, no penalty, batch 256, lr 0.01, shuffle and bias on', () => {
    const s = parseTrainSpec({});
    expect(s).toMatchObject({ loss: 'squared', penalty: 'none', batch: 256, lr: 0.01, epochs: 10, seed: 0, shuffle: true, fitBias: true, standardize: false });
    for (const o of TRAIN_OPTIONS) expect(s[o.key]).toBe(o.default);
  });

  it('reads strings by CLI name or key, "full" batch as Infinity, booleans', () => {
    const s = parseTrainSpec({ loss: 'huber', 'huber-delta': '0.5', batch: 'full', bias: false, 'host-update': 'true', lr: '1e-3' });
    expect(s).toMatchObject({ loss: 'huber', huberDelta: 0.5, batch: Infinity, fitBias: false, hostUpdate: true, lr: 0.001 });
  });

  it('rejects bad values with the option and its bounds', () => {
    fails({ loss: 'nope' }, 'loss', /--loss must be one of squared, huber, .*softmax; got "nope"/);
    fails({ penalty: 'elasticnet', 'l1-ratio': '1.5' }, 'l1-ratio', /--l1-ratio expects a number in \[0, 1\], got "1.5"/);
    fails({ loss: 'quantile', quantile: '0' }, 'quantile', /--quantile expects a number in \(0, 1\), got "0"/);
    fails({ loss: 'quantile', quantile: 1 }, 'quantile', /in \(0, 1\)/);
    fails({ lr: '-1' }, 'lr', /--lr expects a number > 0/);
    fails({ batch: '2.5' }, 'batch', /--batch expects an integer ≥ 1 or "full"/);
    fails({ epochs: 'x' }, 'epochs', /--epochs expects an integer/);
    fails({ validation: '1' }, 'validation', /in \[0, 1\)/);
    fails({ loss: 'huber', 'huber-delta': '0' }, 'huber-delta', /> 0/);
    fails({ penalty: 'l2', alpha: '-0.1' }, 'alpha', /≥ 0/);
  });

  it('rejects options that do not apply to the chosen loss or penalty, naming what they belong to', () => {
    fails({ 'huber-delta': '2' }, 'huber-delta', /hyperparameter of --loss huber/);
    fails({ loss: 'logistic', quantile: '0.2' }, 'quantile', /--loss quantile/);
    fails({ alpha: '0.1' }, 'alpha', /--penalty l2, l1 or elasticnet/);
    fails({ penalty: 'l1', 'l1-ratio': '0.5' }, 'l1-ratio', /elasticnet/);
    expect(parseTrainSpec({ alpha: '0.1', huberDelta: 3 }, { strict: false }).alpha).toBe(0.1);
    fails({ 'not-an-option': 1 }, 'not-an-option', /unknown training option/);
  });

  it('records only the settings that apply', () => {
    const r = specRecord(parseTrainSpec({ loss: 'huber', 'huber-delta': '2', penalty: 'l2', alpha: '0.01', batch: 'full' }));
    expect(r).toMatchObject({ loss: 'huber', huberDelta: 2, penalty: 'l2', alpha: 0.01, batch: 'full' });
    expect(r).not.toHaveProperty('quantile');
    expect(r).not.toHaveProperty('l1Ratio');
  });

  it('help lines name every flag, its values and default', () => {
    const help = TRAIN_OPTIONS.map(helpLine).join('\n');
    for (const n of LOSS_NAMES) expect(help).toContain(n);
    expect(help).toMatch(/--no-bias/);
    expect(help).toMatch(/--penalty none\|l2\|l1\|elasticnet/);
    expect(help).toMatch(/--batch B\|full .*\(default 256\)/);
    expect(boundsText(TRAIN_OPTIONS.find((o) => o.key === 'quantile') as never)).toBe('a number in (0, 1)');
  });

  it('every loss hyperparameter is a training option owned by exactly one loss', () => {
    for (const n of LOSS_NAMES) {
      for (const o of LOSSES[n].options) {
        const opt = TRAIN_OPTIONS.find((x) => x.key === o.key)!;
        expect(opt.appliesTo!({ ...parseTrainSpec({}), loss: n })).toBe(true);
        expect(opt.appliesTo!({ ...parseTrainSpec({}), loss: n === 'squared' ? 'logistic' : 'squared' })).toBe(false);
      }
    }
  });
});

describe('penalties', () => {
  it('strengths: l2 = α, l1 = α, elastic net α(1 − r) and α·r; none is zero', () => {
    expect(penaltyHp('none', { alpha: 3 })).toEqual([0, 0, 0, 0]);
    expect(penaltyHp('l2', { alpha: 0.5 })).toEqual([0.5, 0, 0, 0]);
    expect(penaltyHp('l1', { alpha: 0.5 })).toEqual([0, 0.5, 0, 0]);
    expect(penaltyHp('elasticnet', { alpha: 0.5, l1Ratio: 0.25 })).toEqual([0.375, 0.125, 0, 0]);
    expect(penaltyValue([1, -2], [0.5, 0.25, 0, 0])).toBeCloseTo(0.5 * 0.5 * 5 + 0.25 * 3, 15);
  });

  it('soft-threshold: exact zeros inside [−t, t], shrinks by t outside', () => {
    expect(softThreshold(0.3, 0.5)).toBe(0);
    expect(softThreshold(-0.3, 0.5)).toBe(0);
    expect(softThreshold(2, 0.5)).toBe(1.5);
    expect(softThreshold(-2, 0.5)).toBe(-1.5);
  });

  it('the L2 gradient part is α·w, which is the derivative of α/2·‖w‖²', () => {
    const hp = penaltyHp('l2', { alpha: 0.7 });
    const h = 1e-6;
    for (const w of [-1.5, 0.2, 3]) {
      const fd = (penaltyValue([w + h], hp) - penaltyValue([w - h], hp)) / (2 * h);
      expect(PENALTIES.l2.grad(w, hp)).toBeCloseTo(fd, 8);
    }
  });

  it.each(PENALTY_NAMES)('an SGD step with %s: w ← prox(w − α(g + ∂R)), the bias never penalized', (name) => {
    const spec = modelSpec({ d: 3, penalty: name, penaltyParams: { alpha: 0.4, l1Ratio: 0.5 } });
    const p = { weights: Float64Array.of(1, -0.01, 0.5), bias: Float64Array.of(2) };
    const g = { weights: Float64Array.of(0.1, 0, -0.2), bias: Float64Array.of(0.3), loss: 0, rows: 1 };
    const lr = 0.1;
    const want = Array.from(p.weights, (w, j) => {
      const [l2, l1] = spec.penaltyHp;
      const step = w - lr * (g.weights[j] + l2 * w);
      return softThreshold(step, lr * l1);
    });
    sgdStep(p, g, lr, spec);
    expect([...p.weights].map((v) => +v.toFixed(12))).toEqual(want.map((v) => +v.toFixed(12)));
    expect(p.bias[0]).toBeCloseTo(2 - lr * 0.3, 15);
    if (name === 'l1' || name === 'elasticnet') expect(p.weights[1]).toBe(0);
  });

  it('a zero model stays zero under any penalty with a zero gradient', () => {
    for (const name of PENALTY_NAMES) {
      const p = zeroParams(4);
      sgdStep(p, { weights: new Float64Array(4), bias: new Float64Array(1), loss: 0, rows: 1 }, 0.5, modelSpec({ d: 4, penalty: name, penaltyParams: { alpha: 1 } }));
      expect([...p.weights]).toEqual([0, 0, 0, 0]);
    }
  });
});
