// The column-sorted copy of a run of sparse rows, the layout of a backward pass without float atomics: the entries of
// the run's rows grouped by column (segments in ascending column order, rows ascending within a segment), each with
// its row's position in the run and its value (±1 for indicators). A stable radix sort by column over the run's
// entries: O(entries × passes), never O(width).
import { INDEX_MASK, NEG, type Csr } from './csr';
import { feistelHalfBits, permuteIndex } from './permute';

/**
 * A run's entries by column: segment s is column cols[s], entries [seg[s], seg[s + 1]) of at (row position) and val.
 * `at` and `val` are views of the sorter's buffers, valid until its next sort (a step uploads them at once).
 */
export interface ColumnSorted {
  segments: number;
  cols: Uint32Array;
  seg: Uint32Array;
  at: Uint32Array;
  val: Float32Array;
}

/** A run of a chunk's rows: positions [start, start + count), through the keyed permutation when shuffling. */
export interface RowRun {
  start: number;
  count: number;
  shuffle: boolean;
  key: number;
}

/** Bits of a column index sorted per radix pass (a 2048-entry histogram stays in the first-level cache). */
const DIGIT = 11;

/**
 * Sorts runs of rows by column, reusing its buffers (one sorter per block width): the run's entries gathered in row
 * order, then a stable least-significant-digit radix sort by column, DIGIT bits a pass (two passes for 2^20 buckets),
 * so every pass reads and writes in order. A counting sort through a table of the block's width (one random access of
 * a 4 MiB table per entry, twice, at 2^20 buckets) took ~100 ns an entry in a profile of 4096-row steps of hashed
 * click rows; this takes ~50 ns with the gather (bench/RESULTS.md, 2026-12-08 01:16–01:19).
 */
export class ColumnSorter {
  private readonly passes: number;
  private keys = new Uint32Array(0);
  private rowsAt = new Uint32Array(0);
  private vals = new Float32Array(0);
  private keys2 = new Uint32Array(0);
  private rowsAt2 = new Uint32Array(0);
  private vals2 = new Float32Array(0);
  private readonly counts = new Uint32Array(1 << DIGIT);

  constructor(readonly width: number) {
    this.passes = Math.max(1, Math.ceil(Math.log2(Math.max(2, width)) / DIGIT));
  }

  /** The run's row of position i. */
  private static row(run: RowRun, rows: number, half: number, i: number): number {
    return run.shuffle ? permuteIndex(run.start + i, rows, run.key, half) : run.start + i;
  }

  private reserve(n: number): void {
    if (this.keys.length >= n) return;
    const size = Math.max(n, 2 * this.keys.length, 1024);
    this.keys = new Uint32Array(size);
    this.rowsAt = new Uint32Array(size);
    this.vals = new Float32Array(size);
    this.keys2 = new Uint32Array(size);
    this.rowsAt2 = new Uint32Array(size);
    this.vals2 = new Float32Array(size);
  }

  /** The column-sorted copy of a run of `rows`-row block `c`. */
  sort(c: Csr, rows: number, run: RowRun): ColumnSorted {
    const half = feistelHalfBits(rows);
    const { ptr, idx, val } = c;
    let nnz = 0;
    for (let i = 0; i < run.count; i++) {
      const r = ColumnSorter.row(run, rows, half, i);
      nnz += ptr[r + 1] - ptr[r];
    }
    this.reserve(nnz);
    let { keys, rowsAt, vals, keys2, rowsAt2, vals2 } = this;
    let n = 0;
    for (let i = 0; i < run.count; i++) {
      const r = ColumnSorter.row(run, rows, half, i);
      for (let e = ptr[r]; e < ptr[r + 1]; e++, n++) {
        const ix = idx[e];
        keys[n] = val ? ix : ix & INDEX_MASK;
        rowsAt[n] = i;
        vals[n] = val ? val[e] : ix & NEG ? -1 : 1;
      }
    }
    const counts = this.counts;
    const mask = (1 << DIGIT) - 1;
    for (let p = 0, shift = 0; p < this.passes; p++, shift += DIGIT) {
      counts.fill(0);
      for (let q = 0; q < n; q++) counts[(keys[q] >>> shift) & mask]++;
      for (let b = 0, sum = 0; b <= mask; b++) {
        const k = counts[b];
        counts[b] = sum;
        sum += k;
      }
      for (let q = 0; q < n; q++) {
        const to = counts[(keys[q] >>> shift) & mask]++;
        keys2[to] = keys[q];
        rowsAt2[to] = rowsAt[q];
        vals2[to] = vals[q];
      }
      [keys, keys2] = [keys2, keys];
      [rowsAt, rowsAt2] = [rowsAt2, rowsAt];
      [vals, vals2] = [vals2, vals];
    }
    let segments = 0;
    for (let q = 0; q < n; q++) if (q === 0 || keys[q] !== keys[q - 1]) segments++;
    const cols = new Uint32Array(segments);
    const seg = new Uint32Array(segments + 1);
    for (let q = 0, s = -1; q < n; q++) {
      if (q === 0 || keys[q] !== keys[q - 1]) {
        cols[++s] = keys[q];
        seg[s] = q;
      }
    }
    seg[segments] = n;
    return { segments, cols, seg, at: rowsAt.subarray(0, n), val: vals.subarray(0, n) };
  }
}
