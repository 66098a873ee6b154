// Class-label targets on the reading side (CsvStreamOptions.labels, ParquetOptions.labels): text and numeric labels
// map to indices of the source's targetLabels in order of first appearance, the same in every pass and whatever the
// chunking; quoted labels, blank cells (errors with line and column, or skipped), the regression-mode hint for a text
// target, Parquet string/int/boolean label columns, Blob sources and openInput. Real temp files throughout.
import fs from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../src/cli/sources';
import { Rng } from '../../src/core/rng';
import { csvSourceFromBlob } from '../../src/data/blob_source';
import { DataError, parseCsv } from '../../src/data/csv';
import { csvSourceFromStream } from '../../src/data/csv_stream';
import { csvSource, parquetFileSource } from '../../src/data/node_files';
import { NpyWriter } from '../../src/data/npy';
import { blobAsyncBuffer, ParquetSource } from '../../src/data/parquet';
import type { DataSource } from '../../src/data/source';
import { prepareTargets } from '../../src/train/targets';
import { firstDiff, flatten, gather, rejection, tempDir } from './helpers';

const tmp = tempDir('labels');
const enc = new TextEncoder();
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
let n = 0;
const csvFile = (text: string) => tmp.file(`l${n++}.csv`, text);

/** One pass: the labels of y (through targetLabels) and the features. */
async function labelsOf(src: DataSource, maxRows?: number): Promise<{ labels: string[]; y: number[]; x: number[] }> {
  const g = await gather(src, { maxRows });
  return { labels: g.y.map((k) => src.targetLabels![k]), y: g.y, x: g.x };
}

const HINT = '(a text target needs a classification loss: --loss logistic, hinge, modified-huber or softmax)';

describe('CSV label targets', () => {
  it('maps text labels to indices in order of first appearance and reads features as numbers', async () => {
    const src = await csvSource(csvFile('a,answer,b\n1,yes,2\n3, no ,4\r\n5,yes,6.5\n7,"no",8\n'), { target: 'answer', labels: true });
    const r = await labelsOf(src);
    expect(src.targetLabels).toEqual(['yes', 'no']);
    expect(r.y).toEqual([0, 1, 0, 1]);
    expect(r.x).toEqual([1, 2, 3, 4, 5, 6.5, 7, 8]);
    expect(src.rows).toBe(4);
  });

  it('reads quoted labels with delimiters and escaped quotes, and non-ASCII and long labels', async () => {
    const long = 'a-very-long-class-name-well-past-the-short-path';
    const text = `sl;species;pw\n5.1;"Iris-setosa";0.2\n7;"Iris-versicolor";1.4\n6.3;"a;b";1.8\n1;"say ""hi""";2\n2;Ünïcode;3\n3;${long};4\n4;Iris-setosa;5\n`;
    const src = await csvSource(csvFile(text), { target: 'species', labels: true });
    const r = await labelsOf(src);
    expect(r.labels).toEqual(['Iris-setosa', 'Iris-versicolor', 'a;b', 'say "hi"', 'Ünïcode', long, 'Iris-setosa']);
    expect(r.x).toEqual([5.1, 0.2, 7, 1.4, 6.3, 1.8, 1, 2, 2, 3, 3, 4, 4, 5].map(Math.fround));
  });

  it('canonicalizes numeric labels: "1.0", "1", " +1 ", "1e0" and "\\"1\\"" are one label; −1/1 and 0/1 as written', async () => {
    const src = await csvSource(csvFile('x,y\n1,1.0\n2,-1\n3,1\n4, +1 \n5,1e0\n6,"1"\n7,-1.000\n8,0.1\n9,.10\n'), { target: 'y', labels: true });
    const r = await labelsOf(src);
    expect(src.targetLabels).toEqual(['1', '-1', '0.1']);
    expect(r.y).toEqual([0, 1, 0, 0, 0, 0, 1, 2, 2]);
    const zeroOne = await csvSource(csvFile('x,y\n1,0\n2,1\n3,0\n'), { target: 'y', labels: true });
    expect((await labelsOf(zeroOne)).labels).toEqual(['0', '1', '0']);
  });

  it('gives the same indices in every pass and for every chunking, and appends a label first seen in a later pass', async () => {
    const labels = ['cat', 'dog', 'emu', '"a,b"'];
    const rng = new Rng(7);
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${labels[rng.int(i < 2000 ? 2 : 4)]},${-i}`);
    const text = `id,animal,z\n${rows.join('\n')}\n`;
    const src = await csvSource(csvFile(text), { target: 'animal', labels: true });
    const first = await labelsOf(src, 97);
    expect(src.targetLabels).toEqual([...new Set(first.labels)]);
    expect(src.targetLabels).toHaveLength(4);
    const second = await labelsOf(src, 4096);
    expect(second.y).toEqual(first.y);
    const ref = parseCsv(text, { file: 'x', target: 'animal', labels: true });
    expect(firstDiff(second.y, flatten(ref).y)).toBe(-1);
    expect(second.labels).toEqual(flatten(ref).y.map((k) => ref.targetLabels![k]));
    // A stream whose second pass holds a new label: the old labels keep their indices.
    let pass = 0;
    const open = () => (async function* () {
      yield enc.encode(pass++ < 2 ? 'x,y\n1,b\n2,a\n' : 'x,y\n1,a\n2,c\n3,b\n');
    })();
    const s = await csvSourceFromStream('s.csv', open, { target: 'y', labels: true });
    expect((await labelsOf(s)).y).toEqual([0, 1]);
    expect((await labelsOf(s)).y).toEqual([1, 2, 0]);
    expect(s.targetLabels).toEqual(['b', 'a', 'c']);
  });

  it('stops at a blank label cell with the line and column, or skips the row with skipBadRows', async () => {
    const text = 'a,species\n1,setosa\n2,  \n3,""\n4,virginica\n';
    const file = csvFile(text);
    const e = await rejection((async () => gather(await csvSource(file, { target: 'species', labels: true })))());
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`${file}:3 (column 2 "species"): missing value; expected a class label`);
    expect(() => parseCsv(text, { file, target: 'species', labels: true })).toThrow(e.message);
    const src = await csvSource(file, { target: 'species', labels: true, skipBadRows: true });
    const r = await labelsOf(src);
    expect([r.labels, r.x, src.skipped]).toEqual([['setosa', 'virginica'], [1, 4], 2]);
  });

  it('keeps feature errors as they were, and adds no label for a row skipped for a bad feature', async () => {
    const file = csvFile('a,b,y\n1,2,p\n3,oops,q\n5,6,r\n');
    const e = await rejection((async () => gather(await csvSource(file, { target: 'y', labels: true })))());
    expect(e.message).toBe(`${file}:3 (column 2 "b"): expected a number, got "oops"`);
    const src = await csvSource(file, { target: 'y', labels: true, skipBadRows: true });
    expect((await labelsOf(src)).labels).toEqual(['p', 'r']);
    expect(src.targetLabels).toEqual(['p', 'r']);
  });

  it('matches parseCsv on random label files cut into random chunks (skipping rows with blank labels or not)', async () => {
    const rng = new Rng(99);
    const cells = ['yes', 'no', ' yes ', '"yes"', '"a,b"', '"x ""q"""', '1', '1.0', '-1', '" 2 "', 'é', 'a-long-label-past-the-ascii-path'];
    let compared = 0;
    for (let k = 0; k < 200; k++) {
      const skipBadRows = rng.int(2) === 0;
      const rows = Array.from({ length: 1 + rng.int(30) }, () => [rng.int(100), rng.int(12) === 0 ? pick(rng, ['', '  ', '""']) : pick(rng, cells), rng.int(9) / 4]);
      const lines = (rs: typeof rows) => ['f1,t,f2', ...rs.map((r) => r.join(','))].join(k % 2 ? '\n' : '\r\n');
      const text = lines(rows);
      // The reference has no skipping: it reads the file without the bad rows.
      const refText = skipBadRows ? lines(rows.filter((r) => !['', '  ', '""'].includes(String(r[1])))) : text;
      let want: string;
      try {
        const ds = parseCsv(refText, { file: 'f.csv', target: 't', labels: true });
        want = JSON.stringify([flatten(ds).y.map((y) => ds.targetLabels![y]), flatten(ds).x]);
        compared++;
      } catch (e) {
        want = (e as Error).message;
      }
      const bytes = enc.encode(text);
      const cuts = [0, ...Array.from({ length: rng.int(6) }, () => rng.int(bytes.length)).sort((a, b) => a - b), bytes.length];
      const open = () => (async function* () {
        for (let i = 0; i + 1 < cuts.length; i++) yield bytes.slice(cuts[i], cuts[i + 1]);
      })();
      let got: string;
      try {
        const r = await labelsOf(await csvSourceFromStream('f.csv', open, { target: 't', labels: true, skipBadRows }), 1 + rng.int(5));
        got = JSON.stringify([r.labels, r.x]);
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got, text).toBe(want);
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('with prepareTargets (src/train/targets.ts)', () => {
  it('gives sorted classes and class indices for a text-label CSV, and names the row of a third class for a binary loss', async () => {
    const text = 'x,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n';
    const t = await prepareTargets(await csvSource(csvFile(text), { target: 'species', labels: true }), 'softmax');
    expect([t.classes, t.outputs, (await gather(t.source)).y]).toEqual([['setosa', 'versicolor', 'virginica'], 3, [2, 0, 1, 0]]);
    const e = await rejection(prepareTargets(await csvSource(csvFile(text), { target: 'species', labels: true }), 'logistic'));
    expect(e.message).toMatch(/row 3 \(target "species"\): a third class "versicolor"/);
  });
});

describe('regression mode: a text target', () => {
  it('is a DataError with line and column and a hint to use a classification loss (target column only)', async () => {
    const text = 'a,b,c,species\n1,2,3,4\n1,2,3,setosa\n';
    const file = csvFile(text);
    const want = `${file}:3 (column 4 "species"): expected a number, got "setosa" ${HINT}`;
    const e = await rejection((async () => gather(await csvSource(file, { target: 'species' })))());
    expect(e.message).toBe(want);
    expect(() => parseCsv(text, { file, target: 'species' })).toThrow(want);
    const feature = await rejection((async () => gather(await csvSource(csvFile('a,y\nzz,1\n'), { target: 'y' })))());
    expect(feature.message).toMatch(/\(column 1 "a"\): expected a number, got "zz"$/);
  });
});

describe('Parquet label targets', () => {
  const write = (name: string, columnData: { name: string; data: unknown[]; type: string }[], rowGroupSize?: number) =>
    tmp.file(name, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize } as Parameters<typeof parquetWriteBuffer>[0])));
  const m = 1200;
  const a = Array.from({ length: m }, (_, i) => i / 4);
  const species = ['setosa', 'versicolor', 'virginica'];

  it('reads string, integer and boolean label columns across row groups, the same in every pass', async () => {
    const path = write('l.parquet', [
      { name: 'a', data: a, type: 'DOUBLE' },
      { name: 's', data: a.map((_, i) => species[(i * 7) % 3]), type: 'STRING' },
      { name: 'i', data: a.map((_, i) => [-1, 1][i % 2]), type: 'INT32' },
      { name: 'l', data: a.map((_, i) => BigInt(i % 3) * 10n), type: 'INT64' },
      { name: 'b', data: a.map((_, i) => i % 5 === 0), type: 'BOOLEAN' },
    ], 500);
    const cases: [string, (i: number) => string][] = [
      ['s', (i) => species[(i * 7) % 3]], ['i', (i) => String([-1, 1][i % 2])], ['l', (i) => String((i % 3) * 10)], ['b', (i) => String(i % 5 === 0)],
    ];
    for (const [target, label] of cases) {
      const src = await parquetFileSource(path, { target, features: ['a'], labels: true });
      const r = await labelsOf(src, 333);
      expect(r.labels, target).toEqual(a.map((_, i) => label(i)));
      expect(r.x, target).toEqual(a);
      expect((await labelsOf(src, 1000)).y, target).toEqual(r.y);
      const mid = await src.readRows(498, 5);
      expect([...mid.y].map((k) => src.targetLabels![k])).toEqual([498, 499, 500, 501, 502].map(label));
      await src.close();
    }
  });

  it('names the row and column of a missing label, and hints at a classification loss for a text target without labels', async () => {
    const path = write('n.parquet', [{ name: 'a', data: [1, 2, 3], type: 'DOUBLE' }, { name: 's', data: ['x', null, 'y'], type: 'STRING' }]);
    const src = await parquetFileSource(path, { target: 's', labels: true });
    await expect(src.readRows(0, 3)).rejects.toThrow(`${path}: row 2 (column s): missing value; expected a class label`);
    await src.close();
    await expect(parquetFileSource(path, { target: 's' })).rejects.toThrow(`${path} (column s): expected a numeric column, found BYTE_ARRAY ${HINT}`);
    await expect(parquetFileSource(path, { target: 'a', features: ['s'], labels: true })).rejects.toThrow(/\(column s\): expected a numeric column, found BYTE_ARRAY$/);
  });
});

describe('other ways in', () => {
  it('reads labels from Blobs (the page\'s Files) and through openInput for CSV and Parquet; NPY ignores labels', async () => {
    const text = 'x,y\n1,b\n2,a\n3,b\n';
    const blob = await csvSourceFromBlob(new Blob([text]), { target: 'y', labels: true }, 'mem.csv');
    expect((await labelsOf(blob)).labels).toEqual(['b', 'a', 'b']);
    const csv = await openInput(csvFile(text), { target: 'y', labels: true });
    expect((await labelsOf(csv)).labels).toEqual(['b', 'a', 'b']);
    const pq = tmp.file('o.parquet', new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'x', data: [1, 2], type: 'DOUBLE' }, { name: 'y', data: ['u', 'v'], type: 'STRING' },
    ] } as Parameters<typeof parquetWriteBuffer>[0])));
    const p = await openInput(pq, { target: 'y', labels: true });
    expect((await labelsOf(p)).labels).toEqual(['u', 'v']);
    await p.close?.();
    const page = await ParquetSource.open('up.parquet', blobAsyncBuffer(new Blob([fs.readFileSync(pq)])), { target: 'y', labels: true });
    expect((await labelsOf(page)).labels).toEqual(['u', 'v']);
    const x = await NpyWriter.create(tmp.file('o.npy'), 1);
    await x.append(Float32Array.of(1, 2));
    await x.close();
    const y = await NpyWriter.create(tmp.file('o.y.npy'), null);
    await y.append(Float32Array.of(0, 1));
    await y.close();
    const npy = await openInput(tmp.file('o.npy'), { labels: true });
    expect([npy.targetLabels, (await gather(npy)).y]).toEqual([undefined, [0, 1]]);
    await npy.close?.();
  });
});
