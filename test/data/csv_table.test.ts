// Tests for the CSV reader's table options (csv_plan.ts, csv_table.ts) and the column profiler (csv_profile.ts):
// blank cells skipped with a count or filled, decimal commas, text columns read one-hot as "column=level"
// indicators (fast and slow paths alike, unknown levels setting none, a label target beside them), and what the
// profiler makes of ids, constants, mostly blank and text columns, from the first bytes or a whole pass.
import { describe, expect, it } from 'vitest';
import { csvSourceFromBlob } from '../../src/data/blob_source';
import { DataError } from '../../src/data/csv';
import { profileCsv, profileCsvStream } from '../../src/data/csv_profile';
import type { CsvStreamOptions } from '../../src/data/csv_stream';
import { gather, rejection } from './helpers';

const blob = (text: string) => new Blob([text]);
const read = async (text: string, o: CsvStreamOptions, maxRows?: number) => {
  const src = await csvSourceFromBlob(blob(text), o, 't.csv');
  return { src, g: await gather(src, maxRows ? { maxRows } : undefined) };
};

describe('CSV table options', () => {
  const text = 'a,b,y\n1,2,3\n,5,6\n7,,9\n10,11,\n';
  it('keeps refusing a blank cell by default, with the same message', async () => {
    const e = await rejection(read(text, { target: 'y' }));
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toBe('t.csv:3 (column 1 "a"): missing value; expected a number');
  });

  it('skips rows with a blank cell, counting them', async () => {
    const { src, g } = await read(text, { target: 'y', missing: 'skip' });
    expect(g.x).toEqual([1, 2]);
    expect(g.y).toEqual([3]);
    expect(src.skipped).toBe(3);
    expect(src.rows).toBe(1);
  });

  it('fills a feature\'s blank with its value, and skips a blank target', async () => {
    const { src, g } = await read(text, { target: 'y', missing: 'fill', fill: { a: 4.5, b: 6 } });
    expect(g.x).toEqual([1, 2, 4.5, 5, 7, 6]);
    expect(g.y).toEqual([3, 6, 9]);
    expect(src.skipped).toBe(1);
  });

  it('reads decimal commas in a semicolon file, and names them when not asked to', async () => {
    const semi = 'a;b;y\n1,5;2;3,25\n-0,5;1e1;4\n';
    const { g } = await read(semi, { target: 'y', decimalComma: true });
    expect(g.x).toEqual([1.5, 2, -0.5, 10]);
    expect(g.y).toEqual([3.25, 4]);
    const e = await rejection(read(semi, { target: 'y' }));
    expect((e as Error).message).toMatch(/t\.csv:2 \(column 1 "a"\): expected a number, got "1,5" \(a decimal comma/);
    expect((await rejection(read('a,y\n1,2\n', { target: 'y', decimalComma: true })) as Error).message).toMatch(/decimal comma need a delimiter/);
  });

  it('reads a text column one-hot through "column=level" features, on the fast and the slow path alike', async () => {
    const t = 'x,region,y\n1,east,10\n2,west,20\n3, "north" ,30\n4,"west",40\n5,south,50\n6,east,\n';
    const features = ['x', 'region=east', 'region=west', 'region=north'];
    for (const maxRows of [1, 2, 100]) {
      const { src, g } = await read(t, { target: 'y', features, missing: 'skip' }, maxRows);
      expect(src.features).toEqual(features);
      // " "north" " starts with a space, so it is not a quoted field: its text keeps the quotes (as splitFields reads it).
      expect(g.x).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 3, 0, 0, 0, 4, 0, 1, 0, 5, 0, 0, 0]);
      expect(g.y).toEqual([10, 20, 30, 40, 50]);
      expect(src.skipped).toBe(1);
    }
    const filled = await read('x,c,y\n1,,2\n2,b,3\n', { target: 'y', features: ['x', 'c=b'], missing: 'fill', fill: { x: 0 } });
    expect(filled.g.x).toEqual([1, 0, 2, 1]);
    const e = await rejection(read('x,c,y\n1,,2\n', { target: 'y', features: ['x', 'c=b'] }));
    expect((e as Error).message).toBe('t.csv:2 (column 2 "c"): missing value; expected a category');
  });

  it('reads indicators beside a label target, and refuses a column used twice', async () => {
    const t = 'c,x,label\nred,1,yes\nblue,2,no\nred,3,yes\n';
    const { src, g } = await read(t, { target: 'label', labels: true, features: ['c=red', 'x'] });
    expect(g.x).toEqual([1, 1, 0, 2, 1, 3]);
    expect(g.y).toEqual([0, 1, 0]);
    expect(src.targetLabels).toEqual(['yes', 'no']);
    const twice = await rejection(read(t, { target: 'label', labels: true, features: ['c=red', 'c=red'] }));
    expect((twice as Error).message).toMatch(/"c=red" is listed twice/);
    const both = await rejection(read(t, { target: 'label', labels: true, features: ['x', 'x=1'] }));
    expect((both as Error).message).toMatch(/"x" is listed twice/);
  });
});

describe('the column profiler', () => {
  const rows = Array.from({ length: 30 }, (_, i) =>
    [i + 1, `u${i}`, 7, i % 3 === 0 ? '' : '', i % 10 === 0 ? '' : String(i * 0.5), ['east', 'west', 'north'][i % 3], `${i},5`].join(';'));
  const text = ['row_id;name;const;empty;size;region;price', ...rows].join('\n') + '\n';

  it('tells ids, constants, blank, number and text columns apart, with decimal commas', () => {
    const p = profileCsv('t.csv', text, true);
    expect(p.delimiter).toBe(';');
    expect(p.decimalComma).toBe(true);
    expect(p.rows).toBe(30);
    const kinds = Object.fromEntries(p.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({ row_id: 'id', name: 'id', const: 'constant', empty: 'missing', size: 'number', region: 'text', price: 'number' });
    const size = p.columns[4];
    expect(size.blank).toBe(3);
    expect(size.mean).toBeCloseTo((435 * 0.5 - (0 + 5 + 10)) / 27, 12);
    expect(p.columns[5].levels).toEqual(['east', 'west', 'north']);
    expect(p.columns[5].counts).toEqual([10, 10, 10]);
    expect(p.columns[2].why).toMatch(/constant/);
  });

  it('recognises ids by name, and a cut last line of the first bytes is left out', () => {
    const p = profileCsv('t.csv', 'id,userId,paid,y\n1,5,3,1\n2,9,4,2\n3,1,', false);
    expect(p.columns.map((c) => c.kind)).toEqual(['id', 'id', 'number', 'number']);
    expect(p.rows).toBe(2);
    expect(p.complete).toBe(false);
  });

  it('gives the same profile from a whole stream as from the whole text', async () => {
    const stream = new Blob([text.replace(/\n/g, '\r\n')]).stream();
    const whole = await profileCsvStream('t.csv', stream);
    expect(whole).toEqual(profileCsv('t.csv', text, true));
  });
});
