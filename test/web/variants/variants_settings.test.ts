// The "Why the variants exist" card without a browser: its fields read into numbers by descriptor key with their
// defaults, every bad value (out of bounds, not a number, empty, not an integer) an error beside its own field in
// the page's words; the optimizer fields come from the registry with their own labels; the valley's frame holds
// the contour through the start and the paths near it, but not a path that diverged far away.
import { describe, expect, it } from 'vitest';
import { OPTIM_OPTIONS } from '../../../src/core/optim';
import { HYPER_FIELDS, hyperSpec, LINE_FIELDS, parseFields, VALLEY_FIELDS, valleyFrame } from '../../../src/web/variants/variants_settings';

describe('parseFields', () => {
  it('reads each view’s defaults: α = 0.1 for 20 steps on w²; (−8, 2), α = 0.05, κ = 25, 60 steps in the valley', () => {
    expect(parseFields(LINE_FIELDS, {})).toEqual({ ok: true, value: { lr: 0.1, steps: 20 } });
    expect(parseFields(VALLEY_FIELDS, {})).toEqual({ ok: true, value: { w1: -8, w2: 2, lr: 0.05, kappa: 25, steps: 60 } });
    expect(parseFields(LINE_FIELDS, { 'line-lr': ' 0.25 ', 'line-steps': '500' })).toEqual({ ok: true, value: { lr: 0.25, steps: 500 } });
  });

  it('names every bad field with its label, its bounds and what was typed, and returns no values', () => {
    const line = parseFields(LINE_FIELDS, { 'line-lr': '-1', 'line-steps': '2.5' });
    expect(line).toEqual({
      ok: false,
      errors: { 'line-lr': 'Learning rate α must be a number > 0; got "-1"', 'line-steps': 'Steps must be an integer in [1, 500]; got "2.5"' },
    });
    const valley = parseFields(VALLEY_FIELDS, { 'valley-w1': 'abc', 'valley-kappa': '0.5', 'valley-steps': '', 'valley-lr': '0.1' });
    expect(valley.ok).toBe(false);
    if (valley.ok) return;
    expect(Object.keys(valley.errors).sort()).toEqual(['valley-kappa', 'valley-steps', 'valley-w1']);
    expect(valley.errors['valley-w1']).toBe('Start w1 must be a number in [-1000, 1000]; got "abc"');
    expect(valley.errors['valley-kappa']).toBe('Condition number κ must be a number in [1, 10000]; got "0.5"');
    expect(valley.errors['valley-steps']).toBe('Steps must be an integer in [1, 500] (it is empty)');
  });

  it('holds the bounds at their edges', () => {
    const bad = (fields: typeof LINE_FIELDS, name: string, raw: string) => {
      const p = parseFields(fields, { [name]: raw });
      return p.ok ? '' : p.errors[name];
    };
    for (const raw of ['0', '-0.1', 'NaN', 'Infinity', '1e', 'abc']) expect(bad(LINE_FIELDS, 'line-lr', raw), raw).not.toBe('');
    for (const raw of ['0', '501', '-3', '1.5']) expect(bad(LINE_FIELDS, 'line-steps', raw), raw).not.toBe('');
    for (const raw of ['1', '500']) expect(bad(LINE_FIELDS, 'line-steps', raw), raw).toBe('');
    expect(bad(VALLEY_FIELDS, 'valley-w2', '1000.5')).not.toBe('');
    expect(bad(VALLEY_FIELDS, 'valley-w2', '-1000')).toBe('');
    expect(bad(VALLEY_FIELDS, 'valley-kappa', '10000')).toBe('');
    expect(bad(VALLEY_FIELDS, 'valley-kappa', '10001')).not.toBe('');
  });
});

describe('the optimizer fields', () => {
  it('are the registry’s hyperparameters, once each, with page ids of their own and the registry’s labels', () => {
    expect(HYPER_FIELDS.map((o) => o.key)).toEqual(OPTIM_OPTIONS.map((o) => o.key));
    for (const o of HYPER_FIELDS) expect(o.name).toMatch(/^why-/);
    const momentum = HYPER_FIELDS.find((o) => o.key === 'momentum')!;
    expect(momentum.owners).toEqual(['momentum', 'nesterov']);
    const p = parseFields(HYPER_FIELDS, { 'why-momentum': '1' });
    expect(p.ok ? '' : p.errors['why-momentum']).toMatch(/^Momentum β must be a number in \[0, 1\); got "1"$/);
  });

  it('read into the optimizers’ settings at their defaults, or as typed', () => {
    const defaults = parseFields(HYPER_FIELDS, {});
    expect(defaults.ok).toBe(true);
    if (!defaults.ok) return;
    expect(hyperSpec(defaults.value)).toEqual(Object.fromEntries(OPTIM_OPTIONS.map((o) => [o.key, o.default])));
    const typed = parseFields(HYPER_FIELDS, { 'why-momentum': '0.5', 'why-beta1': '0' });
    expect(typed.ok && hyperSpec(typed.value)).toMatchObject({ momentum: 0.5, beta1: 0 });
  });
});

describe('valleyFrame', () => {
  const curvature = [1, 25] as const;

  it('frames the contour through the start with 8% to spare, and has it among the levels (powers of two)', () => {
    const f = valleyFrame(curvature, [-8, 2], []);
    const r = [Math.sqrt(164), Math.sqrt(164 / 25)]; // J(start) = (64 + 25·4)/2 = 82
    expect(f.startLevel).toBe(82);
    expect(f.box.x[0]).toBeCloseTo(-1.16 * r[0], 12);
    expect(f.box.x[1]).toBeCloseTo(1.16 * r[0], 12);
    expect(f.box.y[1]).toBeCloseTo(1.16 * r[1], 12);
    expect(f.levels).toContain(82);
    for (let i = 1; i < f.levels.length; i++) expect(f.levels[i] / f.levels[i - 1]).toBeCloseTo(2, 12);
  });

  it('grows to hold an overshoot near the contour, but not a path that diverged far away or became NaN', () => {
    const r1 = Math.sqrt(164 / 25);
    const near = valleyFrame(curvature, [-8, 2], [[[-8, 2], [0, 1.4 * r1]]]);
    expect(near.box.y[1]).toBeGreaterThan(1.4 * r1);
    const far = valleyFrame(curvature, [-8, 2], [[[-8, 2], [0, 100], [NaN, Infinity]]]);
    expect(far.box).toEqual(valleyFrame(curvature, [-8, 2], []).box);
  });

  it('has a frame of its own when the start is the minimum', () => {
    const f = valleyFrame(curvature, [0, 0], [[[0, 0]]]);
    expect(f.startLevel).toBe(0.5);
    expect(f.box.x[1]).toBeGreaterThan(0);
    expect(f.box.y[1]).toBeGreaterThan(0);
  });
});
