// Tests for the Blob-based ".dh" cache (cache_blob.ts): rows written through a positioned sink read back exactly
// (a pass and random access, a label target's dictionary kept beside), the bytes are those of the Node writer, and a
// file whose header was never written (writing stopped midway) is refused.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlobCacheWriter, CacheBlobSource } from '../../src/data/cache_blob';
import { writeCache } from '../../src/data/cache';
import { memorySource } from '../../src/data/source';
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
