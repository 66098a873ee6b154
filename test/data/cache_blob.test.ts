// Tests for the Blob-based ".dh" cache (cache_blob.ts): rows written through a positioned sink read back exactly
// (a pass and random access, a label target's dictionary kept beside), the bytes are those of the Node writer, and a
// file whose header was never written (writing stopped midway) is refused; a layout-3 cache (rows with a sparse block,
// cache_csr_blocks.ts) likewise, from a Parquet file's hashed rows.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlobCacheWriter, CacheBlobSource } from '../../src/data/cache_blob';
import { writeCache } from '../../src/data/cache';
import { memorySource, type DataSource } from '../../src/data/source';
import { CsrBlobSource } from '../../src/data/cache_csr_blob';
import { CsrBlockWriter } from '../../src/data/cache_csr_blocks';
import { CsrCacheWriter } from '../../src/data/cache_csr_io';
import { denseOf } from '../../src/core/csr';
import { loadFile } from '../../src/web/data/files';
import { ordersParquet } from '../helpers/orders';
import { gather, rejection, tempDir } from './helpers';

const tmp = tempDir('cache-blob');

/** A growing byte buffer written at offsets. */
function memorySink(): { bytes: () => Uint8Array; write(b: Uint8Array, at: number): void } {
  let buf = new Uint8Array(0);
  return {
    bytes: () => buf,
    write(b, at) {
      if (at + b.length > buf.length) {
        const bigger = new Uint8Array(at + b.length);
        bigger.set(buf);
        buf = bigger;
      }
      buf.set(b, at);
    },
  };
}

describe('the .dh cache in a Blob', () => {
  const rows = 1000;
  const x = Float32Array.from({ length: rows * 3 }, (_, i) => Math.sin(i) * 100);
  const y = Float32Array.from({ length: rows }, (_, i) => i % 4);
  const src = memorySource({ features: ['a', 'b', 'c'], target: 'y', rows, chunks: [{ rows, x, y }] });

  it('reads back what was written, in a pass and at random, with the bytes of the Node writer', async () => {
    const sink = memorySink();
    const w = new BlobCacheWriter(sink, src.features, src.target);
    for await (const c of src.read()) await w.write(c); // the Node writer's chunks, so the statistics merge alike
    expect(await w.finish()).toBe(sink.bytes().length);
    const cached = await CacheBlobSource.open(new Blob([sink.bytes() as Uint8Array<ArrayBuffer>]), 'data.dh', ['0', '1', '2', '3']);
    expect([cached.rows, [...cached.features], cached.target, cached.targetLabels]).toEqual([rows, ['a', 'b', 'c'], 'y', ['0', '1', '2', '3']]);
    const g = await gather(cached, { maxRows: 128 });
    expect(g.x).toEqual([...x]);
    expect(g.y).toEqual([...y]);
    const some = await cached.readRows(10, 2);
    expect([...some.x]).toEqual([...x.subarray(30, 36)]);
    const file = tmp.file('node.dh');
    await writeCache(file, src);
    expect(Buffer.from(sink.bytes()).equals(fs.readFileSync(file))).toBe(true);
  });

  it('refuses a file whose header was never written', async () => {
    const sink = memorySink();
    const w = new BlobCacheWriter(sink, src.features, src.target);
    for await (const c of src.read()) await w.write(c);
    const e = await rejection(CacheBlobSource.open(new Blob([sink.bytes() as Uint8Array<ArrayBuffer>]), 'half.dh'));
    expect(e.message).toMatch(/half\.dh: not a downhill cache/);
  });
});

/** Every row of a source: dense values, targets and the sparse block made dense. */
async function rowsOf(src: DataSource) {
  const out = { rows: 0, x: [] as number[], y: [] as number[], s: [] as number[] };
  for await (const c of src.read({ maxRows: 100 })) {
    out.rows += c.rows;
    out.x.push(...c.x);
    out.y.push(...c.y);
    out.s.push(...denseOf(c.sparse!, src.sparse!.width));
  }
  return out;
}

describe('a .dh cache with a sparse block (layout 3) in a Blob', () => {
  it('reads back a Parquet file\'s hashed rows as the file gives them, in a pass and at random, with the bytes of the Node writer', async () => {
    const file = new File([ordersParquet(700, 300)], 'orders.parquet');
    const table = { features: ['amount', 'region=west', 'region=north'], missing: 'skip' as const, decimalComma: false, hashed: ['shop'], hashBits: 8 };
    const src = await loadFile(file, 'returned', true, table);
    const sparse = { width: src.sparse!.width, encoding: src.sparse!.encoding, values: 'indicator' as const };
    const sink = memorySink();
    const w = new CsrBlockWriter(sink, 'orders.dh', src.features, src.target, sparse, 128);
    for await (const c of src.read({ maxRows: 100 })) await w.write(c);
    expect((await w.finish()).rows).toBe(700);
    const cached = await CsrBlobSource.open(new Blob([sink.bytes() as Uint8Array<ArrayBuffer>]), 'orders.dh', src.targetLabels);
    expect([cached.rows, cached.features, cached.target, cached.targetLabels]).toEqual([700, src.features, 'returned', src.targetLabels]);
    expect(cached.sparse.encoding).toEqual(src.sparse!.encoding);
    const [a, b] = [await rowsOf(cached), await rowsOf(src)];
    expect(a).toEqual(b);
    const some = await cached.readRows(250, 200); // across blocks of 128 rows
    expect([...some.x]).toEqual(b.x.slice(250 * 3, 450 * 3));
    expect([...denseOf(some.sparse!, cached.sparse.width)]).toEqual(b.s.slice(250 * 256, 450 * 256));
    // The Node writer, given the same chunks, writes the same bytes.
    const path = tmp.file('orders.dh');
    const node = await CsrCacheWriter.create(path, src.features, src.target, sparse, 128);
    for await (const c of src.read({ maxRows: 100 })) await node.write(c);
    await node.close();
    expect(new Uint8Array(fs.readFileSync(path))).toEqual(sink.bytes());
  });
});
