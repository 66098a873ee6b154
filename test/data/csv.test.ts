// Unit tests for the CSV reader (src/data/csv.ts): delimiters, quoting, CRLF, BOM, target and feature
// selection, a real file on disk, and every error path with its file:line (column …) message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError, parseCsv, type CsvOptions } from '../../src/data/csv';

const F = 'data.csv';
const parse = (text: string, o: Partial<CsvOptions> = {}) => parseCsv(text, { file: F, target: 'y', ...o });

/** The DataError thrown by parsing `text` (fails the test if none is thrown). */
function errorOf(text: string, o: Partial<CsvOptions> = {}): DataError {
  try {
    parse(text, o);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected parseCsv to throw');
}

describe('parseCsv: reading', () => {
  it('reads a header and numeric rows into one chunk, target separated from features', () => {
    const ds = parse('a,b,y\n1,2,3\n4.5,-6,7e2\n');
    expect(ds.features).toEqual(['a', 'b']);
    expect(ds.target).toBe('y');
    expect(ds.rows).toBe(2);
    expect(ds.chunks).toHaveLength(1);
    const c = ds.chunks[0];
    expect(c.rows).toBe(2);
    expect(Array.from(c.x)).toEqual([1, 2, 4.5, -6]);
    expect(Array.from(c.y)).toEqual([3, 700]);
    expect(c.x).toBeInstanceOf(Float32Array);
  });

  it('stores values as float32', () => {
    const c = parse('x,y\n0.1,0.2\n').chunks[0];
    expect(c.x[0]).toBe(Math.fround(0.1));
    expect(c.y[0]).toBe(Math.fround(0.2));
  });

  it('accepts the number forms +1, .5, 5., -1.5E-3 and surrounding spaces', () => {
    const c = parse('x, y\n +1 ,.5\n5.,-1.5E-3\n').chunks[0];
    expect(Array.from(c.x)).toEqual([1, 5]);
    expect(Array.from(c.y)).toEqual([Math.fround(0.5), Math.fround(-1.5e-3)]);
  });

  it('detects semicolon and tab delimiters', () => {
    for (const sep of [';', '\t']) {
      const ds = parse(['p', 'q', 'y'].join(sep) + '\n' + ['1', '2', '3'].join(sep) + '\n');
      expect(ds.features, JSON.stringify(sep)).toEqual(['p', 'q']);
      expect(Array.from(ds.chunks[0].x)).toEqual([1, 2]);
      expect(Array.from(ds.chunks[0].y)).toEqual([3]);
    }
  });

  it('keeps commas inside fields when semicolon is the delimiter (header picks the delimiter)', () => {
    expect(() => parse('a;y\n1,5;2\n')).toThrow(/expected a number, got "1,5"/);
  });

  it('reads quoted fields, including quoted header names with delimiters and escaped quotes', () => {
    const ds = parse('"x, one","say ""hi""",y\n"1",2,"3"\n');
    expect(ds.features).toEqual(['x, one', 'say "hi"']);
    expect(Array.from(ds.chunks[0].x)).toEqual([1, 2]);
    expect(Array.from(ds.chunks[0].y)).toEqual([3]);
  });

  it('handles CRLF line endings, a BOM, blank lines and no final newline', () => {
    const ds = parse('\uFEFFa,y\r\n1,2\r\n\r\n3,4\r\n   \r\n5,6');
    expect(ds.features).toEqual(['a']);
    expect(ds.rows).toBe(3);
    expect(Array.from(ds.chunks[0].x)).toEqual([1, 3, 5]);
    expect(Array.from(ds.chunks[0].y)).toEqual([2, 4, 6]);
  });

  it('selects the target by name anywhere in the header', () => {
    const ds = parse('a,price,b\n1,2,3\n', { target: 'price' });
    expect(ds.target).toBe('price');
    expect(ds.features).toEqual(['a', 'b']);
    expect(Array.from(ds.chunks[0].x)).toEqual([1, 3]);
    expect(Array.from(ds.chunks[0].y)).toEqual([2]);
  });

  it('selects the target by 0-based index when no header name matches', () => {
    const ds = parse('a,b,c\n1,2,3\n', { target: '0' });
    expect(ds.target).toBe('a');
    expect(ds.features).toEqual(['b', 'c']);
    expect(Array.from(ds.chunks[0].y)).toEqual([1]);
  });

  it('prefers a header named like a number over the index', () => {
    const ds = parse('1,0,2\n10,20,30\n', { target: '0' });
    expect(ds.target).toBe('0');
    expect(Array.from(ds.chunks[0].y)).toEqual([20]);
  });

  it('uses an explicit feature subset in the order given', () => {
    const ds = parse('a,b,c,y\n1,2,3,4\n5,6,7,8\n', { features: ['c', 'a'] });
    expect(ds.features).toEqual(['c', 'a']);
    expect(Array.from(ds.chunks[0].x)).toEqual([3, 1, 7, 5]);
    expect(Array.from(ds.chunks[0].y)).toEqual([4, 8]);
  });

  it('ignores bad cells in columns that are not selected', () => {
    const ds = parse('a,note,y\n1,hello,2\n', { features: ['a'] });
    expect(Array.from(ds.chunks[0].x)).toEqual([1]);
  });
});

describe('parseCsv: a real file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('parses what was written to disk and read back', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'downhill-csv-'));
    const file = path.join(dir, 'houses.csv');
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i * 0.5},${2 * i + 1}`);
    fs.writeFileSync(file, ['size,age,price', ...rows].join('\r\n') + '\r\n', 'utf8');
    const ds = parseCsv(fs.readFileSync(file, 'utf8'), { file, target: 'price' });
    expect(ds.rows).toBe(50);
    expect(ds.features).toEqual(['size', 'age']);
    for (let i = 0; i < 50; i++) {
      expect(ds.chunks[0].x[2 * i]).toBe(i);
      expect(ds.chunks[0].x[2 * i + 1]).toBe(i * 0.5);
      expect(ds.chunks[0].y[i]).toBe(2 * i + 1);
    }
  });

  it('names the real file path in errors', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'downhill-csv-'));
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'x,y\n1,2\n3,oops\n');
    expect(() => parseCsv(fs.readFileSync(file, 'utf8'), { file, target: 'y' }))
      .toThrow(`${file}:3 (column 2 "y"): expected a number, got "oops"`);
  });
});

describe('parseCsv: errors name the file, line and column', () => {
  it('empty file (also whitespace-only or a lone BOM)', () => {
    for (const text of ['', '\n\n', '  \r\n', '\uFEFF']) {
      const e = errorOf(text);
      expect(e.message).toBe(`${F}: the file is empty; expected a header row and data rows`);
      expect([e.file, e.line, e.column]).toEqual([F, null, null]);
    }
  });

  it('header only', () => {
    for (const text of ['x,y', 'x,y\n', 'x,y\r\n\r\n']) {
      expect(errorOf(text).message).toBe(`${F}: the file has a header but no data rows`);
    }
  });

  it('missing target column lists the columns', () => {
    const e = errorOf('a,b,c\n1,2,3\n', { target: 'price' });
    expect(e.message).toBe(`${F}:1 (column price): target column "price" is not in the header; columns are: a, b, c`);
    expect([e.line, e.column]).toEqual([1, 'price']);
  });

  it('target index out of range is treated as a missing name', () => {
    expect(errorOf('a,b\n1,2\n', { target: '2' }).message).toContain('target column "2" is not in the header; columns are: a, b');
  });

  it('missing feature column', () => {
    expect(errorOf('a,y\n1,2\n', { features: ['a', 'zz'] }).message)
      .toBe(`${F}:1 (column zz): feature column "zz" is not in the header; columns are: a, y`);
  });

  it('target also listed as a feature; no feature columns at all', () => {
    expect(errorOf('a,y\n1,2\n', { features: ['a', 'y'] }).message).toBe(`${F}:1 (column y): the target column cannot also be a feature`);
    expect(errorOf('y\n1\n').message).toMatch(/^data\.csv:1: no feature columns/);
  });

  it('ragged row: line number and expected/found field counts', () => {
    const short = errorOf('a,b,y\n1,2,3\n4,5\n');
    expect(short.message).toBe(`${F}:3: expected 3 fields like the header, found 2`);
    expect(short.line).toBe(3);
    expect(errorOf('a,y\n1,2,3\n').message).toBe(`${F}:2: expected 2 fields like the header, found 3`);
  });

  it('line numbers count blank lines and the header', () => {
    expect(errorOf('a,y\n1,2\n\n\n5\n').message).toBe(`${F}:5: expected 2 fields like the header, found 1`);
  });

  it('non-numeric cell: line, column number and name, and the bad value', () => {
    const e = errorOf('a,b,y\n1,2,3\n4,five,6\n');
    expect(e.message).toBe(`${F}:3 (column 2 "b"): expected a number, got "five"`);
    expect([e.line, e.column]).toEqual([3, '2 "b"']);
    for (const bad of ['NaN', 'inf', '0x10', '1e', '--1', '1 2']) {
      expect(errorOf(`a;y\n${bad};1\n`).message, bad).toBe(`${F}:2 (column 1 "a"): expected a number, got "${bad}"`);
    }
    // A decimal comma is named as such (issue 20).
    expect(errorOf('a;y\n1,5;1\n').message).toBe(`${F}:2 (column 1 "a"): expected a number, got "1,5" (a decimal comma: write numbers with a decimal point, or read the file with decimal commas)`);
  });

  it('non-numeric target cell names the target column and hints at a classification loss', () => {
    expect(errorOf('y,a\nabc,1\n').message).toBe(
      `${F}:2 (column 1 "y"): expected a number, got "abc" (a text target needs a classification loss: --loss logistic, hinge, modified-huber or softmax)`,
    );
  });

  it('missing value (empty or blank cell)', () => {
    expect(errorOf('a,b,y\n1,,3\n').message).toBe(`${F}:2 (column 2 "b"): missing value; expected a number`);
    expect(errorOf('a,y\n1,2\n3,  \n').message).toBe(`${F}:3 (column 2 "y"): missing value; expected a number`);
    expect(errorOf('a,y\n1,""\n').message).toBe(`${F}:2 (column 2 "y"): missing value; expected a number`);
  });

  it('unclosed quote (in a data row and in the header)', () => {
    expect(errorOf('a,y\n1,"2\n').message).toBe(`${F}:2: a quoted field is not closed (quoted newlines are not supported)`);
    expect(errorOf('"a,y\n1,2\n').message).toMatch(/^data\.csv:1: a quoted field is not closed/);
  });

  it('text after a closing quote', () => {
    expect(errorOf('a,y\n"1"x,2\n').message).toBe(`${F}:2: expected a delimiter after a quoted field at character 4`);
  });

  it('value outside the float32 range', () => {
    expect(errorOf('a,y\n1,1e39\n').message).toBe(`${F}:2 (column 2 "y"): the number 1e39 is outside the float32 range`);
    expect(errorOf('a,y\n-4e38,1\n').message).toBe(`${F}:2 (column 1 "a"): the number -4e38 is outside the float32 range`);
    // Overflows f64 too (Number gives Infinity): still a range error, not a parse error.
    expect(errorOf('a,y\n1e400,1\n').message).toContain('the number 1e400 is outside the float32 range');
    // The largest float32 itself is accepted.
    expect(parse('a,y\n3.4028234663852886e38,1\n').chunks[0].x[0]).toBe(3.4028234663852886e38);
  });
});
