// The built CLI (dist/cli.js, made by `npm run build`, which `npm test` runs first) as a user runs it:
// real files, a real adapter, exit codes and messages.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leastSquares } from '../../src/core/lstsq';
import { parseModelFile } from '../../src/core/model_file';
import { Rng } from '../../src/core/rng';
import { downhill, parseJson } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// y = 3·a − 2·b + 1 + small noise, 400 rows.
const rng = new Rng(21);
const rows: number[][] = [];
for (let i = 0; i < 400; i++) {
  const a = rng.uniform(-1, 1);
  const b = rng.uniform(-1, 1);
  rows.push([a, b, 3 * a - 2 * b + 1 + 0.01 * rng.normal()]);
}
const good = file('good.csv', `a,b,y\n${rows.map((r) => r.map((v) => v.toFixed(6)).join(',')).join('\n')}\n`);

describe('downhill train', () => {
  for (const backend of ['webgpu', 'cpu']) {
    it(`--json prints one object with the fitted model (${backend})`, () => {
      const r = downhill('train', good, '--target', 'y', '--epochs', '300', '--batch', 'full', '--lr', '0.5', '--backend', backend, '--json');
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const out = JSON.parse(lines[0]);
      for (const k of ['backend', 'adapter', 'rows', 'features', 'weights', 'bias', 'loss', 'epochs', 'secondsPerEpoch']) expect(out).toHaveProperty(k);
      expect(out.backend).toBe(backend);
      expect(out.rows).toBe(400);
      expect(out.features).toEqual(['a', 'b']);
      const x = Float64Array.from(rows.flatMap((r) => [Number(r[0].toFixed(6)), Number(r[1].toFixed(6))]));
      const ls = leastSquares(x, rows.map((r) => Number(r[2].toFixed(6))), 400, 2);
      expect(Math.abs(out.weights[0] - ls.weights[0])).toBeLessThan(1e-3);
      expect(Math.abs(out.weights[1] - ls.weights[1])).toBeLessThan(1e-3);
      expect(Math.abs(out.bias - ls.bias[0])).toBeLessThan(1e-3);
      // `loss` is the final mean loss; for the squared loss that is the training MSE, also reported as `mse`.
      expect(out.loss).toBeLessThan(2e-4);
      expect(Math.abs(out.mse - out.loss)).toBeLessThanOrEqual(1e-6 * out.loss);
    });
  }

  it('--save writes a model file atomically that parses back', () => {
    const save = join(dir, 'model.json');
    const r = downhill('train', good, '--target', 'y', '--epochs', '5', '--save', save, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(bias)');
    const text = readFileSync(save, 'utf8');
    const m = parseModelFile(text, save);
    expect(m.features).toEqual(['a', 'b']);
    // Version 2: K = 1 row of D weights and one bias, with the loss it was trained under.
    const raw = JSON.parse(text);
    expect([raw.version, raw.loss, raw.weights.length, raw.weights[0].length, raw.bias.length]).toEqual([2, 'squared', 1, 2, 1]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--no-bias fits no intercept', () => {
    const r = downhill('train', good, '--target', 'y', '--epochs', '3', '--no-bias', '--json', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r.stdout).bias).toBe(0);
  });

  const bad: [string, string, string, RegExp][] = [
    ['non-numeric cell', 'a,b,y\n1,2,3\n4,oops,6\n', 'y', /bad1\.csv:3 \(column 2 "b"\): expected a number, got "oops"/],
    ['ragged row', 'a,b,y\n1,2,3\n4,5\n', 'y', /bad2\.csv:3: expected 3 fields like the header, found 2/],
    ['empty file', '', 'y', /bad3\.csv: the file is empty/],
    ['missing target column', 'a,b,c\n1,2,3\n', 'y', /bad4\.csv:1 \(column y\): target column "y" is not in the header; columns are: a, b, c/],
    ['missing value', 'a,b,y\n1,,3\n', 'y', /bad5\.csv:2 \(column 2 "b"\): missing value/],
  ];
  bad.forEach(([what, text, target, message], i) => {
    it(`bad CSV (${what}): a clear error and exit code 1`, () => {
      const p = file(`bad${i + 1}.csv`, text);
      const before = readFileSync(p, 'utf8');
      const r = downhill('train', p, '--target', target, '--backend', 'cpu');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(readFileSync(p, 'utf8')).toBe(before);
    });
  });

  it('a missing file and bad options are reported with their names', () => {
    const missing = downhill('train', join(dir, 'nope.csv'), '--target', 'y');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read \(no such file\)/);
    const lr = downhill('train', good, '--target', 'y', '--lr=-1');
    expect(lr.code).toBe(2);
    expect(lr.stderr).toMatch(/--lr expects a number > 0, got "-1"/);
    const be = downhill('train', good, '--target', 'y', '--backend', 'tpu');
    expect(be.stderr).toMatch(/--backend must be one of webgpu, cpu, reference; got "tpu"/);
    const unknown = downhill('train', good, '--target', 'y', '--frobnicate');
    expect(unknown.code).toBe(2);
    // Training options come from their descriptors: bad values name the flag and its bounds.
    const specErrors: [string[], RegExp][] = [
      [['--loss', 'nope'], /--loss must be one of squared, .*; got "nope"/],
      [['--loss', 'quantile', '--quantile', '1.5'], /--quantile expects a number in \(0, 1\), got "1\.5"/],
      [['--penalty', 'elasticnet', '--l1-ratio', '2'], /--l1-ratio expects a number in \[0, 1\], got "2"/],
      [['--huber-delta', '2'], /--huber-delta does not apply here/],
    ];
    for (const [flags, message] of specErrors) {
      const e = downhill('train', good, '--target', 'y', '--backend', 'cpu', ...flags);
      expect(e.code, flags.join(' ')).toBe(2);
      expect(e.stderr).toMatch(message);
    }
    expect(downhill('nonsense').code).toBe(2);
  });
});

describe('downhill predict', () => {
  it('applies a saved model to labeled and unlabeled files, atomically, with metrics when y is there', () => {
    const model = join(dir, 'predict-model.json');
    expect(downhill('train', good, '--target', 'y', '--epochs', '200', '--batch', 'full', '--lr', '0.5', '--standardize', '--save', model, '--backend', 'cpu').code).toBe(0);
    const m = parseModelFile(readFileSync(model, 'utf8'), model);
    const labeled = downhill('predict', model, good, '--json');
    expect(labeled.code, labeled.stderr).toBe(0);
    const j = parseJson(labeled.stdout);
    expect(j.rows).toBe(400);
    expect(j.r2).toBeGreaterThan(0.999);
    const unlabeled = file('unlabeled.csv', `b,a\n0.5,1\n-1,0.25\n`);
    const out = join(dir, 'pred.csv');
    const r = downhill('predict', model, unlabeled, '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('y_predicted');
    const { weights: w, bias: [b] } = m.params;
    const want = [b + w[0] * 1 + w[1] * 0.5, b + w[0] * 0.25 - w[1]];
    lines.slice(1).forEach((l, i) => expect(Math.abs(Number(l) - want[i])).toBeLessThan(1e-5 * Math.abs(want[i]) + 1e-6));
    const missing = downhill('predict', model, file('nofeat.csv', 'a,c\n1,2\n'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/feature column "b" is not in the header/);
  });

  it('still reads a version-1 model file (one weight list, a number bias)', () => {
    const v1 = file('v1.json', JSON.stringify({ format: 'downhill.linear', version: 1, loss: 'mse', features: ['a', 'b'], target: 'y', weights: [2, -1], bias: 0.5, fitBias: true }));
    const out = join(dir, 'pred-v1.csv');
    const r = downhill('predict', v1, file('v1-data.csv', 'a,b\n1,2\n-3,0.25\n'), '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').slice(1).map(Number)).toEqual([0.5 + 2 - 2, 0.5 - 6 - 0.25]);
  });
});

describe('downhill info and bench', () => {
  it('info --json names the adapter and its limits', () => {
    const r = downhill('info', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(typeof out.adapter).toBe('string');
    expect(out.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
  });

  it('bench --json times WebGPU and the fast CPU backend on the same data', () => {
    const r = downhill('bench', '--rows', '5000', '--features', '8', '--batch', 'full,1000', '--runs', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.results.map((x: { backend: string; batch: number }) => `${x.backend}:${x.batch}`))
      .toEqual(['webgpu:5000', 'webgpu:1000', 'cpu:5000', 'cpu:1000']);
    for (const x of out.results) {
      expect(x.secondsPerEpoch).toBeGreaterThan(0);
      expect(x.runs).toHaveLength(3);
      expect(x.xBytesPerSecond).toBeCloseTo((5000 * 8 * 4) / x.secondsPerEpoch, 0);
      // Host time inside runSteps is part of the wall time per step.
      expect(x.hostUsPerStep).toBeGreaterThan(0);
      expect(x.hostUsPerStep).toBeLessThanOrEqual(x.usPerStep * 1.01);
    }
  });

  it('bench --gpu-time --dtype f16 --loss squared,softmax: host and GPU µs per step, class data for softmax, the tuning entry', () => {
    const r = downhill('bench', '--rows', '3000', '--features', '8', '--batch', 'full,500', '--runs', '2', '--backend', 'webgpu', '--gpu-time',
      '--dtype', 'f16', '--loss', 'squared,softmax', '--classes', '4', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.results.map((x: { loss: string; batch: number; outputs: number }) => `${x.loss}:${x.batch}:${x.outputs}`))
      .toEqual(['squared:3000:1', 'squared:500:1', 'softmax:3000:4', 'softmax:500:4']);
    for (const x of out.results) {
      expect(x.dtype).toBe('f16');
      expect(x.xBytesPerSecond).toBeCloseTo((3000 * 8 * 2) / x.secondsPerEpoch, 0);
      expect(x.hostUsPerStep).toBeGreaterThan(0);
      expect(x.gpuUsPerStep).toBeGreaterThan(0); // lavapipe has timestamp queries
      expect(x.tuning.entry).toBe('software');
    }
    const plain = downhill('bench', '--rows', '3000', '--features', '8', '--batch', '500', '--runs', '1', '--backend', 'webgpu', '--gpu-time');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/host µs\/step.*GPU µs\/step/);
  });

  it('bench --ceiling --json: the read-reduction and copy of a buffer the size of X', () => {
    const r = downhill('bench', '--ceiling', '--rows', '16384', '--features', '64', '--runs', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.bytes).toBe(16384 * 64 * 4);
    expect(out.readGbPerSecond).toBeGreaterThan(0);
    expect(out.copyGbPerSecond).toBeGreaterThan(0);
    expect(out.readGpuSeconds).toBeGreaterThan(0);
  });

  it('bench --peers --threads: the CPU backend on 1 and 2 threads (pinned) and adaptive beside numpy (when python3 has it), a JS loop and a copy', () => {
    const r = downhill('bench', '--rows', '40000', '--features', '8', '--batch', '1000,full', '--runs', '2', '--backend', 'cpu', '--threads', '1,2,auto', '--peers', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.results.map((x: { backend: string; threads: number }) => `${x.backend}×${x.threads}`)).toEqual(['cpu×1', 'cpu×1', 'cpu×2', 'cpu×2', 'cpu×2', 'cpu×2']);
    expect(out.results.map((x: { device: string }) => x.device).filter((d: string, i: number) => i % 2 === 0))
      .toEqual(['CPU (f32 SIMD, 1 thread)', 'CPU (f32 SIMD, 2 threads)', 'CPU (f32 SIMD, up to 2 threads, chosen by measurement)']);
    // Batches of 1000 rows are 36 KB, one chunk: no choice to make. A full batch (1.4 MB, 10 chunks) is chosen per step.
    expect(out.results[4]).toMatchObject({ adaptive: true, threadJobs: { all: 0, alone: 0 } });
    expect(out.results[5].adaptive).toBe(true);
    expect(out.results[5].threadJobs.all + out.results[5].threadJobs.alone).toBeGreaterThan(0);
    expect(out.results.slice(0, 4).every((x: { adaptive?: boolean }) => x.adaptive === undefined)).toBe(true);
    for (const x of out.results) expect([x.msPerEpoch, x.gbPerSecond, x.cpuSecondsPerEpoch].every((v: number) => v > 0)).toBe(true);
    const peers = out.peers.map((p: { peer: string; order: string }) => `${p.peer}/${p.order}`);
    expect(peers).toEqual(expect.arrayContaining(['js-loop/sequential', 'copy/sequential']));
    // numpy is optional for the tests (setup.sh installs it): either it ran in both orders, or a note says why not.
    if (peers.includes('numpy/sequential')) expect(peers).toContain('numpy/shuffled');
    else expect(out.notes.join(' ')).toMatch(/numpy: not run/);
  });
});
