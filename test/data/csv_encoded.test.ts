// CSV files with text columns: detection in the first pass (named in a note), one-hot vocabularies by frequency,
// hashed columns and crosses through the one encoder, a model's fixed encoding (unseen levels, a missing column),
// the numeric part read by the table's rules (indicators "column=level", blanks skipped or filled, decimal commas:
// what the web page's hashed files use), and the errors that point at the option or the cell.
import { describe, expect, it } from 'vitest';
import { denseOf } from '../../src/core/csr';
import type { HostChunk } from '../../src/core/dataset';
import { RowEncoder } from '../../src/core/encoding';
import { encodedCsvSourceFromStream, encodingOf, textColumnsIn, type EncodedCsvOptions } from '../../src/data/csv_encoded';

const stream = (text: string) => () => (async function* () {
  const b = new TextEncoder().encode(text);
  for (let i = 0; i < b.length; i += 5) yield b.subarray(i, i + 5);
})();

const CSV = 'x,city,y,user\n1,b,10,u1\n2,a,20,u2\n3,b,30,u1\n4,c,40,u3\n';

async function rows(text: string, o: EncodedCsvOptions) {
  const src = await encodedCsvSourceFromStream('t.csv', stream(text), o);
  const chunks: HostChunk[] = [];
  for await (const c of src.read({ maxRows: 3 })) chunks.push(c);
  return { src, chunks };
}

describe('CSV with text columns', () => {
  it('detects text columns, one-hot encodes them by frequency and keeps numbers dense', async () => {
    const { src, chunks } = await rows(CSV, { target: 'y' });
    expect(src.features).toEqual(['x']);
    expect(src.encoding.categorical.map((c) => [c.name, c.kind, c.levels])).toEqual([['city', 'onehot', ['b', 'a', 'c']], ['user', 'onehot', ['u1', 'u2', 'u3']]]);
    expect(src.notes.join('\n')).toMatch(/column "city" holds text \("b" on line 2\): read as categorical \(one-hot\)/);
    expect(src.columns.map((c) => [c.name, c.levels, c.detected])).toEqual([['city', 3, true], ['user', 3, true]]);
    expect(src.sparse.width).toBe(8);
    expect(src.rows).toBe(4);
    expect(chunks.map((c) => c.rows)).toEqual([3, 1]);
    expect([...chunks[0].x, ...chunks[1].x]).toEqual([1, 2, 3, 4]);
    expect([...chunks[1].y]).toEqual([40]);
    const dense = [...denseOf(chunks[0].sparse!, 8)];
    expect(dense).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('hashes named columns and crosses through the one encoder; min-count and max-levels send levels to "other"', async () => {
    const o = { target: 'y', categorical: 'city', hashed: 'user', cross: 'city:user', hashBits: 3, minCount: 2 };
    const { src, chunks } = await rows(CSV, o);
    expect(src.encoding.categorical.map((c) => c.levels ?? c.kind)).toEqual([['b'], 'hash']);
    expect(src.encoding.hash).toEqual({ function: 'murmur3_x86_32', bits: 3, seed: 0 });
    const enc = new RowEncoder(src.encoding);
    const want = new Uint32Array(3);
    enc.encode(['a', 'u2'], want, 0);
    const c = chunks[0].sparse!;
    expect([...c.idx.subarray(c.ptr[1], c.ptr[2])]).toEqual([...want]);
    expect(want[0]).toBe(1); // "a" was seen once: other
    const top = await rows(CSV, { target: 'y', maxLevels: 1 });
    expect(top.src.encoding.categorical[0].levels).toEqual(['b']);
  });

  it('encodes new rows with a model\'s encoding: unseen levels to "other", a missing column named', async () => {
    const { src } = await rows(CSV, { target: 'y' });
    const fixed = { features: ['x'], encoding: src.encoding };
    const { chunks } = await rows('user,x,city\nu9,5,zzz\n', { target: 'y', targetOptional: true, fixed });
    expect([...denseOf(chunks[0].sparse!, 8)]).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Number.isNaN(chunks[0].y[0])).toBe(true);
    await expect(rows('x,user\n1,u1\n', { target: 'y', targetOptional: true, fixed })).rejects.toThrow(/feature column "city" is not in the header/);
  });

  it('reads the numeric part by the table\'s rules beside hashed columns: indicators, blanks skipped or filled, decimal commas', async () => {
    const encoding = encodingOf('t.csv', ['user'], ['hash'], [null], { hashBits: 4 });
    const fixed = { features: ['x', 'city=a', 'city=c'], encoding };
    const text = 'x;city;y;user\n1,5;b;10;u1\n;a;20;u2\n3;c;30;u1\n4;;40;u3\n5;a;;u2\n';
    const skip = await rows(text, { target: 'y', missing: 'skip', decimalComma: true, fixed });
    expect(skip.src.features).toEqual(['x', 'city=a', 'city=c']);
    expect(skip.chunks.map((c) => [...c.x])).toEqual([[1.5, 0, 0, 3, 0, 1]]);
    expect([...skip.chunks[0].y]).toEqual([10, 30]);
    expect([skip.src.rows, skip.src.skipped]).toEqual([2, 3]);
    const enc = new RowEncoder(encoding);
    const want = new Uint32Array(2);
    enc.encode(['u1'], want, 0);
    enc.encode(['u1'], want, 1);
    expect([...skip.chunks[0].sparse!.idx]).toEqual([...want]);
    // Filled: a blank number takes its fill value, a blank text column sets no indicator, a blank target still skips.
    const fill = await rows(text, { target: 'y', missing: 'fill', fill: { x: 2.5 }, decimalComma: true, fixed });
    expect(fill.chunks.flatMap((c) => [...c.x])).toEqual([1.5, 0, 0, 2.5, 1, 0, 3, 0, 1, 4, 0, 0]);
    expect([fill.src.rows, fill.src.skipped]).toEqual([4, 1]);
    await expect(rows(text, { target: 'y', decimalComma: true, fixed })).rejects.toThrow(/t\.csv:3 \(column 1 "x"\): missing value; expected a number/);
    await expect(rows('x,y,user\n,1,u\n', { target: 'y', missing: 'skip', fixed: { features: ['x'], encoding } })).rejects.toThrow(/every data row was missing a value \(1 skipped\)/);
  });

  it('names options and cells that are wrong', async () => {
    await expect(rows(CSV, { target: 'y', categorical: 'town' })).rejects.toThrow(/--categorical names "town", which is not a feature column of t\.csv/);
    await expect(rows(CSV, { target: 'y', cross: 'city:x' })).rejects.toThrow(/--cross city:x: "x" is not a categorical column/);
    await expect(rows('x,c,y\n1,a,1\n,b,2\n', { target: 'y' })).rejects.toThrow(/t\.csv:3 \(column 1 "x"\): missing value; expected a number/);
    await expect(rows('x,c,y\n1,a,1\n2,b\n', { target: 'y' })).rejects.toThrow(/t\.csv:3: expected 3 fields like the header, found 2/);
    // A level that reads as a huge number (hex "34e38141") is a level of a text column, and an error in a numeric one.
    const hex = await rows('x,c,y\n1,34e38141,1\n2,a1b2c3d4,2\n3,ffe00001,3\n', { target: 'y' });
    expect(hex.src.encoding.categorical.map((c) => c.levels)).toEqual([['34e38141', 'a1b2c3d4', 'ffe00001']]);
    await expect(rows('x,c,y\n1e39,a,1\n2,b,2\n', { target: 'y' })).rejects.toThrow(/t\.csv:2 \(column 1 "x"\): the number 1e39 is outside the float32 range/);
  });

  it('finds text columns in the first lines', async () => {
    expect(await textColumnsIn('t.csv', stream(CSV), { target: 'y' })).toEqual(['city', 'user']);
    expect(await textColumnsIn('t.csv', stream('a,y\n1,2\n'), { target: 'y' })).toEqual([]);
  });
});
