// Categorical and sparse data through the built CLI: text columns found and named, one-hot and hashed columns and
// crosses, the model file recording the encoding and predict applying it (unseen levels, a missing column), svmlight
// files by extension, content and --format, the .dh cache of encoded rows, and bad input named by file, line and token
// with nothing written.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { runCli, runCliOk } from '../helpers/cli';
import { tempDir } from '../data/helpers';

const tmp = tempDir('cli-sparse');
const rng = new Rng(3);
const cities = ['SFO', 'LAX', 'JFK', 'ORD', 'SEA'];
const effect = [2, -1, 0.5, 1.5, -2];
const csv = tmp.file('trips.csv', 'distance,origin,carrier,delay\n' + Array.from({ length: 400 }, () => {
  const c = rng.int(5);
  const k = rng.int(2);
  const d = rng.uniform(0, 3);
  return `${d.toFixed(3)},${cities[c]},${'AB'[k]},${(d + effect[c] + (k ? 1 : -1) + 0.1 * rng.normal()).toFixed(4)}`;
}).join('\n') + '\n');
const svm = tmp.file('data.svm', Array.from({ length: 300 }, () => {
  const idx = [...new Set(Array.from({ length: 4 }, () => 1 + rng.int(20)))].sort((a, b) => a - b);
  const z = idx.reduce((s, j) => s + (j % 2 ? 1 : -1), 0);
  return `${z > 0 ? '+1' : '-1'} ${idx.map((j) => `${j}:1`).join(' ')}`;
}).join('\n') + '\n');
const FAST = ['--epochs', '30', '--lr', '0.1', '--backend', 'reference'];

describe('categorical columns in the CLI', () => {
  it('finds text columns, names them in a note, and learns what they add', () => {
    const model = tmp.file('m.json');
    const numeric = runCliOk(['train', csv, '--target', 'delay', '--features', 'distance', ...FAST, '--json']);
    const r = runCliOk(['train', csv, '--target', 'delay', ...FAST, '--json', '--save', model]);
    expect(r.stderr).toMatch(/note: .*column "origin" holds text \("\w+" on line 2\): read as categorical \(one-hot\)/);
    expect(r.stderr).toMatch(/column "carrier" holds text/);
    const j = JSON.parse(r.stdout);
    expect(j.sparseWidth).toBe(6 + 3);
    expect(j.r2).toBeGreaterThan(0.95);
    expect(JSON.parse(numeric.stdout).r2).toBeLessThan(0.5);
    const m = JSON.parse(fs.readFileSync(model, 'utf8'));
    expect(m.version).toBe(3);
    expect(m.features).toEqual(['distance']);
    expect(m.encoding.categorical.map((c: { name: string }) => c.name)).toEqual(['origin', 'carrier']);
  });

  it('predict encodes new rows as the model did: unseen levels to "other", a missing column is an error', () => {
    const model = tmp.file('m.json');
    const rows = tmp.file('new.csv', 'carrier,origin,distance\nA,SFO,1\nB,NEVER,1\n');
    const p = runCliOk(['predict', model, rows]);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('delay_predicted');
    expect(lines).toHaveLength(3);
    const out = tmp.file('never.csv');
    const bad = runCli(['predict', model, tmp.file('bad.csv', 'distance,origin\n1,SFO\n'), '-o', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bad\.csv:1 \(column carrier\): feature column "carrier" is not in the header/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('hashes and crosses columns, and stores the encoded rows in a .dh cache that trains the same', () => {
    const dh = tmp.file('trips.dh');
    const enc = ['--hashed', 'origin', '--categorical', 'carrier', '--cross', 'origin:carrier', '--hash-bits', '8'];
    const c = runCliOk(['convert', csv, '--target', 'delay', '-o', dh, ...enc]);
    expect(c.stdout).toMatch(/400 rows × 1 features \+ 259 sparse columns \(hashed origin, one-hot carrier \(2 levels \+ other\), 1 cross origin:carrier, 2\^8 hash buckets\)/);
    const fromCsv = JSON.parse(runCliOk(['train', csv, '--target', 'delay', ...enc, ...FAST, '--json']).stdout);
    const fromCache = JSON.parse(runCliOk(['train', dh, ...FAST, '--json']).stdout);
    expect(fromCache.sparseWeights).toEqual(fromCsv.sparseWeights);
    expect(fromCache.bias).toBe(fromCsv.bias);
  });

  it('refuses options and levels it cannot honour, writing nothing', () => {
    const out = tmp.file('none.json');
    const bits = runCli(['train', csv, '--target', 'delay', '--encoding', 'hash', '--hash-bits', '31', '--save', out]);
    expect([bits.code, bits.stderr]).toEqual([2, expect.stringMatching(/--hash-bits expects an integer in \[1, 30\], got "31"/)]);
    const apply = runCli(['train', csv, '--target', 'delay', '--hash-bits', '20']);
    expect(apply.stderr).toMatch(/--hash-bits does not apply here: it sizes the hash space of --encoding hash, --hashed or --cross/);
    const cross = runCli(['train', csv, '--target', 'delay', '--cross', 'origin:distance', '--save', out]);
    expect(cross.stderr).toMatch(/--cross origin:distance: "distance" is not a categorical column/);
    expect(fs.existsSync(out)).toBe(false);
    // One-hot past the level limit: the message suggests hashing the column (or capping its levels).
    const many = tmp.file('many.csv', 'zip,y\n' + Array.from({ length: 65600 }, (_, i) => `z${i},${i % 7}`).join('\n') + '\n');
    const levels = runCli(['train', many, '--target', 'y', '--save', out]);
    expect(levels.code).not.toBe(0);
    expect(levels.stderr).toMatch(/column "zip" has 65600 levels.*--hashed zip.*--max-levels/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('svmlight files in the CLI', () => {
  it('trains and predicts by extension, by content and with --format', () => {
    const model = tmp.file('s.json');
    const r = JSON.parse(runCliOk(['train', svm, '--loss', 'logistic', ...FAST, '--json', '--save', model]).stdout);
    expect(r.accuracy).toBeGreaterThan(0.65);
    const bare = tmp.file('a9a_like', fs.readFileSync(svm));
    expect(JSON.parse(runCliOk(['train', bare, '--loss', 'logistic', ...FAST, '--json']).stdout).sparseWeights).toEqual(r.sparseWeights);
    const named = tmp.file('data.txt', fs.readFileSync(svm));
    expect(runCliOk(['train', named, '--format', 'svmlight', '--loss', 'logistic', ...FAST, '--json']).code).toBe(0);
    const p = JSON.parse(runCliOk(['predict', model, svm, '--json']).stdout);
    expect(p.metrics.accuracy).toBeCloseTo(r.accuracy, 10);
  });

  it('names the file, line and token of a bad line, and writes nothing', () => {
    const out = tmp.file('bad-model.json');
    const bad = tmp.file('bad.svm', '1 1:1 2:1\n-1 3:1 3:2\n');
    const r = runCli(['train', bad, '--loss', 'logistic', '--save', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.svm:2: token "3:2": repeated index 3/);
    expect(fs.existsSync(out)).toBe(false);
    const zero = runCli(['train', tmp.file('zero.svm', '1 0:1\n'), '--loss', 'logistic']);
    expect(zero.stderr).toMatch(/zero\.svm:1: token "0:1": index 0 under 1-based indexing.*--zero-based/);
  });
});

describe('click data in the CLI', () => {
  it('gen --task ctr writes a hashed cache that trains, and bench --data times it (with scikit-learn where installed)', () => {
    const dh = tmp.file('ctr.dh');
    runCliOk(['gen', '-o', dh, '--task', 'ctr', '--rows', '3000', '--hash-bits', '12', '--seed', '4']);
    const r = JSON.parse(runCliOk(['train', dh, '--loss', 'logistic', '--epochs', '2', '--lr', '0.001', '--backend', 'reference', '--json']).stdout);
    expect(r.sparseWidth).toBe(4096);
    expect(r.accuracy).toBeGreaterThan(0.5);
    const b = JSON.parse(runCliOk(['bench', '--data', dh, '--loss', 'logistic', '--backend', 'cpu', '--threads', '1', '--batch', '256', '--runs', '1', '--peers', '--json']).stdout);
    expect(b.rows).toBe(3000);
    expect(b.results[0]).toMatchObject({ backend: 'cpu', batch: 256, loss: 'logistic', stepsPerEpoch: 12 });
    // The load (read, decode, first touch) is timed apart from the epochs: wall and CPU, once per backend.
    expect(b.loads).toHaveLength(1);
    expect(b.loads[0]).toMatchObject({ backend: 'cpu', threads: 1, loss: 'logistic' });
    expect(b.loads[0].wallSeconds).toBeGreaterThan(0);
    expect(b.loads[0].cpuSeconds).toBeGreaterThan(0);
    const text = runCliOk(['bench', '--data', dh, '--loss', 'logistic', '--backend', 'cpu', '--threads', '1', '--batch', '256', '--runs', '1']).stdout;
    expect(text).toMatch(/cpu ×1 load: [\d.e+]+ ms wall, [\d.e+]+ ms CPU \([\d.e+-]+ µs CPU a row\)/);
    expect(text).toMatch(/cpu ×1 load \+ one epoch \(batch 256, sgd\): [\d.]+[kM]? rows\/s, [\d.]+[kM]? rows per CPU-second/);
    const sk = b.peers.find((p: { peer: string }) => p.peer === 'sklearn');
    if (sk) expect(sk.rowsPerSecond).toBeGreaterThan(0);
    else expect(b.notes.join('\n')).toMatch(/sklearn: not run: .*(scikit-learn|python3)/);
    expect(runCli(['bench', '--data', dh, '--rows', '10']).stderr).toMatch(/--data times the file's rows: leave out --rows and --features/);
  });
});
