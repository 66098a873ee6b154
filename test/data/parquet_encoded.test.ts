// Parquet files with string columns (written with hyparquet-writer, dictionary-encoded as most writers do): string
// columns read as categorical (named in a note), one-hot levels by frequency, hashed and crossed columns through the
// one encoder, a model's fixed encoding, and the same rows as the CSV reader gives for the same table; the page's
// "column=level" indicators read beside them (parquet_dense.ts).
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { denseOf } from '../../src/core/csr';
import type { HostChunk } from '../../src/core/dataset';
import { encodedCsvSourceFromStream, encodingOf } from '../../src/data/csv_encoded';
import { encodedParquetFileSource, parquetFileSource } from '../../src/data/node_files';
import { tempDir } from './helpers';

const tmp = tempDir('pq-enc');
const origin = ['SFO', 'LAX', 'SFO', 'JFK', 'SFO', 'LAX', 'ORD'];
const carrier = ['A', 'B', 'A', 'A', 'B', 'B', 'A'];
const distance = [100, 200, 300, 400, 500, 600, 700];
const delay = [1, 2, 3, 4, 5, 6, 7];
const file = tmp.file('f.parquet');
writeFileSync(file, new Uint8Array(parquetWriteBuffer({
  columnData: [{ name: 'distance', data: Float64Array.from(distance), type: 'DOUBLE' }, { name: 'origin', data: origin, type: 'STRING' },
    { name: 'carrier', data: carrier, type: 'STRING' }, { name: 'delay', data: Float64Array.from(delay), type: 'DOUBLE' }],
  rowGroupSize: 3,
} as Parameters<typeof parquetWriteBuffer>[0])));

async function all(chunks: AsyncIterable<HostChunk>, width: number) {
  const out = { x: [] as number[], s: [] as number[], y: [] as number[] };
  for await (const c of chunks) {
    out.x.push(...c.x);
    out.s.push(...denseOf(c.sparse!, width));
    out.y.push(...c.y);
  }
  return out;
}

describe('Parquet with string columns', () => {
  it('reads string columns as categorical, one-hot by frequency, like the CSV reader', async () => {
    const src = await encodedParquetFileSource(file, { target: 'delay' });
    try {
      expect(src.notes.join('\n')).toMatch(/column "origin" holds text \("a string column"\): read as categorical \(one-hot\)/);
      expect(src.features).toEqual(['distance']);
      expect(src.encoding.categorical.map((c) => c.levels)).toEqual([['SFO', 'LAX', 'JFK', 'ORD'], ['A', 'B']]);
      const got = await all(src.read({ maxRows: 4 }), src.sparse.width);
      const text = 'distance,origin,carrier,delay\n' + distance.map((d, i) => `${d},${origin[i]},${carrier[i]},${delay[i]}`).join('\n') + '\n';
      const csv = await encodedCsvSourceFromStream('f.csv', () => (async function* () { yield new TextEncoder().encode(text); })(), { target: 'delay' });
      expect(csv.encoding.categorical).toEqual(src.encoding.categorical);
      expect(got).toEqual(await all(csv.read(), csv.sparse.width));
      // Chunks smaller than a row group (3 rows): views of the group's rows, sparse rows sliced, never across groups.
      expect(await all(src.read({ maxRows: 2 }), src.sparse.width)).toEqual(got);
      const cuts: number[][] = [];
      for await (const c of src.read({ maxRows: 2 })) cuts.push([c.firstRow!, c.rows, c.sparse!.ptr.length - 1]);
      expect(cuts).toEqual([[0, 2, 2], [2, 1, 1], [3, 2, 2], [5, 1, 1], [6, 1, 1]]);
    } finally {
      await src.close();
    }
  });

  it('hashes and crosses, and encodes with a model\'s encoding', async () => {
    const src = await encodedParquetFileSource(file, { target: 'delay', hashed: 'origin', cross: 'origin:carrier', hashBits: 4 });
    const fixed = { features: ['distance'], encoding: src.encoding };
    await src.close();
    const again = await encodedParquetFileSource(file, { target: 'delay', targetOptional: true, fixed });
    const a = await all(again.read(), again.sparse.width);
    expect(a.s.filter((v) => v !== 0).length).toBeGreaterThanOrEqual(7 * 2);
    expect(again.sparse.width).toBe(3 + 16);
    await again.close();
    await expect(encodedParquetFileSource(file, { target: 'delay', fixed: { features: ['distance'], encoding: { ...src.encoding, categorical: [{ name: 'town', kind: 'hash' }] } } }))
      .rejects.toThrow(/column "town" is not in the file/);
  });

  it('reads "column=level" indicators (the page\'s one-hot) beside numbers and hashed columns; a missing cell sets none', async () => {
    const nulls = tmp.file('n.parquet');
    const origins = ['SFO', null, 'LAX', 'JFK'];
    writeFileSync(nulls, new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'distance', data: Float64Array.of(1, 2, 3, 4), type: 'DOUBLE' }, { name: 'origin', data: origins, type: 'STRING' },
        { name: 'carrier', data: ['A', 'B', 'A', 'B'], type: 'STRING' }, { name: 'delay', data: Float64Array.of(5, 6, 7, 8), type: 'DOUBLE' }],
    } as Parameters<typeof parquetWriteBuffer>[0])));
    const features = ['distance', 'origin=LAX', 'origin=SFO'];
    const dense = await parquetFileSource(nulls, { target: 'delay', features });
    expect(dense.features).toEqual(features);
    expect([...(await dense.readRows(0, 4)).x]).toEqual([1, 0, 1, 2, 0, 0, 3, 1, 0, 4, 0, 0]);
    // The page's table: the origin one-hot (dense indicators), the carrier hashed into 2^4 buckets.
    const fixed = { features: ['origin=LAX', 'distance'], encoding: encodingOf('f.parquet', ['carrier'], ['hash'], [null], { hashBits: 4 }) };
    const hashed = await encodedParquetFileSource(file, { target: 'delay', fixed });
    const got = await all(hashed.read(), 16);
    expect(got.x).toEqual(origin.flatMap((o, i) => [o === 'LAX' ? 1 : 0, distance[i]]));
    expect(got.s.filter((v) => v !== 0)).toHaveLength(7);
    await hashed.close();
    await expect(parquetFileSource(nulls, { target: 'delay', features: ['distance', 'origin=LAX', 'origin=LAX'] })).rejects.toThrow(/feature column "origin=LAX" is listed twice/);
    await expect(parquetFileSource(nulls, { target: 'delay', features: ['town=x'] })).rejects.toThrow(/feature column "town=x" is not in the file/);
  });
});
