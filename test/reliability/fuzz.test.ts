// Property-based fuzzing (fast-check) of the readers: random valid CSV, NPY, .dh and model files read back to the
// values written; random corruptions give a DataError (or the model file's named error) or the same values — never
// another exception, never a hang. Bounded: a few hundred cases per property, seconds in all.
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModelFile, toModelFile } from '../../src/core/model_file';
import { parseTrainSpec } from '../../src/core/spec';
import { cacheSource, writeCache } from '../../src/data/cache';
import { DataError, parseCsv } from '../../src/data/csv';
import { csvSourceFromStream } from '../../src/data/csv_stream';
import { f32ToString } from '../../src/data/csv_write';
import { npySource } from '../../src/data/npy';
import { encodeNpyHeader } from '../../src/data/npy_format';
import { memorySource } from '../../src/data/source';
import { gather, tempDir } from '../data/helpers';

const tmp = tempDir('fuzz');
const RUNS = { numRuns: 150, seed: 1313, endOnFailure: true, interruptAfterTimeLimit: 20_000 };
let n = 0;
const fresh = (ext: string) => tmp.file(`f${n++}${ext}`);

/** float32 values as the readers return them (no NaN, no infinities, -0 kept). */
const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });
const matrix = fc.record({ rows: fc.integer({ min: 1, max: 40 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ rows, d }) => fc.record({ rows: fc.constant(rows), d: fc.constant(d), x: fc.array(f32, { minLength: rows * d, maxLength: rows * d }), y: fc.array(f32, { minLength: rows, maxLength: rows }) }));

/** Runs `read`; returns the values, or null for a DataError; any other exception fails the property. */
async function outcome<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DataError) return null;
    throw new Error(`not a DataError: ${(e as Error)?.stack ?? e}`);
  }
}

/** Byte edits: flip, set, truncate, insert. */
const edits = fc.array(fc.record({ kind: fc.constantFrom('set', 'cut', 'insert'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 });
function corrupt(bytes: Uint8Array, list: { kind: string; at: number; byte: number }[], within = bytes.length): Uint8Array {
  let b = bytes;
  for (const e of list) {
    const at = e.at % Math.max(1, Math.min(within, b.length));
    if (e.kind === 'set') (b = b.slice())[at] = e.byte;
    else if (e.kind === 'cut') b = b.slice(0, at);
    else b = Uint8Array.from([...b.subarray(0, at), e.byte, ...b.subarray(at)]);
  }
  return b;
}

describe('CSV', () => {
  it('random valid numeric CSVs read back to their float32 values', async () => {
    await fc.assert(fc.asyncProperty(matrix, async ({ rows, d, x, y }) => {
      const names = [...Array.from({ length: d }, (_, j) => `x${j}`), 'y'];
      const text = [names.join(','), ...Array.from({ length: rows }, (_, r) => [...x.slice(r * d, (r + 1) * d), y[r]].map(f32ToString).join(','))].join('\n');
      const src = await csvSourceFromStream('f.csv', () => [new TextEncoder().encode(text)] as unknown as AsyncIterable<Uint8Array>, { target: 'y' });
      const g = await gather(src);
      expect(g.x).toEqual(x.map((v) => Math.fround(v)));
      expect(g.y).toEqual(y.map((v) => Math.fround(v)));
    }), RUNS);
  });

  it('random corruptions give the reference outcome or a DataError, never another exception', async () => {
    await fc.assert(fc.asyncProperty(matrix, edits, async ({ rows, d, x, y }, list) => {
      const text = [[...Array.from({ length: d }, (_, j) => `x${j}`), 'y'].join(','),
        ...Array.from({ length: rows }, (_, r) => [...x.slice(r * d, (r + 1) * d), y[r]].join(','))].join('\n');
      const bytes = corrupt(new TextEncoder().encode(text), list);
      const streamed = await outcome(async () => gather(await csvSourceFromStream('f.csv', async function* () { yield bytes; }, { target: 'y' })));
      const ref = await outcome(async () => parseCsv(new TextDecoder().decode(bytes), { file: 'f.csv', target: 'y' }));
      if (streamed && ref) expect(streamed.x).toEqual([...ref.chunks[0].x]);
    }), RUNS);
  });
});

function npyBytes(dtype: '<f4' | '<f8', shape: number[], values: number[]): Uint8Array {
  const head = encodeNpyHeader(dtype, shape);
  const data = dtype === '<f4' ? new Uint8Array(Float32Array.from(values).buffer) : new Uint8Array(Float64Array.from(values).buffer);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

describe('NPY', () => {
  it('random valid X and y files (float32 or float64) read back to their values', async () => {
    await fc.assert(fc.asyncProperty(matrix, fc.constantFrom<'<f4' | '<f8'>('<f4', '<f8'), async ({ rows, d, x, y }, dtype) => {
      const xf = fresh('.npy');
      const yf = fresh('.npy');
      fs.writeFileSync(xf, npyBytes(dtype, [rows, d], x));
      fs.writeFileSync(yf, npyBytes(dtype, [rows], y));
      const g = await gather(await npySource({ x: xf, y: yf }));
      expect(g.x).toEqual(x.map((v) => Math.fround(v)));
      expect(g.y).toEqual(y.map((v) => Math.fround(v)));
    }), RUNS);
  });

  it('corrupt headers and data give a DataError or finite values of the declared shape', async () => {
    await fc.assert(fc.asyncProperty(matrix, edits, fc.boolean(), async ({ rows, d, x }, list, headerOnly) => {
      const bytes = npyBytes('<f8', [rows, d + 1], [...x, ...Array.from({ length: rows }, (_, i) => i)].slice(0, rows * (d + 1)));
      const file = fresh('.npy');
      fs.writeFileSync(file, corrupt(bytes, list, headerOnly ? 128 : bytes.length));
      const g = await outcome(async () => gather(await npySource({ x: file, targetColumn: -1 })));
      if (g) expect([...g.x, ...g.y].every(Number.isFinite)).toBe(true);
    }), RUNS);
  });

  it('NaN, Infinity and float64 beyond float32 are errors naming the row and column', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -3.5e38), async (rows, pick, bad) => {
      const values = Array.from({ length: rows * 3 }, (_, i) => i / 7);
      const at = pick % values.length;
      values[at] = bad;
      const file = fresh('.npy');
      fs.writeFileSync(file, npyBytes('<f8', [rows, 3], values));
      const e = await npySource({ x: file, targetColumn: 2 }).then(gather).then(() => null, (err: Error) => err);
      expect(e).toBeInstanceOf(DataError);
      const col = at % 3;
      expect(e!.message).toContain(`: row ${Math.floor(at / 3) + 1} (column ${col + 1} "${col === 2 ? 'y' : `x${col + 1}`}")`);
    }), RUNS);
  });
});

describe('.dh cache', () => {
  it('random datasets round-trip, and corrupt files give a DataError or finite values of the declared shape', async () => {
    await fc.assert(fc.asyncProperty(matrix, edits, fc.boolean(), async ({ rows, d, x, y }, list, headerOnly) => {
      const features = Array.from({ length: d }, (_, j) => `f${j}`);
      const file = fresh('.dh');
      await writeCache(file, memorySource({ features, target: 't', rows, chunks: [{ rows, x: Float32Array.from(x), y: Float32Array.from(y) }] }));
      const g = await gather(await cacheSource(file));
      expect(g.x).toEqual(x.map((v) => Math.fround(v)));
      const bytes = new Uint8Array(fs.readFileSync(file));
      const bad = fresh('.dh');
      const headerBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
      fs.writeFileSync(bad, corrupt(bytes, list, headerOnly ? headerBytes : bytes.length));
      const c = await outcome(async () => gather(await cacheSource(bad)));
      if (c) expect([...c.x, ...c.y].every(Number.isFinite)).toBe(true);
      // The header has a checksum: a corrupt header is an error, or (the checksum field zeroed) the same values.
      if (c && headerOnly) expect(c.x).toEqual(g.x);
    }), { ...RUNS, numRuns: 60 });
  });
});

describe('model files', () => {
  const model = fc.record({ d: fc.integer({ min: 1, max: 5 }), w: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 5, maxLength: 5 }), b: fc.double({ noNaN: true, noDefaultInfinity: true }) });

  it('random models round-trip', () => {
    fc.assert(fc.property(model, ({ d, w, b }) => {
      const features = Array.from({ length: d }, (_, j) => `c${j}`);
      const file = toModelFile({ weights: Float64Array.from(w.slice(0, d)), bias: Float64Array.of(b) }, { spec: parseTrainSpec({}), features, target: 'y', classes: null });
      const m = parseModelFile(JSON.stringify(file), 'm.json');
      // JSON has no −0: compare as numbers.
      expect([...m.params.weights].map((v) => v + 0)).toEqual(w.slice(0, d).map((v) => v + 0));
      expect(m.params.bias[0] + 0).toBe(b + 0);
    }), RUNS);
  });

  it('random corruptions of the JSON give an error naming the file, never an internal one', () => {
    const valid = JSON.stringify(toModelFile({ weights: Float64Array.of(1, 2), bias: Float64Array.of(3) }, { spec: parseTrainSpec({ loss: 'logistic' }), features: ['a', 'b'], target: 'y', classes: ['no', 'yes'] }));
    const json = fc.jsonValue();
    const mutation = fc.oneof(
      edits.map((list) => new TextDecoder().decode(corrupt(new TextEncoder().encode(valid), list))),
      fc.tuple(fc.constantFrom('format', 'version', 'features', 'target', 'loss', 'classes', 'weights', 'bias', 'lossParams', 'fitBias'), json)
        .map(([k, v]) => JSON.stringify({ ...JSON.parse(valid), [k]: v })),
      json.map((v) => JSON.stringify(v)),
    );
    fc.assert(fc.property(mutation, (text) => {
      try {
        parseModelFile(text, 'm.json');
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect(e).not.toBeInstanceOf(TypeError);
        expect((e as Error).message.startsWith('m.json: ')).toBe(true);
      }
    }), { ...RUNS, numRuns: 400 });
  });
});
