// A sparse .dh cache's rows as chunks (readRows and read: each block read once into one buffer, checked by checkBlock
// and written into the chunk's own arrays by writeRows, src/data/cache_csr_records.ts) against the decoder they
// replace (decodeBlock of each block, then the rows sliced and joined): real cache files of ±1 indicators (signs in the
// index), one-hot indicators without dense columns, float32 and float16 values, in 64-row blocks — the same bits for
// ranges within a block, across its borders and whole files, from a file and from a Blob, two requests at once; the
// reference and WebGPU backends load them and train the same models bit for bit; a damaged block is decodeBlock's error.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HostChunk } from '../../src/core/dataset';
import type { GpuStore } from '../../src/gpu/store';
import { cacheSource } from '../../src/data/cache';
import { decodeBlock } from '../../src/data/cache_csr';
import { CsrBlobSource } from '../../src/data/cache_csr_blob';
import { joined, rowsOf } from '../../src/data/cache_csr_blocks';
import { CsrCacheSource } from '../../src/data/cache_csr_io';
import { decodeCacheHeader } from '../../src/data/cache_format';
import type { DataSource } from '../../src/data/source';
import { penaltyHp } from '../../src/core/penalties';
import { RUNTIME_BYTES, sparseBlockBytes } from '../../src/train/plan';
import { train, uploadDataset } from '../../src/train/train';
import { useBackends } from '../helpers/matrix';
import { expectDamagedCacheErrors, sparseAndDense, writeCsr, type SparseDataOptions } from '../helpers/sparse';
import { tempDir } from './helpers';

const tmp = tempDir('cache-csr-rows');

/** The old reader: every block of the file decoded by decodeBlock, rows [start, start + count) sliced and joined. */
function oracle(path: string, start: number, count: number): HostChunk {
  const bytes = new Uint8Array(fs.readFileSync(path));
  const h = decodeCacheHeader(path, bytes, bytes.length);
  const s = h.sparse!;
  const blocks = Math.ceil(h.rows / s.blockRows);
  const index = Array.from(new BigUint64Array(bytes.slice(s.indexAt, s.indexAt + (blocks + 1) * 8).buffer), Number);
  const d = h.features.length;
  const parts: HostChunk[] = [];
  for (let r = start; r < start + count;) {
    const b = Math.floor(r / s.blockRows);
    const c = decodeBlock(path, bytes.slice(index[b], index[b + 1]), Math.min(s.blockRows, h.rows - b * s.blockRows), d, b * s.blockRows, s);
    const n = Math.min(start + count, (b + 1) * s.blockRows) - r;
    parts.push(rowsOf(c, d, r - b * s.blockRows, n));
    r += n;
  }
  return joined(parts, d);
}

/** A chunk's words: x and y as bits, the offsets, indices and values as bits (views trimmed to the chunk's rows). */
function bits(c: HostChunk, d: number): Record<string, number[]> {
  const s = c.sparse!;
  const e0 = s.ptr[0];
  const e1 = s.ptr[c.rows];
  const u = (a: Float32Array | Uint32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
  return {
    x: u(c.x.subarray(0, c.rows * d)), y: u(c.y.subarray(0, c.rows)), ptr: [...s.ptr.subarray(0, c.rows + 1)].map((p) => p - e0),
    idx: [...s.idx.subarray(e0, e1)], val: s.val ? u(s.val.subarray(e0, e1)) : [], rows: [c.rows, c.firstRow ?? 0],
  };
}

/** The cache as a source whose rows come from the old reader (a "before" to train on). */
function oldReader(src: CsrCacheSource, path: string): DataSource {
  return {
    description: src.description, features: src.features, target: src.target, rows: src.rows, sparse: src.sparse, files: src.files,
    async *read(o) {
      const max = o?.maxRows ?? 100;
      for (let r = 0; r < src.rows; r += max) yield oracle(path, r, Math.min(max, src.rows - r));
    },
    readRows: async (start, count) => oracle(path, start, count),
  };
}

const cases: [string, Partial<SparseDataOptions>, 'indicator' | 'f32' | 'f16'][] = [
  ['signed indicators', { kind: 'signed' }, 'indicator'], ['one-hot indicators, no dense columns', { kind: 'onehot', dense: 0 }, 'indicator'],
  ['float32 values', { kind: 'valued' }, 'f32'], ['float16 values', { kind: 'valued' }, 'f16'],
];
const ranges: [number, number][] = [[0, 301], [0, 64], [63, 2], [30, 100], [64, 64], [100, 150], [300, 1], [128, 173]];

describe.each(cases)('a sparse cache\'s rows as chunks: %s', (name, o, values) => {
  const { sparse: ds } = sparseAndDense({ rows: 301, dense: 3, width: 50, perRow: 5, task: 'binary', chunkRows: 77, kind: 'onehot', seed: 11, ...o });
  const path = tmp.file(`${name.replace(/\W+/g, '_')}.dh`);
  const d = ds.features.length;

  it('readRows, read and a Blob\'s readRows give the old decoder\'s bits, within blocks and across their borders', async () => {
    await writeCsr(path, ds, values);
    const src = (await cacheSource(path)) as CsrCacheSource;
    try {
      for (const [start, count] of ranges) {
        const c = await src.readRows(start, count);
        expect(c.owned, 'a chunk of its own arrays').toBe(true);
        expect(c.sparse!.ptr[0]).toBe(0);
        expect(c.sparse!.idx.length).toBe(c.sparse!.ptr[count]);
        expect(bits(c, d), `rows ${start}+${count}`).toEqual(bits(oracle(path, start, count), d));
      }
      // A pass in chunks of 50 rows (blocks kept across requests) and one in chunks of 128.
      for (const maxRows of [50, 128]) {
        let r = 0;
        for await (const c of src.read({ maxRows })) {
          expect(bits(c, d)).toEqual(bits(oracle(path, r, c.rows), d));
          r += c.rows;
        }
        expect(r).toBe(301);
      }
      // Two requests at once: each its own rows.
      const [a, b] = await Promise.all([src.readRows(10, 120), src.readRows(70, 200)]);
      expect(bits(a, d)).toEqual(bits(oracle(path, 10, 120), d));
      expect(bits(b, d)).toEqual(bits(oracle(path, 70, 200), d));
      const blob = await CsrBlobSource.open(new Blob([fs.readFileSync(path)]), name);
      for (const [start, count] of ranges) expect(bits(await blob.readRows(start, count), d)).toEqual(bits(oracle(path, start, count), d));
    } finally {
      await src.close();
    }
  });

  describe.each(useBackends(['reference', 'webgpu']))('%s', (bc) => {
    it('loads the old decoder\'s rows and trains the same model, bit for bit', async () => {
      const src = (await cacheSource(path)) as CsrCacheSource;
      try {
        const backend = bc.backend();
        const loss = 'logistic' as const;
        const [now, old] = [await uploadDataset(backend, src, { loss, chunkRows: 128 }), await uploadDataset(backend, oldReader(src, path), { loss, chunkRows: 128 })];
        expect(now.stats.x!.cols).toEqual(old.stats.x!.cols);
        expect(now.stats.y.cols).toEqual(old.stats.y.cols);
        if (bc.kind === 'webgpu') {
          const [a, b] = [now.store as GpuStore, old.store as GpuStore];
          expect(a.rowsIn).toEqual(b.rowsIn);
          for (let slot = 0; slot < a.rowsIn.length; slot++) expect(a.sparse[slot]!.csr).toEqual(b.sparse[slot]!.csr);
        }
        now.dispose();
        old.dispose();
        const spec = { loss, epochs: 2, batch: 16, lr: 0.05, seed: 3, standardize: true } as const;
        // A budget that streams: the sparse model's bytes, the program's and room for about 8 KiB of rows.
        const memoryBudget = sparseBlockBytes(backend, { width: 50, outputs: 1, optimizer: 'sgd', penalty: 'none', penaltyHp: penaltyHp('none', {}), clipNorm: 0 }) + RUNTIME_BYTES + (8 << 10);
        for (const run of [{}, { validation: 0.2 }, { chunkRows: 100, memoryBudget }]) {
          const a = await train(backend, src, { ...spec, ...run });
          const b = await train(backend, oldReader(src, path), { ...spec, ...run });
          if ('memoryBudget' in run) expect(a.streamed && b.streamed, 'streamed').toBe(true);
          expect([...a.params.weights], JSON.stringify(run)).toEqual([...b.params.weights]);
          expect([...a.params.bias]).toEqual([...b.params.bias]);
        }
      } finally {
        await src.close();
      }
    });
  });
});

describe('a damaged sparse cache read as chunks', () => {
  it('an index outside the width, a value not finite or offsets that do not fit: decodeBlock\'s DataError, naming the file and the row', async () => {
    await expectDamagedCacheErrors(tmp.file, async (path) => {
      const s = (await cacheSource(path)) as CsrCacheSource;
      const old = (() => {
        try {
          oracle(path, 0, 200);
          return 'read';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      try {
        const now = await s.readRows(0, 200).then(() => 'read', (e: Error) => e.message);
        expect(now, 'decodeBlock\'s error').toBe(old);
        expect(await s.readRows(60, 10).then(() => 'read', (e: Error) => e.message), 'the block is checked whole').toBe(old);
        return now;
      } finally {
        await s.close();
      }
    });
  });
});
