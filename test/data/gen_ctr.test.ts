// `downhill gen --task ctr` (src/cli/commands/gen_ctr.ts, src/data/synthetic_ctr.ts) on real temp files: the rows do
// not depend on the chunk size, the CSV read back with `--encoding hash --hash-bits b` equals the .dh cache row for row
// (dense counts, sparse buckets, clicks), levels are Zipf-like, the truth sidecar records the model, and options that
// do not apply are refused before anything is written.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { genCommand } from '../../src/cli/commands/gen';
import type { HostChunk } from '../../src/core/dataset';
import { cacheSource } from '../../src/data/cache';
import { encodedCsvSource } from '../../src/data/node_files';
import { ctrChunks, CTR_CATEGORICAL, CTR_LEVELS, CTR_NUMERIC } from '../../src/data/synthetic_ctr';
import { rejection, tempDir } from './helpers';

const tmp = tempDir('gen-ctr');
let out: MockInstance;
beforeEach(() => {
  out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => out.mockRestore());

/** Every row of a source: dense counts, clicks, and each row's sparse indices and values. */
async function rowsOf(src: { read(): AsyncIterable<HostChunk> }) {
  const x: number[] = [];
  const y: number[] = [];
  const cells: string[] = [];
  for await (const c of src.read()) {
    x.push(...c.x);
    y.push(...c.y);
    const s = c.sparse!;
    for (let r = 0; r < c.rows; r++) {
      const idx = [...s.idx.subarray(s.ptr[r], s.ptr[r + 1])];
      const val = s.val ? [...s.val.subarray(s.ptr[r], s.ptr[r + 1])] : idx.map(() => 1);
      cells.push(idx.map((i, k) => `${i}:${val[k]}`).join(' '));
    }
  }
  return { x, y, cells };
}

describe('gen --task ctr', () => {
  it('draws the same rows whatever the chunk size, Zipf-like levels and a click rate near Criteo\'s', () => {
    const big = [...ctrChunks({ rows: 300, seed: 4 })];
    const small = [...ctrChunks({ rows: 300, seed: 4 }, 7)];
    expect(big.length).toBe(1);
    expect(small.length).toBe(43);
    expect([...small.flatMap((c) => [...c.x])]).toEqual([...big[0].x]);
    expect([...small.flatMap((c) => [...c.y])]).toEqual([...big[0].y]);
    for (let k = 0; k < CTR_CATEGORICAL.length; k++) expect(small.flatMap((c) => c.cells[k])).toEqual(big[0].cells[k]);
    const other = [...ctrChunks({ rows: 300, seed: 5 })][0];
    expect([...other.y]).not.toEqual([...big[0].y]);

    const [c] = [...ctrChunks({ rows: 4000, seed: 1 })];
    const rate = c.y.reduce((s, v) => s + v, 0) / c.rows;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.45);
    for (const k of [2, 0]) {
      // A 3-level column uses its 3 levels; a 10^6-level one has a head (its top level in ≥ 3% of rows) and a long tail.
      const counts = new Map<string, number>();
      for (const v of c.cells[k]) counts.set(v, (counts.get(v) ?? 0) + 1);
      const sorted = [...counts.values()].sort((a, b) => b - a);
      if (CTR_LEVELS[k] === 3) expect(sorted.length).toBe(3);
      else {
        expect(sorted[0] / c.rows).toBeGreaterThan(0.03);
        expect(sorted.length).toBeGreaterThan(c.rows / 4);
      }
    }
    for (const v of c.cells[0].slice(0, 20)) expect(v).toMatch(/^[a-f][0-9a-f]{7}$/);
    for (const v of c.x) expect(Number.isInteger(v) && v >= 0).toBe(true);
  });

  it('writes a CSV that, hashed on reading, equals the .dh cache row for row, with the truth beside each', async () => {
    const csv = tmp.file('ctr.csv');
    const dh = tmp.file('ctr.dh');
    expect(await genCommand(['-o', csv, '--task', 'ctr', '--rows', '700', '--seed', '3'])).toBe(0);
    expect(await genCommand(['-o', dh, '--task', 'ctr', '--rows', '700', '--seed', '3', '--hash-bits', '12'])).toBe(0);
    const printed = out.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toMatch(/wrote .*ctr\.dh: 700 rows × 13 counts \+ 26 categorical columns \(ctr, seed 3, click rate 0\.\d+, 26 columns hashed into 2\^12 buckets\)/);
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toBe(['click', ...CTR_NUMERIC, ...CTR_CATEGORICAL].join(','));

    const fromCsv = await encodedCsvSource(csv, { target: 'click', encoding: 'hash', hashBits: 12 });
    const fromDh = await cacheSource(dh);
    expect(fromCsv.features).toEqual(CTR_NUMERIC);
    expect(fromDh.features).toEqual(CTR_NUMERIC);
    expect('sparse' in fromDh && fromDh.sparse?.width).toBe(1 << 12);
    const a = await rowsOf(fromCsv);
    const b = await rowsOf(fromDh);
    expect(a.y.length).toBe(700);
    expect(b.x).toEqual(a.x);
    expect(b.y).toEqual(a.y);
    expect(b.cells).toEqual(a.cells);
    expect(a.cells[0].split(' ').length).toBe(26);

    const truth = JSON.parse(fs.readFileSync(`${dh}.truth.json`, 'utf8'));
    expect(truth).toMatchObject({ format: 'downhill.truth', task: 'ctr', seed: 3, rows: 700, levels: CTR_LEVELS, bias: -1.6 });
    expect(truth.weights.length).toBe(13);
    expect(truth.encoding.hash).toEqual({ function: 'murmur3_x86_32', bits: 12, seed: 0 });
    expect(JSON.parse(fs.readFileSync(`${csv}.truth.json`, 'utf8')).encoding).toBeUndefined();
  });

  it('refuses options that do not apply, before writing anything', async () => {
    const cases: [string[], RegExp][] = [
      [['-o', tmp.file('a.npy')], /--task ctr writes \.csv or \.dh files/],
      [['-o', tmp.file('a.csv'), '--features', '3'], /--features does not apply to --task ctr/],
      [['-o', tmp.file('a.csv'), '--noise', '1'], /--noise applies to --task regression, not ctr/],
      [['-o', tmp.file('a.csv'), '--hash-bits', '12'], /--hash-bits applies to a \.dh output/],
      [['-o', tmp.file('a.dh'), '--hash-bits', '31'], /hash-bits/],
      [['-o', tmp.file('a.dh'), '--dtype', 'f16'], /--dtype does not apply to --task ctr/],
    ];
    for (const [argv, why] of cases) {
      const e = await rejection(genCommand([...argv, '--task', 'ctr', '--rows', '10']));
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(why);
    }
    expect((await rejection(genCommand(['-o', tmp.file('a.csv'), '--task', 'ctr']))).message).toMatch(/--rows N/);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('a.'))).toEqual([]);
  });
});
