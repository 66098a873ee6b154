// Tests for the streaming CSV sources on real temp files (src/data/node_files.ts csvSource, csv_stream.ts,
// blob_source.ts): values equal parseCsv's, chunking at maxRows, rows known after a pass, options, every
// error with its file:line (column …) message, skip-bad-rows, aborts, and Blob/ReadableStream inputs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvSourceFromBlob } from '../../src/data/blob_source';
import { DataError, parseCsv } from '../../src/data/csv';
import { csvSourceFromStream } from '../../src/data/csv_stream';
import { csvSource } from '../../src/data/node_files';
import { firstDiff, flatten, gather, rejection, tempDir } from './helpers';

const tmp = tempDir('csv-stream');

/** Reads a whole file through csvSource and rejects with its first error. */
async function readAll(text: string, target = 'y', extra: { features?: string[]; skipBadRows?: boolean; delimiter?: string } = {}) {
  const file = tmp.file(`t${Math.random().toString(36).slice(2)}.csv`, text);
  const src = await csvSource(file, { target, ...extra });
  return { file, src, g: await gather(src) };
}

async function errorOf(text: string, target = 'y', extra = {}): Promise<{ file: string; e: DataError }> {
  const file = tmp.file(`e${Math.random().toString(36).slice(2)}.csv`, text);
  const e = await rejection((async () => gather(await csvSource(file, { target, ...extra })))());
  expect(e).toBeInstanceOf(DataError);
  return { file, e: e as DataError };
}

describe('csvSource: reading', () => {
  it('matches parseCsv on a file with quoting, CRLF, a BOM, blank lines and spaces', async () => {
    const text = '\uFEFF"a",b ,y\r\n1, 2.5 ,"3"\r\n\r\n-4e-3,+.5,6.\r\n  \r\n7,8,9';
    const { src, g } = await readAll(text);
    const ref = flatten(parseCsv(text, { file: 'x', target: 'y' }));
    expect(src.features).toEqual(['a', 'b']);
    expect(src.target).toBe('y');
    expect(g.rows).toBe(3);
    expect(firstDiff(g.x, ref.x)).toBe(-1);
    expect(firstDiff(g.y, ref.y)).toBe(-1);
    expect(g.x).toEqual([1, 2.5, Math.fround(-4e-3), 0.5, 7, 8]);
  });

  it('knows rows only after a complete pass', async () => {
    const file = tmp.file('rows.csv', 'x,y\n1,2\n3,4\n');
    const src = await csvSource(file, { target: 'y' });
    expect(src.rows).toBeNull();
    expect(src.skipped).toBeUndefined();
    for await (const c of src.read()) expect(c.rows).toBe(2);
    expect(src.rows).toBe(2);
    expect(src.skipped).toBe(0);
  });

  it('yields chunks of maxRows rows with consecutive firstRow, and 65536 by default', async () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i},${-i}`);
    const { src, g } = await readAll(['x,y', ...rows].join('\n') + '\n');
    expect(g.sizes).toEqual([65536, 4464]);
    expect(g.firstRows).toEqual([0, 65536]);
    expect(g.x[69_999]).toBe(69_999);
    const small = await gather(src, { maxRows: 30_000 });
    expect(small.sizes).toEqual([30_000, 30_000, 10_000]);
    expect(small.firstRows).toEqual([0, 30_000, 60_000]);
    expect(firstDiff(small.y, g.y)).toBe(-1);
    expect((await gather(src, { maxRows: Infinity })).sizes).toEqual([65536, 4464]);
    await expect(gather(src, { maxRows: 0 })).rejects.toThrow(RangeError);
  });

  it('selects the target by index and features by name in the given order; ignores unread bad cells', async () => {
    const { src, g } = await readAll('p,note,q,r\n1,hi,2,3\n4,"a,b",5,6\n', '0', { features: ['r', 'q'] });
    expect(src.target).toBe('p');
    expect(src.features).toEqual(['r', 'q']);
    expect(g.x).toEqual([3, 2, 6, 5]);
    expect(g.y).toEqual([1, 4]);
  });

  it('detects ; and tab delimiters and accepts a given one', async () => {
    expect((await readAll('a;b;y\n1.5;-2;3\n')).g.x).toEqual([1.5, -2]);
    expect((await readAll('a\ty\n1\t2\n')).g.x).toEqual([1]);
    expect((await readAll('a|b|y\n1|2|3\n', 'y', { delimiter: '|' })).g.x).toEqual([1, 2]);
    const bad = await rejection(csvSource(tmp.file('d.csv', 'a,y\n1,2\n'), { target: 'y', delimiter: '.' }));
    expect(bad.message).toMatch(/the delimiter must be one of/);
  });

  it('reads the same rows on every pass, and passes are independent', async () => {
    const { src, g } = await readAll('x,y\n' + Array.from({ length: 100 }, (_, i) => `${i / 7},${i}`).join('\n'));
    const [a, b] = await Promise.all([gather(src, { maxRows: 9 }), gather(src, { maxRows: 40 })]);
    expect(firstDiff(a.x, g.x)).toBe(-1);
    expect(firstDiff(b.y, g.y)).toBe(-1);
  });
});

describe('csvSource: errors name the file, line and column', () => {
  it('gives parseCsv\'s message for each kind of bad input', async () => {
    const cases: [string, string, string][] = [
      ['a,b,y\n1,2,3\n4,five,6\n', 'y', ':3 (column 2 "b"): expected a number, got "five"'],
      ['a,b,y\n1,,3\n', 'y', ':2 (column 2 "b"): missing value; expected a number'],
      ['a,b,y\n1,2,3\n4,5\n', 'y', ':3: expected 3 fields like the header, found 2'],
      ['a,y\n1,"2\n', 'y', ':2: a quoted field is not closed (quoted newlines are not supported)'],
      ['a,y\n"1\n2",3\n', 'y', ':2: a quoted field is not closed (quoted newlines are not supported)'],
      ['a,y\n1,1e39\n', 'y', ':2 (column 2 "y"): the number 1e39 is outside the float32 range'],
      ['a,b\n1,2\n', 'price', ':1 (column price): target column "price" is not in the header; columns are: a, b'],
      ['', 'y', ': the file is empty; expected a header row and data rows'],
      ['\uFEFF \r\n\n', 'y', ': the file is empty; expected a header row and data rows'],
      ['x,y\r\n\r\n', 'y', ': the file has a header but no data rows'],
      // A CR at the very end is content (only CRLF ends a line), so the quoted field is followed by a CR.
      ['a,y\n1,"2"\r', 'y', ':2: expected a delimiter after a quoted field at character 6'],
    ];
    for (const [text, target, suffix] of cases) {
      const { file, e } = await errorOf(text, target);
      expect(e.message, JSON.stringify(text)).toBe(file + suffix);
      expect(() => parseCsv(text, { file, target })).toThrow(e.message);
    }
  });

  it('names a missing file', async () => {
    const e = await rejection(csvSource(tmp.file('nope.csv'), { target: 'y' }));
    expect(e.message).toMatch(/nope\.csv: cannot read \(no such file\)$/);
  });

  it('notices a file that changed between passes (its header, or only its rows)', async () => {
    const file = tmp.file('changing.csv', 'x,y\n1,2\n');
    const src = await csvSource(file, { target: 'y' });
    fs.writeFileSync(file, 'x,y,z\n1,2,3\n');
    expect((await rejection(gather(src))).message).toBe(`${file}: the file changed while it was being read (its size went from 8 to 12 bytes); ` +
      'reading on would mix two versions of it, so nothing was kept: run again');
    const same = tmp.file('rows.csv', 'x,y\n1,2\n');
    const src2 = await csvSource(same, { target: 'y' });
    expect((await gather(src2)).y).toEqual([2]);
    fs.writeFileSync(same, 'x,y\n3,4\n');
    fs.utimesSync(same, new Date(), new Date(Date.now() + 5000));
    expect((await rejection(gather(src2))).message).toMatch(/rows\.csv: the file changed while it was being read \(it was modified\)/);
  });
});

describe('csvSource: skipBadRows', () => {
  it('skips bad rows, counts them, and keeps the good rows in order', async () => {
    const text = 'a,y\n1,2\nx,3\n4\n"5,6\n7,8\n9,1e40\n10,\n11,12\n';
    const { src, g } = await readAll(text, 'y', { skipBadRows: true });
    expect(g.x).toEqual([1, 7, 11]);
    expect(g.y).toEqual([2, 8, 12]);
    expect(src.skipped).toBe(5);
    expect(src.rows).toBe(3);
  });

  it('fails when every row is bad', async () => {
    const { file, e } = await errorOf('a,y\nq,1\n2,w\n', 'y', { skipBadRows: true });
    expect(e.message).toBe(`${file}: every data row was bad (2 skipped)`);
  });

  it('still rejects a bad header selection', async () => {
    expect((await errorOf('a,b\n1,2\n', 'zz', { skipBadRows: true })).e.message).toMatch(/target column "zz" is not in the header/);
  });
});

describe('browser inputs: Blob and ReadableStream', () => {
  const text = 'size;price\n1.5;2\n3;4\n';

  it('reads a Blob from a real file (fs.openAsBlob) and names it', async () => {
    const file = tmp.file('blob.csv', text);
    const src = await csvSourceFromBlob(await fs.openAsBlob(file), { target: 'price' }, 'blob.csv');
    expect(src.description).toBe('blob.csv');
    expect(await gather(src)).toMatchObject({ rows: 2, x: [1.5, 3], y: [2, 4] });
  });

  it('uses a File\'s name in errors', async () => {
    const src = await csvSourceFromBlob(new File(['y,a\n1,oops\n'], 'upload.csv'), { target: 'y' });
    expect((await rejection(gather(src))).message).toBe('upload.csv:2 (column 2 "a"): expected a number, got "oops"');
  });

  it('reads a web ReadableStream delivered a few bytes at a time', async () => {
    const bytes = new TextEncoder().encode(text);
    const open = () => new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < bytes.length; i += 3) ctl.enqueue(bytes.slice(i, i + 3));
        ctl.close();
      },
    });
    const g = await gather(await csvSourceFromStream('s.csv', open, { target: 'price' }));
    expect(g).toMatchObject({ rows: 2, x: [1.5, 3], y: [2, 4] });
  });

  it('stops a pass when the signal aborts', async () => {
    const file = tmp.file('abort.csv', 'x,y\n' + '1,2\n'.repeat(1000));
    const src = await csvSource(file, { target: 'y' });
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(gather(src, { signal: ac.signal }))).name).toBe('AbortError');
    expect(src.rows).toBeNull();
  });
});

describe('the browser entry points', () => {
  it('import nothing from Node, directly or through other modules', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/^import (?!type ).*? from '([^']+)';$/gm)) {
        expect(spec.startsWith('node:') || /^(fs|path|os|stream)$/.test(spec), `${file} imports ${spec}`).toBe(false);
        if (!spec.startsWith('.')) continue;
        const base = path.resolve(path.dirname(file), spec);
        visit(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
      }
    };
    visit(path.join(__dirname, '../../src/data/blob_source.ts'));
    expect([...seen].map((f) => path.basename(f))).toEqual(expect.arrayContaining(['csv_stream.ts', 'csv_fast.ts', 'csv_plan.ts', 'csv_labels.ts', 'csv.ts', 'blocks.ts']));
  });
});
