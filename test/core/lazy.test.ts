// The lazy updates' closed forms: which rules leave untouched columns alone, which decay them, and the decay table's
// catch-up over any run of steps equal to the steps taken one by one (soft-threshold after weight decay).
import { describe, expect, it } from 'vitest';
import { modelSpec } from '../../src/core/model';
import { DecayTable, lazyKind } from '../../src/core/optim/lazy';
import { softThreshold } from '../../src/core/penalties';

describe('lazy updates', () => {
  it('name the rules whose untouched columns have a closed form', () => {
    const kind = (optimizer: 'sgd' | 'adagrad' | 'ftrl' | 'adam' | 'rmsprop', penalty: 'none' | 'l1' | 'l2' | 'elasticnet') =>
      lazyKind(modelSpec({ d: 1, optimizer, penalty, penaltyParams: { alpha: 0.1 } }));
    expect([kind('sgd', 'none'), kind('sgd', 'l2'), kind('sgd', 'l1'), kind('sgd', 'elasticnet')]).toEqual(['inert', 'decay', 'decay', 'decay']);
    expect([kind('adagrad', 'none'), kind('adagrad', 'l1'), kind('adagrad', 'l2')]).toEqual(['inert', 'decay', 'dense']);
    expect([kind('ftrl', 'elasticnet'), kind('adam', 'none'), kind('rmsprop', 'none')]).toEqual(['inert', 'dense', 'dense']);
  });

  it.each([[0.3, 0.05, true], [0, 0.05, false], [0.3, 0, true]])('catch up equals step by step (l2 %d, l1 %d, sgd %s)', (l2, l1, sgd) => {
    const t = new DecayTable(l2, l1, sgd);
    t.reset(10);
    const lrs = Array.from({ length: 40 }, (_, i) => 0.5 / (1 + i / 7));
    lrs.forEach((lr) => t.push(lr));
    for (const [a, b, w0] of [[10, 50, 3], [12, 13, -2], [20, 45, 0.4], [30, 30, 1], [11, 50, -5]]) {
      let w = w0;
      for (let s = a + 1; s <= b; s++) {
        const lr = lrs[s - 11];
        w = softThreshold(sgd ? w * (1 - lr * l2) : w, lr * l1);
      }
      expect(t.catchUp(w0, a, b)).toBeCloseTo(w, 12);
    }
  });

  it('asks to restart before its products underflow', () => {
    const t = new DecayTable(0.9, 0, true);
    let n = 0;
    while (!t.full && n < 10_000) {
      t.push(1);
      n++;
    }
    expect(n).toBeLessThan(200);
    t.reset(n);
    expect(t.full).toBe(false);
    expect(t.last).toBe(n);
  });
});
