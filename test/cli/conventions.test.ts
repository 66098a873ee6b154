// The CLI's conventions and refusals, from the built CLI: each command's --help and -h, --version, the nearest
// option or command suggested for a typo, options that do not apply refused before anything runs, predictions
// without the target column in CSV, NPY and Parquet, classes the model never saw, and the compile time reported apart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Rng } from '../../src/core/rng';
import { downhill, parseJson } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

const rng = new Rng(5);
const rows = Array.from({ length: 300 }, () => {
  const a = rng.uniform(-1, 1);
  const b = rng.uniform(-1, 1);
  return [a, b, 2 * a - b + 0.5 + 0.01 * rng.normal()];
});
const csv = (name: string, head: string, f: (r: number[]) => (number | string)[]) =>
  writeFileSync(path(name), `${head}\n${rows.map((r) => f(r).join(',')).join('\n')}\n`);
csv('train.csv', 'a,b,y', (r) => r.map((v) => v.toFixed(6)));
csv('features.csv', 'b,a', (r) => [r[1].toFixed(6), r[0].toFixed(6)]);
csv('classes.csv', 'a,b,label', (r) => [r[0].toFixed(6), r[1].toFixed(6), r[0] > 0 ? 'up' : 'down']);
csv('unseen.csv', 'a,b,label', (r) => [r[0].toFixed(6), r[1].toFixed(6), r[0] > 0.5 ? 'sideways' : r[0] > 0 ? 'up' : 'down']);

describe('help, version and typos', () => {
  it('downhill <command> --help and -h print that command\'s help; --version the version', () => {
    for (const [cmd, head] of [['train', 'downhill train <data'], ['predict', 'downhill predict <model.json>'], ['gen', 'downhill gen -o']] as const) {
      for (const flag of ['--help', '-h']) {
        const r = downhill(cmd, flag);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.startsWith(head), r.stdout.slice(0, 80)).toBe(true);
      }
    }
    expect(downhill('train', 'x.csv', '--target', 'y', '--help').stdout).toMatch(/^downhill train/);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(downhill('--version').stdout.trim()).toBe(`downhill ${pkg.version}`);
  });

  it('an unknown option or command suggests the nearest; a missing value says so; usage errors exit 2', () => {
    const typo = downhill('train', path('train.csv'), '--target', 'y', '--learning-rate', '0.1');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option --learning-rate; did you mean --lr\?/);
    expect(typo.stderr).toMatch(/run "downhill train --help" for usage/);
    expect(downhill('train', path('train.csv'), '--target', 'y', '--epoch', '3').stderr).toMatch(/did you mean --epochs\?/);
    expect(downhill('trian').stderr).toMatch(/unknown command "trian"; did you mean train\?/);
    expect(downhill('train', path('train.csv'), '--target').stderr).toMatch(/--target needs a value/);
  });

  it('options that do not apply are refused before anything runs', () => {
    const r = downhill('train', path('train.csv'), '--target', 'y', '--solver', 'exact', '--epochs', '5', '--save', path('never.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs does not apply here: it is for --solver gd/);
    expect(downhill('train', path('train.csv'), '--target', 'y', '--optimizer', 'sgd', '--beta1', '0.8').stderr).toMatch(/--beta1 does not apply here/);
    expect(downhill('train', path('train.csv'), '--target', 'y', '--average', '--epochs', '1').stderr).toMatch(/--average would average nothing/);
  });
});

describe('predictions without the target', () => {
  const model = path('model.json');
  it('trains a model, then predicts a CSV without the target column, an NPY X alone and a Parquet file without it', async () => {
    const t = downhill('train', path('train.csv'), '--target', 'y', '--batch', 'full', '--lr', '0.5', '--epochs', '200', '--backend', 'cpu', '--save', model);
    expect(t.code, t.stderr).toBe(0);
    const p = downhill('predict', model, path('features.csv'), '--json');
    expect(p.code, p.stderr).toBe(0);
    expect(parseJson(p.stdout)).toMatchObject({ rows: 300, metrics: null });
    const x = Float32Array.from(rows.flatMap((r) => [r[0], r[1]]));
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, 2), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    writeFileSync(path('X.npy'), Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0]), Buffer.from(Uint16Array.of(header.length + pad + 1).buffer),
      Buffer.from(header + ' '.repeat(pad) + '\n'), Buffer.from(x.buffer)]));
    const n = downhill('predict', model, path('X.npy'), '-o', path('p.csv'));
    expect(n.code, n.stderr).toBe(0);
    expect(readFileSync(path('p.csv'), 'utf8').trim().split('\n')).toHaveLength(301);
    writeFileSync(path('f.parquet'), Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'a', data: rows.map((r) => r[0]), type: 'DOUBLE' }, { name: 'b', data: rows.map((r) => r[1]), type: 'DOUBLE' }] })));
    const q = downhill('predict', model, path('f.parquet'), '--json');
    expect(q.code, q.stderr).toBe(0);
    expect(parseJson(q.stdout)).toMatchObject({ rows: 300, metrics: null });
  });

  it('counts rows of classes the model never saw apart from the metrics instead of stopping', () => {
    const m = path('classes.json');
    expect(downhill('train', path('classes.csv'), '--target', 'label', '--loss', 'logistic', '--batch', 'full', '--lr', '1', '--epochs', '50', '--backend', 'cpu', '--save', m).code).toBe(0);
    const r = downhill('predict', m, path('unseen.csv'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    const sideways = rows.filter((row) => row[0] > 0.5).length;
    expect(out.unseenClasses).toEqual({ rows: sideways, classes: { sideways } });
    expect(out.metrics.accuracy).toBeGreaterThan(0.9);
    expect(downhill('predict', m, path('unseen.csv')).stderr).toMatch(new RegExp(`${sideways} row\\(s\\) have a class the model was not trained on \\("sideways"\\)`));
  });
});

describe('timings', () => {
  it('reports the kernels\' compile time apart from the epochs (--json compileSeconds)', () => {
    const r = downhill('train', path('train.csv'), '--target', 'y', '--epochs', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.compileSeconds).toBeGreaterThanOrEqual(0);
    expect(out.secondsPerEpoch).toBeGreaterThan(0);
  });
});
