// The column-sorted copy of a run of sparse rows (src/core/csr_columns.ts) against a direct grouping: every entry of
// the run's rows once, grouped by column in ascending order, rows ascending within a column, indicators as ±1 — for
// valued and indicator blocks, plain and shuffled runs, and widths needing one, two and three radix passes.
import { describe, expect, it } from 'vitest';
import { NEG, type Csr } from '../../src/core/csr';
import { ColumnSorter, type RowRun } from '../../src/core/csr_columns';
import { feistelHalfBits, permuteIndex } from '../../src/core/permute';
import { Rng } from '../../src/core/rng';

function block(rows: number, width: number, valued: boolean, rng: Rng): Csr {
  const ptr = new Uint32Array(rows + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const k = Math.floor(rng.float24() * 6);
    for (let e = 0; e < k; e++) {
      const j = Math.floor(rng.float24() * width);
      idx.push(valued ? j : (j | (rng.float24() < 0.5 ? NEG : 0)) >>> 0);
      val.push(rng.normal());
    }
    ptr[r + 1] = idx.length;
  }
  return { ptr, idx: Uint32Array.from(idx), val: valued ? Float32Array.from(val) : null };
}

/** What the sort must give, by direct grouping: column → [position, value] in row order. */
function grouped(c: Csr, rows: number, run: RowRun): Map<number, [number, number][]> {
  const half = feistelHalfBits(rows);
  const out = new Map<number, [number, number][]>();
  for (let i = 0; i < run.count; i++) {
    const r = run.shuffle ? permuteIndex(run.start + i, rows, run.key, half) : run.start + i;
    for (let e = c.ptr[r]; e < c.ptr[r + 1]; e++) {
      const ix = c.idx[e];
      const j = c.val ? ix : ix & 0x7fffffff;
      const v = c.val ? c.val[e] : ix & NEG ? -1 : 1;
      if (!out.has(j)) out.set(j, []);
      out.get(j)!.push([i, v]);
    }
  }
  return out;
}

describe('ColumnSorter', () => {
  it.each([[7, 'one pass'], [2 ** 20, 'two passes'], [2 ** 30, 'three passes']])('groups a run by column (width %i: %s)', (width) => {
    const rng = new Rng(width % 1000);
    const rows = 300;
    const sorter = new ColumnSorter(width);
    for (const valued of [false, true]) {
      const c = block(rows, width, valued, rng);
      for (const run of [{ start: 0, count: rows, shuffle: false, key: 0 }, { start: 40, count: 100, shuffle: true, key: 12345 }, { start: 5, count: 0, shuffle: false, key: 0 }]) {
        const s = sorter.sort(c, rows, run);
        const want = grouped(c, rows, run);
        expect(s.segments).toBe(want.size);
        expect([...s.cols]).toEqual([...want.keys()].sort((a, b) => a - b));
        for (let q = 0; q < s.segments; q++) {
          const got: [number, number][] = [];
          for (let e = s.seg[q]; e < s.seg[q + 1]; e++) got.push([s.at[e], s.val[e]]);
          expect(got).toEqual(want.get(s.cols[q])!.map(([i, v]) => [i, Math.fround(v)]));
        }
        expect(s.seg[s.segments]).toBe(s.at.length);
      }
    }
  });
});
