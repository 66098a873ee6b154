// A sparse .dh cache read straight into the fast CPU backend's row records (DataSource.rowEntries and readRecordsInto,
// ChunkStore.recordView; decoded by its kernel, src/cpu/simd/records.ts, or the JavaScript twin,
// src/data/cache_csr_records.ts) against the chunk path it replaces (readRows, then store.load):
// real cache files (and the same bytes as a Blob, the browser's reader) of ±1 indicators (signs in the index), one-hot
// indicators, float32 and float16 values, slots whose rows span block borders, targets mapped to classes — the same
// records word for word, the same statistics bit for bit, under a holdout or a fold too (both shares, the same slots),
// and streamed epochs through the ring's records train the same model;
// and a damaged block is still a DataError naming the file, whichever path reads it.
import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ChunkStore } from '../../src/backend';
import { SimdCpuBackend, type SimdStore } from '../../src/cpu/simd_backend';
import { ColumnSet } from '../../src/core/stats';
import { cacheSource } from '../../src/data/cache';
import { CsrBlobSource } from '../../src/data/cache_csr_blob';
import { CsrCacheSource, CsrCacheWriter } from '../../src/data/cache_csr_io';
import type { DataSource } from '../../src/data/source';
import { foldRule, holdout, type Holdout } from '../../src/core/holdout';
import { penaltyHp } from '../../src/core/penalties';
import { rowBytes, RUNTIME_BYTES, sparseBlockBytes } from '../../src/train/plan';
import { loadResident, ValidationSet, type RowStats } from '../../src/train/load';
import { train, uploadDataset } from '../../src/train/train';
import { expectDamagedCacheErrors, sparseAndDense, writeCsr, type SparseDataOptions } from '../helpers/sparse';
import { tempDir } from '../data/helpers';

const tmp = tempDir('cache-records');
const backend = new SimdCpuBackend({ threads: 1 });
afterAll(() => backend.dispose());

/** The cache as a source without the direct path: its rows come as chunks (readRows), as before it. */
function chunksOnly(s: CsrCacheSource): DataSource {
  return {
    description: s.description, features: s.features, target: s.target, rows: s.rows, sparse: s.sparse, files: s.files,
    read: (o) => s.read(o), readRows: (start, count) => s.readRows(start, count), close: () => s.close(),
  };
}

/** The cache with the direct path decoded by the JavaScript twin: the records offered without the backend's decoder. */
function twinDecoded(s: CsrCacheSource): DataSource {
  return {
    ...chunksOnly(s),
    rowEntries: (start, count) => s.rowEntries(start, count),
    readRecordsInto: (start, count, into) => {
      const { blocks: _kernel, ...plain } = into;
      return s.readRecordsInto(start, count, plain);
    },
  };
}

/** A Blob cache without the direct path. */
function chunksOnlyBlob(s: CsrBlobSource): DataSource {
  return { description: s.description, features: s.features, target: s.target, rows: s.rows, sparse: s.sparse, read: (o) => s.read(o), readRows: (a, n) => s.readRows(a, n) };
}

/** Every word a slot's records hold (x, y, the count, its indices and values), and the slot's sparse description. */
function records(store: ChunkStore, slot: number): { words: number[]; meta: object } {
  const s = store as SimdStore;
  const { u32 } = backend.arena.views;
  const at = s.slots[slot].x >>> 2;
  const c = s.csr.slots[slot]!;
  const stride = c.rs >>> 2;
  const nAt = (c.idx >>> 2) - at;
  const S = c.nnz / c.rows;
  const words: number[] = [];
  for (let r = 0, o = at; r < s.rowsIn[slot]; r++, o += stride) {
    const n = u32[o + nAt];
    words.push(...u32.subarray(o, o + s.d), u32[o + (s.rb >>> 2)], n, ...u32.subarray(o + nAt + 1, o + nAt + 1 + n));
    if (c.val) words.push(...u32.subarray(o + nAt + 1 + S, o + nAt + 1 + S + n));
  }
  return { words, meta: { rs: c.rs, rows: c.rows, nnz: c.nnz, maxRow: c.maxRow, val: c.val, idx: c.idx - s.slots[slot].x, ptr: c.ptr } };
}

/** Loads a source into a store of `slotRows`-row slots; returns it and the statistics gathered. */
async function load(src: DataSource, slotRows: number): Promise<{ store: ChunkStore; stats: RowStats }> {
  const stats: RowStats = { x: new ColumnSet(src.features.length), y: new ColumnSet(1) };
  const store = (await loadResident(backend, src, src.features.length, slotRows, Infinity, null, null, stats))!;
  return { store, stats };
}

const cases: [string, Partial<SparseDataOptions>, 'indicator' | 'f32' | 'f16'][] = [
  ['signed indicators', { kind: 'signed' }, 'indicator'], ['one-hot indicators, no dense columns', { kind: 'onehot', dense: 0 }, 'indicator'],
  ['float32 values', { kind: 'valued' }, 'f32'], ['float16 values', { kind: 'valued' }, 'f16'],
];

describe.each(cases)('a sparse cache read straight into row records: %s', (name, o, values) => {
  const { sparse: ds } = sparseAndDense({ rows: 301, dense: 3, width: 50, perRow: 5, task: 'binary', chunkRows: 77, kind: 'onehot', seed: 7, ...o });
  const path = tmp.file(`${name.replace(/\W+/g, '_')}.dh`);

  it('gives the chunk path\'s records and statistics, slots spanning block borders', async () => {
    await writeCsr(path, ds, values);
    const src = (await cacheSource(path)) as CsrCacheSource;
    expect(src.readRecordsInto).toBeTypeOf('function');
    for (const slotRows of [100, 301]) {
      const direct = await load(src, slotRows);
      const chunked = await load(chunksOnly(src), slotRows);
      const twin = await load(twinDecoded(src), slotRows);
      const s = direct.store as SimdStore;
      expect(s.rowsIn).toEqual(chunked.store.rowsIn);
      expect(s.csr.slots.every((c) => c!.rs > 0), 'every slot holds records').toBe(true);
      expect((twin.store as SimdStore).csr.slots.every((c) => c!.rs > 0), 'every slot holds records').toBe(true);
      for (let slot = 0; slot < s.rowsIn.length; slot++) {
        const [a, b] = [records(direct.store, slot), records(chunked.store, slot)];
        expect(a.meta).toEqual(b.meta);
        expect(a.words.length).toBeGreaterThan(s.rowsIn[slot] * (ds.features.length + 2));
        expect(a.words).toEqual(b.words);
        expect(records(twin.store, slot)).toEqual(b);
      }
      expect(direct.stats.x!.cols).toEqual(chunked.stats.x!.cols);
      expect(direct.stats.y.cols).toEqual(chunked.stats.y.cols);
      expect(twin.stats.x!.cols).toEqual(chunked.stats.x!.cols);
      for (const l of [direct, chunked, twin]) l.store.dispose();
    }
    // Without the dense columns' statistics (training without --standardize): the target's alone, the same.
    const yOnly: RowStats = { x: null, y: new ColumnSet(1) };
    const store = (await loadResident(backend, src, src.features.length, 100, Infinity, null, null, yOnly))!;
    const chunked = await load(chunksOnly(src), 100);
    expect(yOnly.y.cols).toEqual(chunked.stats.y.cols);
    store.dispose();
    chunked.store.dispose();
    // The values themselves, against the written rows: row 70's (block 1) first dense value, target and entries.
    const want = ds.chunks[0];
    const direct = await load(src, 301);
    const { f32, u32 } = backend.arena.views;
    const st = direct.store as SimdStore;
    const c = st.csr.slots[0]!;
    const o = (st.slots[0].x + 70 * c.rs) >>> 2;
    if (ds.features.length) expect(f32[o]).toBe(want.x[70 * ds.features.length]);
    expect(f32[o + (st.rb >>> 2)]).toBe(want.y[70]);
    const e0 = want.sparse!.ptr[70];
    const n = want.sparse!.ptr[71] - e0;
    expect(u32[(c.idx >>> 2) + 70 * (c.rs >>> 2)]).toBe(n);
    expect([...u32.subarray((c.idx >>> 2) + 70 * (c.rs >>> 2) + 1, (c.idx >>> 2) + 70 * (c.rs >>> 2) + 1 + n)]).toEqual([...want.sparse!.idx.subarray(e0, e0 + n)]);
    direct.store.dispose();
    await src.close();
  });

  it('under a holdout or a fold: the training and held-out shares as the chunk path\'s records, slots and statistics', async () => {
    const src = (await cacheSource(path)) as CsrCacheSource;
    const split = async (s: DataSource, hold: Holdout, slotRows: number) => {
      const stats: RowStats = { x: new ColumnSet(s.features.length), y: new ColumnSet(1) };
      const validation = new ValidationSet(backend, s.features.length, 10_000, Infinity);
      const store = (await loadResident(backend, s, s.features.length, slotRows, Infinity, hold, validation, stats))!;
      return { store, stats, validation };
    };
    try {
      for (const hold of [holdout(0.2, 1), holdout(0.5, 2), foldRule(holdout(0.1, 3), 3, 3, 1)]) {
        for (const slotRows of [40, 301]) {
          const [records_, rows_] = [vi.spyOn(src, 'readRecordsInto'), vi.spyOn(src, 'readRows')];
          const a = await split(src, hold, slotRows);
          expect(records_.mock.calls.every((c) => c[3] instanceof Uint8Array), 'a selection each').toBe(true);
          expect(records_.mock.calls.length, 'train and validation slots by records').toBe(a.store.rowsIn.length + a.validation.store.rowsIn.length);
          expect(rows_).not.toHaveBeenCalled();
          vi.restoreAllMocks();
          const b = await split(chunksOnly(src), hold, slotRows);
          const what = `${JSON.stringify(hold)}, slots of ${slotRows}`;
          expect(a.store.rowsIn, what).toEqual(b.store.rowsIn);
          expect(a.validation.store.rowsIn, what).toEqual(b.validation.store.rowsIn);
          expect((a.store as SimdStore).csr.slots.every((c) => c!.rs > 0), 'records').toBe(true);
          for (let slot = 0; slot < a.store.rowsIn.length; slot++) expect(records(a.store, slot), what).toEqual(records(b.store, slot));
          for (let slot = 0; slot < a.validation.store.rowsIn.length; slot++) expect(records(a.validation.store, slot), what).toEqual(records(b.validation.store, slot));
          expect([a.validation.rows, a.validation.y.cols], what).toEqual([b.validation.rows, b.validation.y.cols]);
          expect([a.stats.x!.cols, a.stats.y.cols], what).toEqual([b.stats.x!.cols, b.stats.y.cols]);
          for (const l of [a, b]) (l.store.dispose(), l.validation.store.dispose());
        }
      }
      // End to end: a run with --validation trains the same model and reports the same validation loss.
      const spec = { loss: 'logistic', epochs: 2, batch: 16, lr: 0.05, seed: 3, validation: 0.25, standardize: true } as const;
      const [a, b] = [await train(backend, src, spec), await train(backend, chunksOnly(src), spec)];
      expect([...a.params.weights]).toEqual([...b.params.weights]);
      expect([...a.params.bias]).toEqual([...b.params.bias]);
      expect(a.final).toEqual(b.final);
    } finally {
      await src.close();
    }
  });

  it('streamed (larger than the memory budget), with or without a holdout: each epoch\'s chunks (their shares) straight into the ring\'s records, the chunk path\'s model and metrics', async () => {
    const src = (await cacheSource(path)) as CsrCacheSource;
    // A budget that streams: the sparse model's bytes, the program's and room for about 6 KiB of rows.
    const memoryBudget = sparseBlockBytes(backend, { width: 50, outputs: 1, optimizer: 'sgd', penalty: 'none', penaltyHp: penaltyHp('none', {}), clipNorm: 0 }) + RUNTIME_BYTES + (6 << 10);
    try {
      for (const run of [{ standardize: false }, { standardize: true }, { standardize: false, validation: 0.1 }, { standardize: true, validation: 0.1 }]) {
        // With a holdout: room for about 120 rows, so the held-out ones (~30) fit half of it and the training ones do not fit.
        const budget = 'validation' in run ? memoryBudget - (6 << 10) + 120 * rowBytes(src.features.length, src.sparse.nnzPerRow) : memoryBudget;
        const spec = { loss: 'logistic', epochs: 2, batch: 16, lr: 0.05, seed: 3, memoryBudget: budget, chunkRows: 50, ...run } as const;
        const spy = vi.spyOn(src, 'readRecordsInto');
        const a = await train(backend, src, spec);
        expect(a.streamed, 'streamed').toBe(true);
        expect(spy.mock.calls.length, 'every chunk of both epochs and of the final metrics by records').toBeGreaterThanOrEqual(2 * 7 + 1);
        if ('validation' in run) expect(spy.mock.calls.some((c) => c[3] instanceof Uint8Array), 'shares by selections').toBe(true);
        vi.restoreAllMocks();
        const b = await train(backend, chunksOnly(src), spec);
        expect(b.streamed).toBe(true);
        expect([...a.params.weights], JSON.stringify(run)).toEqual([...b.params.weights]);
        expect([...a.params.bias]).toEqual([...b.params.bias]);
        expect(a.final).toEqual(b.final);
        expect([a.validation, a.validationRows]).toEqual([b.validation, b.validationRows]);
        if ('validation' in run) expect(a.validationRows).toBeGreaterThan(15);
        expect(a.epochs.map((e) => e.loss)).toEqual(b.epochs.map((e) => e.loss));
        expect([a.standardization, a.rows]).toEqual([b.standardization, b.rows]);
      }
    } finally {
      await src.close();
    }
  });

  it('from a Blob (the browser\'s reader): the records of the chunk path', async () => {
    const blob = await CsrBlobSource.open(new Blob([fs.readFileSync(path)]), name);
    expect(blob.readRecordsInto).toBeTypeOf('function');
    const direct = await load(blob, 100);
    const chunked = await load(chunksOnlyBlob(blob), 100);
    for (let slot = 0; slot < 4; slot++) expect(records(direct.store, slot)).toEqual(records(chunked.store, slot));
    expect(direct.stats.x!.cols).toEqual(chunked.stats.x!.cols);
    direct.store.dispose();
    chunked.store.dispose();
  });

  it('with the targets mapped to classes (uploadDataset, logistic): the same records and statistics', async () => {
    const src = (await cacheSource(path)) as CsrCacheSource;
    const a = await uploadDataset(backend, src, { loss: 'logistic', chunkRows: 128 });
    const b = await uploadDataset(backend, chunksOnly(src), { loss: 'logistic', chunkRows: 128 });
    expect(a.classes).toEqual(b.classes);
    expect(a.stats.y.cols).toEqual(b.stats.y.cols);
    expect(a.stats.x!.cols).toEqual(b.stats.x!.cols);
    for (let slot = 0; slot < 3; slot++) expect(records(a.store, slot)).toEqual(records(b.store, slot));
    a.dispose();
    b.dispose();
    await src.close();
  });
});

describe('a sparse cache of large blocks into a fresh backend', () => {
  it('grows the backend\'s memory while its blocks are read (views taken afresh): the chunk path\'s records', async () => {
    const { sparse: ds } = sparseAndDense({ rows: 20_000, dense: 3, width: 500, perRow: 6, task: 'regression', kind: 'valued', seed: 5 });
    const path = tmp.file('large.dh');
    const w = await CsrCacheWriter.create(path, ds.features, ds.target, { width: 500, encoding: ds.sparse!.encoding, values: 'f32' }, 8192);
    for (const c of ds.chunks) await w.write(c);
    await w.close();
    const fresh = new SimdCpuBackend({ threads: 1 });
    const src = (await cacheSource(path)) as CsrCacheSource;
    try {
      const before = fresh.arena.views.f32.buffer.byteLength;
      const stats: RowStats = { x: new ColumnSet(3), y: new ColumnSet(1) };
      const store = (await loadResident(fresh, src, 3, 20_000, Infinity, null, null, stats))! as SimdStore;
      expect(fresh.arena.views.f32.buffer.byteLength).toBeGreaterThan(before);
      const chunked = await load(chunksOnly(src), 20_000);
      const { u32 } = fresh.arena.views;
      const c = store.csr.slots[0]!;
      const words = (u: Uint32Array, at: number) => [...u.subarray(at >>> 2, (at >>> 2) + (20_000 * c.rs) / 4)];
      expect(words(u32, store.slots[0].x)).toEqual(words(backend.arena.views.u32, (chunked.store as SimdStore).slots[0].x));
      expect(stats.x!.cols).toEqual(chunked.stats.x!.cols);
      chunked.store.dispose();
      store.dispose();
    } finally {
      fresh.dispose();
      await src.close();
    }
  });
});

describe('a sparse cache whose rows hold very different counts of entries', () => {
  it('is loaded as the chunk path loads it (CSR, not records): the store declines the records, nothing is read twice', async () => {
    const { sparse: ds } = sparseAndDense({ rows: 200, dense: 2, width: 60, perRow: 3, task: 'regression', kind: 'signed', ragged: true, seed: 9 });
    const path = tmp.file('ragged.dh');
    await writeCsr(path, ds, 'indicator');
    const src = (await cacheSource(path)) as CsrCacheSource;
    const entries = await src.rowEntries(0, 200);
    expect(entries).toEqual({ most: 24, nnz: 20 * 24 + 180 * 3, valued: false });
    const direct = await load(src, 100);
    const chunked = await load(chunksOnly(src), 100);
    const s = direct.store as SimdStore;
    expect(s.csr.slots.map((c) => c!.rs)).toEqual([0, 0]);
    const { u32 } = backend.arena.views;
    for (let slot = 0; slot < 2; slot++) {
      const [a, b] = [s.csr.slots[slot]!, (chunked.store as SimdStore).csr.slots[slot]!];
      expect(a.maxRow).toBe(b.maxRow);
      expect([...u32.subarray(a.ptr >>> 2, (a.ptr >>> 2) + 101)]).toEqual([...u32.subarray(b.ptr >>> 2, (b.ptr >>> 2) + 101)]);
      const nnz = u32[(a.ptr >>> 2) + 100];
      expect([...u32.subarray(a.idx >>> 2, (a.idx >>> 2) + nnz)]).toEqual([...u32.subarray(b.idx >>> 2, (b.idx >>> 2) + nnz)]);
    }
    expect(direct.stats.x!.cols).toEqual(chunked.stats.x!.cols);
    direct.store.dispose();
    chunked.store.dispose();
    await src.close();
  });
});

describe('a damaged sparse cache read straight into records', () => {
  it('an index outside the width, a value not finite or offsets that do not fit: a DataError naming the file and the row', async () => {
    const fail = (src: DataSource) => loadResident(backend, src, 2, 200, Infinity, null, null, { x: new ColumnSet(2), y: new ColumnSet(1) })
      .then((store) => (store?.dispose(), 'loaded'), (e: Error) => e.message);
    await expectDamagedCacheErrors(tmp.file, async (path) => {
      const s = (await cacheSource(path)) as CsrCacheSource;
      try {
        const direct = await fail(s);
        expect(direct, 'the chunk path\'s error').toBe(await fail(chunksOnly(s)));
        return direct;
      } finally {
        await s.close();
      }
    });
  });
});
