// What a pass over sparse rows adds up: the dense block's sums (as GradSums), and the sparse block's per column —
// kept in a scatter accumulator over the whole width whose touched columns are listed, so clearing it after a step
// costs O(columns touched), never O(width).
import type { EvalSums } from './metrics';
import { emptyGradSums, type GradSums } from './grad_sums';

/** Per-column sums of K outputs over a sparse block, with the list of columns touched since the last clear. */
export class SparseAccumulator {
  /** Sums of output c at column j: acc[c·width + j]. */
  readonly acc: Float64Array;
  private readonly mark: Uint32Array;
  private stamp = 1;
  /** Distinct columns touched, in order of first touch: cols[0, count). */
  cols: Uint32Array;
  count = 0;

  constructor(readonly width: number, readonly k: number) {
    this.acc = new Float64Array(width * k);
    this.mark = new Uint32Array(width);
    this.cols = new Uint32Array(1024);
  }

  /** Notes column j as touched (once per clear). */
  touch(j: number): void {
    if (this.mark[j] === this.stamp) return;
    this.mark[j] = this.stamp;
    if (this.count === this.cols.length) {
      const cols = new Uint32Array(2 * this.cols.length);
      cols.set(this.cols);
      this.cols = cols;
    }
    this.cols[this.count++] = j;
  }

  /** acc[c·width + j] += v. */
  add(j: number, c: number, v: number): void {
    this.touch(j);
    this.acc[c * this.width + j] += v;
  }

  /** Zeroes the touched columns and empties the list. */
  clear(): void {
    for (let i = 0; i < this.count; i++) for (let c = 0; c < this.k; c++) this.acc[c * this.width + this.cols[i]] = 0;
    this.count = 0;
    if (++this.stamp === 0xffffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
  }
}

/** A pass's sums: the dense block's K × D_dense gradient sums, biases, loss and metrics (GradSums) plus the sparse block's. */
export interface SparseSums extends GradSums {
  sparse: SparseAccumulator;
}

/** Zeroed dense sums beside a (cleared) accumulator. */
export function emptySparseSums(dense: number, k: number, classes: number, sparse: SparseAccumulator): SparseSums {
  return { ...emptyGradSums(dense, k, classes), sparse };
}

/** Just the evaluation sums. */
export const evalSums = (s: EvalSums): EvalSums => ({ rows: s.rows, loss: s.loss, m: s.m, confusion: s.confusion });
