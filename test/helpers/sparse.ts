// Seeded data with a sparse block and the same data expanded densely (the sparse columns written as dense ones):
// one-hot levels (Zipf-like), signed hash buckets (±1 indicators) or valued entries (svmlight-like), beside dense
// numeric columns, with a target for regression, two classes or K classes. For the sparse-equals-dense tests.
import { CsrBuilder, denseOf, NEG, sliceCsr } from '../../src/core/csr';
import type { Dataset } from '../../src/core/dataset';
import type { Encoding } from '../../src/core/encoding';
import { Rng } from '../../src/core/rng';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { CsrCacheWriter } from '../../src/data/cache_csr_io';

/** How the sparse block is made. */
export interface SparseDataOptions {
  rows: number;
  dense: number;
  width: number;
  /** Entries per row. */
  perRow: number;
  /** onehot: +1 indicators; signed: ±1 indicators (hashing); valued: values uniform(−1, 1). */
  kind: 'onehot' | 'signed' | 'valued';
  task: 'regression' | 'binary' | 'multiclass';
  classes?: number;
  seed?: number;
  /** Rows per chunk (default: all in one). */
  chunkRows?: number;
  /** Every tenth row holds 8 × perRow entries (at most width): rows the fast CPU backend keeps as CSR, not records. */
  ragged?: boolean;
}

/** The two views of one dataset: with a sparse block, and expanded to dense columns. */
export function sparseAndDense(o: SparseDataOptions): { sparse: Dataset; dense: Dataset } {
  const rng = new Rng(o.seed ?? 1);
  const rnd = () => rng.float();
  const { rows, dense: dd, width } = o;
  const x = new Float32Array(rows * dd).map(() => rnd() * 2 - 1);
  const csr = new CsrBuilder(o.kind === 'valued', rows, rows * o.perRow);
  const truth = Float64Array.from({ length: dd + width }, () => rnd() * 2 - 1);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = 0;
    for (let j = 0; j < dd; j++) z += x[r * dd + j] * truth[j];
    const seen = new Set<number>();
    const entries: [number, number][] = [];
    const n = o.ragged && r % 10 === 0 ? Math.min(width, 8 * o.perRow) : o.perRow;
    for (let e = 0; e < n; e++) {
      // Zipf-like: low indices far more often; signed (hashed) rows may repeat a bucket, as collisions do.
      let j = Math.min(width - 1, Math.floor(width * rnd() ** 3));
      if (o.kind !== 'signed') while (seen.has(j)) j = (j + 1) % width;
      seen.add(j);
      entries.push([j, o.kind === 'valued' ? rnd() * 2 - 1 : o.kind === 'signed' && rnd() < 0.5 ? -1 : 1]);
    }
    if (o.kind === 'valued') entries.sort((a, b) => a[0] - b[0]);
    for (const [j, v] of entries) {
      if (o.kind === 'valued') csr.push(j, v);
      else csr.push(v < 0 ? (j | NEG) >>> 0 : j);
      z += v * truth[dd + j];
    }
    csr.endRow();
    const k = o.classes ?? 3;
    y[r] = o.task === 'regression' ? z + 0.1 * (rnd() - 0.5) : o.task === 'binary' ? (rnd() < 1 / (1 + Math.exp(-3 * z)) ? 1 : 0) : Math.abs(Math.floor(z * 2)) % k;
  }
  const block = csr.take();
  const expanded = denseOf(block, width);
  const xd = new Float32Array(rows * (dd + width));
  for (let r = 0; r < rows; r++) {
    xd.set(x.subarray(r * dd, (r + 1) * dd), r * (dd + width));
    xd.set(expanded.subarray(r * width, (r + 1) * width), r * (dd + width) + dd);
  }
  const per = o.chunkRows ?? rows;
  const starts = Array.from({ length: Math.ceil(rows / per) }, (_, i) => i * per);
  const features = Array.from({ length: dd }, (_, j) => `x${j + 1}`);
  const encoding: Encoding = { format: 'svmlight', categorical: [], crosses: [], hash: null, base: 0, width };
  return {
    sparse: {
      features, target: 'y', rows, sparse: { width, encoding, nnzPerRow: o.perRow },
      chunks: starts.map((s) => {
        const n = Math.min(per, rows - s);
        return { rows: n, x: x.slice(s * dd, (s + n) * dd), y: y.slice(s, s + n), firstRow: s, sparse: sliceCsr(block, s, n) };
      }),
    },
    dense: {
      features: [...features, ...Array.from({ length: width }, (_, j) => `s${j}`)], target: 'y', rows,
      chunks: starts.map((s) => {
        const n = Math.min(per, rows - s);
        return { rows: n, x: xd.slice(s * (dd + width), (s + n) * (dd + width)), y: y.slice(s, s + n), firstRow: s };
      }),
    },
  };
}

/** Writes a dataset as a layout-3 sparse cache of 64-row blocks. */
export async function writeCsr(path: string, ds: Dataset, values: 'indicator' | 'f32' | 'f16'): Promise<void> {
  const w = await CsrCacheWriter.create(path, ds.features, ds.target, { width: ds.sparse!.width, encoding: ds.sparse!.encoding, values }, 64);
  for (const c of ds.chunks) await w.write(c);
  await w.close();
}

/**
 * A 200-row valued sparse cache (2 dense columns, width 40, 4 entries a row) damaged five ways in its block 1 (rows
 * 65…128), each written to a file of its own in `dir`: an index outside the width, a NaN value, an infinite dense
 * value, offsets past the block, decreasing offsets. `read` reads a damaged file and returns what happened (its
 * error's message); each must name the file, the row and what is wrong.
 */
export async function expectDamagedCacheErrors(at: (name: string) => string, read: (path: string) => Promise<string>): Promise<void> {
  const { sparse: ds } = sparseAndDense({ rows: 200, dense: 2, width: 40, perRow: 4, task: 'regression', kind: 'valued', seed: 3 });
  const path = at('good.dh');
  await writeCsr(path, ds, 'f32');
  const good = readFileSync(path);
  // Block 1 (rows 65…128): its dense part (64 rows × 3 f32), then 65 offsets, then 256 indices, then the values.
  const index = new BigUint64Array(good.buffer.slice(good.byteOffset + good.length - 8 * 5, good.byteOffset + good.length));
  const b1 = Number(index[1]);
  const idxAt = b1 + 64 * 3 * 4 + 65 * 4;
  const damage = async (file: string, byte: number, word: number) => {
    const bad = Buffer.from(good);
    bad.writeUInt32LE(word, byte);
    writeFileSync(at(file), bad);
    return read(at(file));
  };
  // Entry 9 of block 1 is row 67's (4 entries a row): index 40 is outside width 40.
  expect(await damage('index.dh', idxAt + 9 * 4, 40)).toMatch(/index\.dh: row 67: a sparse entry \(index 40\) outside the block's width 40 or not finite/);
  expect(await damage('value.dh', idxAt + 256 * 4 + 9 * 4, 0x7fc00000)).toMatch(/value\.dh: row 67: a sparse entry .* or not finite.*corrupt/);
  expect(await damage('dense.dh', b1 + 5 * 12 + 4, 0x7f800000)).toMatch(/dense\.dh: row 70: a value that is not finite/);
  expect(await damage('offsets.dh', b1 + 64 * 3 * 4 + 64 * 4, 9999)).toMatch(/offsets\.dh: row 65: a block whose row offsets do not fit its size/);
  expect(await damage('decrease.dh', b1 + 64 * 3 * 4 + 3 * 4, 1)).toMatch(/decrease\.dh: row 6[67]: row offsets decrease/);
}
