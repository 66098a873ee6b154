// Classification and robust losses through the built CLI (dist/cli.js), as a user runs them: a CSV with text
// labels trained with logistic loss on every backend, saved and predicted back as labels with probabilities;
// softmax on `gen --task blobs`; Huber on `gen --outliers`; and bad input named by option or row.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModelFile } from '../../src/core/model_file';
import { Rng } from '../../src/core/rng';
import { downhill, parseJson } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-classify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// "yes" when 2·a − b + 0.3 + logistic noise > 0; the label column sits between the features, quoted at times.
const rng = new Rng(31);
const lines = ['a,label,b'];
for (let i = 0; i < 600; i++) {
  const a = rng.uniform(-1, 1);
  const b = rng.uniform(-1, 1);
  const u = rng.uniform(1e-6, 1 - 1e-6);
  const yes = 2 * a - b + 0.3 + Math.log(u / (1 - u)) * 0.3 > 0;
  lines.push(`${a.toFixed(5)},${yes ? (i % 7 ? 'yes' : '"yes"') : 'no'},${b.toFixed(5)}`);
}
const labelled = join(dir, 'labelled.csv');
writeFileSync(labelled, lines.join('\n') + '\n');

describe('downhill train --loss logistic on text labels', () => {
  const results: Record<string, { weights: number[]; accuracy: number }> = {};
  for (const backend of ['reference', 'cpu', 'webgpu']) {
    it(`classes "no" < "yes", accuracy and a confusion matrix (${backend})`, () => {
      const r = downhill('train', labelled, '--target', 'label', '--loss', 'logistic', '--epochs', '40', '--batch', '32', '--lr', '0.5',
        '--penalty', 'l2', '--alpha', '0.001', '--backend', backend, '--json');
      expect(r.code, r.stderr).toBe(0);
      const o = parseJson(r.stdout);
      expect(o.task).toBe('binary');
      expect(o.classes).toEqual(['no', 'yes']);
      expect(o.features).toEqual(['a', 'b']);
      expect(o.weights[0]).toBeGreaterThan(2);
      expect(o.weights[1]).toBeLessThan(-1);
      expect(o.accuracy).toBeGreaterThan(0.85);
      expect(o.logLoss).toBeGreaterThan(0);
      expect(o.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(600);
      expect(o.training).toMatchObject({ loss: 'logistic', penalty: 'l2', alpha: 0.001 });
      results[backend] = { weights: o.weights, accuracy: o.accuracy };
      if (backend === 'webgpu') {
        for (const other of ['reference', 'cpu']) {
          expect(Math.abs(results[other].weights[0] - o.weights[0]), other).toBeLessThan(1e-3);
          expect(Math.abs(results[other].accuracy - o.accuracy)).toBeLessThanOrEqual(2 / 600);
        }
      }
    });
  }

  it('saves a version-2 model that predict turns back into labels with class probabilities', () => {
    const model = join(dir, 'logistic.json');
    const out = join(dir, 'pred.csv');
    const t = downhill('train', labelled, '--target', 'label', '--loss', 'logistic', '--epochs', '20', '--lr', '0.5', '--batch', '32', '--backend', 'cpu', '--save', model, '--json');
    expect(t.code, t.stderr).toBe(0);
    const file = JSON.parse(readFileSync(model, 'utf8'));
    expect(file).toMatchObject({ version: 2, task: 'binary', loss: 'logistic', classes: ['no', 'yes'], penalty: 'none' });
    expect(file.weights).toHaveLength(1);
    expect(parseModelFile(readFileSync(model, 'utf8'), model).classes).toEqual(['no', 'yes']);
    const p = downhill('predict', model, labelled, '-o', out, '--json');
    expect(p.code, p.stderr).toBe(0);
    const summary = parseJson(p.stdout);
    expect(summary.metrics.accuracy).toBeCloseTo(parseJson(t.stdout).accuracy, 6);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('label_predicted,p_no,p_yes');
    expect(rows).toHaveLength(601);
    for (const row of rows.slice(1)) {
      const [label, pNo, pYes] = row.split(',');
      expect(Math.abs(Number(pNo) + Number(pYes) - 1)).toBeLessThan(1e-6);
      expect(label).toBe(Number(pYes) > 0.5 ? 'yes' : 'no');
    }
    const unlabelled = join(dir, 'unlabelled.csv');
    writeFileSync(unlabelled, 'b,a\n0.5,0.9\n0.9,-0.8\n');
    const q = downhill('predict', model, unlabelled);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(['yes', 'no']);
  });
});

describe('softmax and robust losses on generated data', () => {
  it('gen --task blobs, then softmax: K weight rows, ≥ 99% accuracy, a K × K confusion matrix', () => {
    const data = join(dir, 'blobs.csv');
    expect(downhill('gen', '-o', data, '--task', 'blobs', '--rows', '3000', '--features', '3', '--classes', '4', '--seed', '2').code).toBe(0);
    const r = downhill('train', data, '--target', 'y', '--loss', 'softmax', '--epochs', '10', '--batch', '64', '--lr', '0.2', '--standardize', '--json');
    expect(r.code, r.stderr).toBe(0);
    const o = parseJson(r.stdout);
    expect(o.task).toBe('multiclass');
    expect(o.classes).toEqual(['0', '1', '2', '3']);
    expect(o.weights).toHaveLength(4);
    expect(o.weights[0]).toHaveLength(3);
    expect(o.bias).toHaveLength(4);
    expect(o.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(o.confusion).toHaveLength(4);
  });

  it('gen --outliers, then huber stays near the truth where squared loss is pulled away', () => {
    const data = join(dir, 'outliers.csv');
    expect(downhill('gen', '-o', data, '--rows', '4000', '--features', '3', '--outliers', '0.05', '--noise', '0.2', '--seed', '4').code).toBe(0);
    const truth = JSON.parse(readFileSync(`${data}.truth.json`, 'utf8'));
    const w = truth.weights.flat ? truth.weights.flat() : truth.weights;
    const err = (o: { weights: number[] }) => Math.max(...o.weights.map((v, j) => Math.abs(v - w[j])));
    const fit = (...extra: string[]) => parseJson(downhill('train', data, '--target', 'y', '--epochs', '30', '--batch', '64', '--lr', '0.05', '--json', ...extra).stdout);
    const huber = fit('--loss', 'huber', '--huber-delta', '0.5');
    const squared = fit();
    expect(err(huber)).toBeLessThan(0.05);
    expect(err(squared)).toBeGreaterThan(4 * err(huber));
  });
});

describe('bad input names the option or the row', () => {
  it('a regression loss on text labels: the line and column, and which losses read labels', () => {
    const r = downhill('train', labelled, '--target', 'label', '--backend', 'cpu');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/labelled\.csv:2 \(column 2 "label"\): expected a number, got "(yes|no)".*--loss logistic/);
  });
  it('a third class for a binary loss names its row', () => {
    const three = join(dir, 'three.csv');
    writeFileSync(three, 'x,c\n1,a\n2,b\n3,a\n4,c\n');
    const r = downhill('train', three, '--target', 'c', '--loss', 'hinge', '--backend', 'cpu');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 4 .*a third class "c"; --loss hinge takes two classes \(found "a" and "b"\)/);
  });
  it('unknown loss, --l1-ratio outside [0, 1], --quantile outside (0, 1): exit 2 naming the option', () => {
    for (const [args, text] of [
      [['--loss', 'cubic'], /--loss must be one of squared, .*softmax; got "cubic"/],
      [['--penalty', 'elasticnet', '--l1-ratio=-0.5'], /--l1-ratio expects a number in \[0, 1\]/],
      [['--loss', 'quantile', '--quantile', '1'], /--quantile expects a number in \(0, 1\)/],
    ] as const) {
      const r = downhill('train', labelled, '--target', 'a', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(text);
    }
  });
});
