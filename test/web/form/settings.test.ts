// The page's form → spec path without a browser: the fields come from TRAIN_OPTIONS and the registries, apply
// by loss and penalty, read into one TrainSpec through parseTrainSpec, and every bad value is an error naming the
// field and the descriptor's bounds (never a silent replacement). Built-in datasets' fields are checked the same way.
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES } from '../../../src/core/losses';
import { PENALTY_NAMES } from '../../../src/core/penalties';
import { ENCODING_OPTIONS } from '../../../src/core/encoding_options';
import { parseTrainSpec, TRAIN_OPTIONS } from '../../../src/core/spec';
import {
  applicableOptions, DATA_OPTIONS, DATASETS, fieldLabel, lossGroups, lossUse, PAGE_OPTIONS, pageMessage,
  parseDataForm, parseTrainForm, type FormValues, type TrainForm,
} from '../../../src/web/form/settings';
import { lossMismatch } from '../../../src/web/form/loss_fit';

const form = (values: FormValues = {}, backend: TrainForm['backend'] = 'webgpu'): TrainForm =>
  ({ values: { loss: 'squared', penalty: 'none', lr: '0.05', batch: '256', epochs: '10', seed: '1', bias: true, shuffle: true, standardize: false, ...values }, backend });
const names = (values: FormValues) => applicableOptions({ loss: 'squared', penalty: 'none', ...values }).map((o) => o.name);

describe('the training fields', () => {
  it('come from TRAIN_OPTIONS (all but the CLI-only ones: host-update, class-weight, and the text columns\' encoding, which the columns panel sets), and the Loss select lists every registered loss by task', () => {
    expect(PAGE_OPTIONS.map((o) => o.name)).toEqual(TRAIN_OPTIONS.map((o) => o.name).filter((n) => n !== 'host-update' && n !== 'class-weight' && !ENCODING_OPTIONS.some((e) => e.name === n)));
    const groups = lossGroups();
    expect(groups.map((g) => g.task)).toEqual(['regression', 'binary', 'multiclass']);
    expect(groups.flatMap((g) => g.losses.map((l) => l.value)).sort()).toEqual([...LOSS_NAMES].sort());
    for (const g of groups) for (const l of g.losses) expect([LOSSES[l.value].task, l.label]).toEqual([g.task, LOSSES[l.value].title]);
    expect(fieldLabel(TRAIN_OPTIONS.find((o) => o.name === 'huber-delta')!)).toBe('Huber delta δ');
    expect(lossUse('huber')).not.toMatch(/--|`/);
  });

  it('show a hyperparameter only for its loss or penalty', () => {
    expect(names({})).not.toContain('huber-delta');
    expect(names({ loss: 'huber' })).toContain('huber-delta');
    expect(names({ loss: 'quantile' })).toEqual(expect.arrayContaining(['quantile']));
    expect(names({ loss: 'quantile' })).not.toContain('huber-delta');
    expect(names({ loss: 'epsilon-insensitive' })).toContain('epsilon');
    expect(names({})).not.toContain('alpha');
    expect(names({ penalty: 'l2' })).toContain('alpha');
    expect(names({ penalty: 'l2' })).not.toContain('l1-ratio');
    expect(names({ penalty: 'elasticnet' })).toEqual(expect.arrayContaining(['alpha', 'l1-ratio']));
    for (const p of PENALTY_NAMES) expect(names({ penalty: p })).toContain('penalty');
    // Every choice and switch decides what applies, not only the loss and penalty (issue 12: new options, no page changes).
    expect(names({ optimizer: 'adam' })).toEqual(expect.arrayContaining(['beta1', 'beta2', 'eps']));
    expect(names({})).not.toContain('beta1');
    expect(names({ 'lr-schedule': 'step' })).toEqual(expect.arrayContaining(['decay', 'step-every']));
    expect(names({ average: true })).toContain('average-start');
    expect(names({ average: false })).not.toContain('average-start');
    expect(names({ solver: 'exact' })).not.toContain('gap');
    expect(names({ optimizer: 'adam', beta1: 'bad' })).toContain('beta1'); // a bad value still shows its field
  });
});

describe('parseTrainForm', () => {
  it('reads the form into the spec parseTrainSpec gives for the same record', () => {
    const r = parseTrainForm(form({ batch: 'full', loss: 'huber', 'huber-delta': '0.5', penalty: 'elasticnet', alpha: '0.001', 'l1-ratio': '0.3' }, 'both'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.backends).toEqual(['webgpu', 'cpu']);
    expect(r.value.spec).toEqual(parseTrainSpec({
      loss: 'huber', huberDelta: 0.5, penalty: 'elasticnet', alpha: 0.001, l1Ratio: 0.3, lr: 0.05, batch: Infinity, epochs: 10, seed: 1,
    }));
    const cpu = parseTrainForm(form({ lr: ' 1e-3 ', bias: false, standardize: true }, 'cpu'));
    expect(cpu.ok && [cpu.value.backends, cpu.value.spec.lr, cpu.value.spec.fitBias, cpu.value.spec.standardize]).toEqual([['cpu'], 0.001, false, true]);
  });

  it('ignores the values of fields that do not apply (hidden), instead of failing on them', () => {
    const r = parseTrainForm(form({ 'huber-delta': 'junk', 'l1-ratio': '7', alpha: '-1' }));
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.spec.huberDelta).toBe(LOSSES.huber.options[0].default);
  });

  it('names every bad field with its label and the descriptor’s bounds, and never replaces a value', () => {
    const r = parseTrainForm(form({ lr: '-1', batch: '0', epochs: '2.5', seed: 'x', loss: 'quantile', quantile: '1', penalty: 'elasticnet', 'l1-ratio': '1.5' }));
    if (r.ok) throw new Error('accepted bad values');
    expect(Object.keys(r.errors).sort()).toEqual(['batch', 'epochs', 'l1-ratio', 'lr', 'quantile', 'seed']);
    expect(r.errors.lr).toBe('Learning rate α must be a number > 0; got "-1"');
    expect(r.errors.batch).toBe('Batch must be an integer ≥ 1 or "full"; got "0"');
    expect(r.errors.epochs).toMatch(/^Epochs must be an integer in \[0, 10000000\]; got "2.5"$/);
    expect(r.errors.quantile).toMatch(/^Quantile τ must be a number in \(0, 1\); got "1"$/);
    expect(r.errors['l1-ratio']).toBe('L1 ratio must be a number in [0, 1]; got "1.5"');
    expect(r.errors.seed).toMatch(/^Seed must be an integer in \[0, 4294967295\]/);
    expect(parseTrainForm(form({ validation: '1' }))).toMatchObject({ ok: false, errors: { validation: 'Validation share (held out) must be a number in [0, 1); got "1"' } });
    for (const bad of [{ lr: '' }, { lr: 'abc' }, { alpha: '-0.1', penalty: 'l2' }, { 'huber-delta': '0', loss: 'huber' }, { loss: 'mse-ish' }]) {
      expect(parseTrainForm(form(bad)).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(parseTrainForm(form({ lr: '' })).ok || parseTrainForm(form({ lr: '' }))).toMatchObject({ errors: { lr: expect.stringMatching(/empty/) } });
  });
});

describe('built-in datasets', () => {
  it('check their fields with the descriptors’ bounds (issue 12: no silent fallbacks)', () => {
    const ok = parseDataForm('blobs', { rows: '3,000', features: '2', classes: '4', 'data-seed': '7' });
    expect(ok).toEqual({ ok: true, value: { kind: 'blobs', rows: 3000, features: 2, classes: 4, seed: 7 } });
    const line = parseDataForm('line', { rows: '200', noise: '1', 'data-seed': '1', features: '0' }); // features does not apply to the line
    expect(line).toEqual({ ok: true, value: { kind: 'line', rows: 200, noise: 1, seed: 1 } });
    const bad = parseDataForm('linear', { rows: '50', features: '2.5', noise: '-1', 'data-seed': 'abc' });
    if (bad.ok) throw new Error('accepted bad data fields');
    expect(bad.errors).toEqual({
      rows: 'Rows must be an integer in [100, 4000000]; got "50"', features: 'Features must be an integer in [1, 256]; got "2.5"',
      noise: expect.stringMatching(/^Noise σ must be a number in \[0, /), 'data-seed': expect.stringMatching(/^Data seed must be an integer/),
    });
    expect(parseDataForm('linear', { rows: '4000000', features: '256', noise: '0', 'data-seed': '1' })).toMatchObject({ ok: false, errors: { rows: /more than the page generates/ } });
    expect(parseDataForm('outliers', { rows: '1000', features: '1', noise: '1', outliers: '1', 'data-seed': '1' })).toMatchObject({ ok: false, errors: { outliers: /\[0, 1\)/ } });
  });

  it('suggest settings every descriptor accepts, with a loss of their task', () => {
    for (const [kind, info] of Object.entries(DATASETS)) {
      const values = Object.fromEntries(Object.entries(info.data).map(([k, v]) => [k, String(v)]));
      expect(parseDataForm(kind as keyof typeof DATASETS, values).ok, kind).toBe(true);
      const r = parseTrainForm(form(info.train));
      if (!r.ok) throw new Error(`${kind}: ${JSON.stringify(r.errors)}`);
      expect(LOSSES[r.value.spec.loss].task === 'regression', kind).toBe(info.task === 'regression');
      expect(lossMismatch(kind as keyof typeof DATASETS, r.value.spec.loss)).toBeNull();
    }
    for (const o of DATA_OPTIONS) expect(o.kinds.length).toBeGreaterThan(0);
    expect(lossMismatch('line', 'softmax')).toMatch(/regression loss/);
    expect(lossMismatch('file', 'softmax')).toBeNull();
  });
});

describe('pageMessage', () => {
  it('puts the engine’s CLI flags in the page’s words', () => {
    expect(pageMessage('lower the learning rate (--lr 0.05) or standardize the features (--standardize)'))
      .toBe('lower the learning rate (learning rate α 0.05) or standardize the features (“Standardize features”)');
    expect(pageMessage('a third class "2"; --loss logistic takes two classes; use --loss softmax for more'))
      .toBe('a third class "2"; the logistic loss takes two classes; use the softmax loss for more');
    expect(pageMessage('--unknown 3 stays')).toBe('--unknown 3 stays');
  });
});
