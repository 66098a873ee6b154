// The column-sorted copy of a run of sparse rows, the layout of a backward pass without float atomics: the entries of
// the run's rows grouped by column (segments in the order columns are first met, rows ascending within a segment),
// each with its row's position in the run and its value (±1 for indicators). A counting sort through per-column
// counters over the block's width, cleared in O(columns touched): O(entries + columns touched), never O(width).
import { INDEX_MASK, NEG, type Csr } from './csr';
import { feistelHalfBits, permuteIndex } from './permute';

/** A run's entries by column: segment s is column cols[s], entries [seg[s], seg[s + 1]) of at (row position) and val. */
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

/** Sorts runs of rows by column, reusing its counters (one sorter per block width). */
export class ColumnSorter {
  private readonly slot: Int32Array;
  private cols = new Uint32Array(1024);
  private counts = new Uint32Array(1024);

  constructor(readonly width: number) {
    this.slot = new Int32Array(width).fill(-1);
  }

  /** The run's row of position i. */
  private static row(run: RowRun, rows: number, half: number, i: number): number {
    return run.shuffle ? permuteIndex(run.start + i, rows, run.key, half) : run.start + i;
  }

  /** The column-sorted copy of a run of `rows`-row block `c`. */
  sort(c: Csr, rows: number, run: RowRun): ColumnSorted {
    const half = feistelHalfBits(rows);
    const { ptr, idx, val } = c;
    let segments = 0;
    let nnz = 0;
    for (let i = 0; i < run.count; i++) {
      const r = ColumnSorter.row(run, rows, half, i);
      for (let e = ptr[r]; e < ptr[r + 1]; e++) {
        const j = val ? idx[e] : idx[e] & INDEX_MASK;
        let s = this.slot[j];
        if (s < 0) {
          if (segments === this.cols.length) this.grow();
          s = this.slot[j] = segments++;
          this.cols[s] = j;
          this.counts[s] = 0;
        }
        this.counts[s]++;
        nnz++;
      }
    }
    const seg = new Uint32Array(segments + 1);
    for (let s = 0; s < segments; s++) seg[s + 1] = seg[s] + this.counts[s];
    const fill = seg.slice(0, segments);
    const at = new Uint32Array(nnz);
    const out = new Float32Array(nnz);
    for (let i = 0; i < run.count; i++) {
      const r = ColumnSorter.row(run, rows, half, i);
      for (let e = ptr[r]; e < ptr[r + 1]; e++) {
        const ix = idx[e];
        const s = this.slot[val ? ix : ix & INDEX_MASK];
        const q = fill[s]++;
        at[q] = i;
        out[q] = val ? val[e] : ix & NEG ? -1 : 1;
      }
    }
    const cols = this.cols.slice(0, segments);
    for (let s = 0; s < segments; s++) this.slot[cols[s]] = -1;
    return { segments, cols, seg, at, val: out };
  }

  private grow(): void {
    const cols = new Uint32Array(2 * this.cols.length);
    cols.set(this.cols);
    const counts = new Uint32Array(2 * this.counts.length);
    counts.set(this.counts);
    this.cols = cols;
    this.counts = counts;
  }
}
