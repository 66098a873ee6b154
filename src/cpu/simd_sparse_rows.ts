// The fast CPU backend's row pass over rows with a sparse block (a job of kind SPARSE_JOB, simd_rows.ts): per block of
// rows, the row indices (permuted or in order), the gather of the dense rows, the dense outputs and the sparse block's
// gathers (simd/sparse.ts), the loss (training: the unit's f32 part; evaluation: the registry's f64 unit), the dense
// gradient sums into the chunk's f64 stripe, and — training — each row's dL/dz and row index at its place in the job,
// from which the owning thread adds the sparse block's sums (simd_sparse.ts). Its oracle is sparse_grad.ts.
import type { Kernels, Views } from './simd_arena';
import {
  blockRing, JOB, JOB_PIECES, multiRows, partRows, PIECE_WORDS, runJobChunks, scalarRows, STRIPE_LOSS, STRIPE_ROWS, type Pass,
} from './simd_rows';

/**
 * i32 word offsets of a sparse job's own fields (after JOB's): the block's column records and their size, where
 * training leaves dL/dz and row indices, the sparse pieces' record, the decay table (decay ≠ 0: the weights are read
 * as brought up to step stamp − 1), the training step's stamp, and — list ≠ 0, when one thread takes every chunk in
 * order — the scatter's list and length, the pass then scattering each block as it goes (simd_sparse_update.ts).
 */
export const SPARSE = { blk: 20, stride: 21, gOut: 22, rowOut: 23, pieces: 24, decay: 25, p: 26, q: 27, base: 28, stamp: 29, list: 30, n: 31 } as const;
/**
 * i32 words per piece in the sparse pieces' record: the slot's ptr, idx, val (0: indicators) and rs (0: CSR; else its
 * rows are records of rs bytes, x and y among them: their strides; simd_sparse_store.ts).
 */
export const SPARSE_PIECE_WORDS = 4;

/** Runs the sparse job's chunks from chunk c (already claimed) until none is left. */
export function runSparseChunks(kn: Kernels, views: () => Views, id: number, c: number): void {
  runJobChunks(kn, views, id, c, sparseChunkRows);
}

/** Rows [lo, hi) of the job's pieces laid end to end, in blocks. */
function sparseChunkRows(pass: Pass, i32: Int32Array, J: number, scratch: number, lo: number, hi: number): void {
  const { kn, f32, k } = pass;
  const u32 = new Uint32Array(i32.buffer);
  const rb = i32[J + JOB.rb] >>> 0;
  const [w, b, norm] = [i32[J + JOB.w] >>> 0, i32[J + JOB.b] >>> 0, i32[J + JOB.norm] >>> 0];
  const [blk, stride, gOut, rowOut] = [i32[J + SPARSE.blk] >>> 0, i32[J + SPARSE.stride], i32[J + SPARSE.gOut] >>> 0, i32[J + SPARSE.rowOut] >>> 0];
  const [decay, tp, tq, base, stamp] = [i32[J + SPARSE.decay], i32[J + SPARSE.p] >>> 0, i32[J + SPARSE.q] >>> 0, i32[J + SPARSE.base] >>> 0, i32[J + SPARSE.stamp] >>> 0];
  const list = i32[J + SPARSE.list] >>> 0;
  const block = i32[J + JOB.block];
  const ring = i32[J + JOB.prefetch] + 1;
  const xb = scratch + ring * block * 4;
  const yb = xb + block * rb;
  let at = 0; // the piece's first row in the job's order
  for (let p = 0; p < i32[J + JOB.pieces] && at < hi; p++) {
    const P = J + (JOB_PIECES >> 2) + p * PIECE_WORDS;
    const S = (i32[J + SPARSE.pieces] >> 2) + p * SPARSE_PIECE_WORDS;
    const [x, y, n, start, count, key, shuffle] = [i32[P] >>> 0, i32[P + 1] >>> 0, i32[P + 2], i32[P + 3], i32[P + 4], i32[P + 5] >>> 0, i32[P + 6]];
    const [ptr, idx, val, rs] = [i32[S] >>> 0, i32[S + 1] >>> 0, i32[S + 2] >>> 0, i32[S + 3] >>> 0];
    const [xs, ys] = rs ? [rs, rs] : [rb, 4];
    const [from, to] = [Math.max(lo, at) - at, Math.min(hi, at + count) - at];
    const first = at;
    at += count;
    if (from >= to) continue;
    const permuted = shuffle === 1 && !(start === 0 && count === n);
    // Blocks ahead are touched while this one is computed: their rows, offsets, indices and column records.
    const ahead = ring - 1;
    const { blocks, idxAt, fill } = blockRing(kn, { scratch, ring, block, ahead, from, to, start, n, key, permuted }, (idxs, c) => {
      kn.touch(x, y, rb, xs, ys, idxs, c);
      kn.sparseTouch(idxs, c, ptr, idx, val, rs, blk, stride);
    });
    for (let q = 0; q < ahead; q++) fill(q);
    for (let q = 0; q < blocks; q++) {
      const o = from + q * block;
      const c = Math.min(block, to - o);
      fill(q + ahead);
      const idxs = idxAt(q);
      kn.gather(xb, yb, x, y, rb, xs, ys, idxs, c, norm);
      kn.outputs(pass.z, xb, c, rb, w, b, k);
      kn.sparseOutputs(pass.z, idxs, c, ptr, idx, val, rs, blk, stride, k, decay, tp, tq, base, stamp - 1);
      const loss = pass.train ? partRows(pass, yb, c) : pass.unit.task === 'multiclass' ? multiRows(pass, yb, c) : scalarRows(pass, pass.unit, yb, c);
      pass.f64[pass.sums + STRIPE_LOSS] += loss;
      pass.f64[pass.sums + STRIPE_ROWS] += c;
      if (!pass.train) continue;
      kn.accumulate(pass.grad, pass.g, xb, c, rb, k);
      if (list) {
        // The block's columns are still in cache: scatter now (job order, as the owning thread would after the pass).
        i32[J + SPARSE.n] = kn.sparseScatter(blk, stride, list, i32[J + SPARSE.n], stamp, pass.g, idxs, c, ptr, idx, val, rs, k, decay, tp, tq, base);
        continue;
      }
      const jobRow = first + o;
      f32.copyWithin((gOut >> 2) + jobRow * k, pass.g >> 2, (pass.g >> 2) + c * k);
      u32.copyWithin((rowOut >> 2) + jobRow, idxs >> 2, (idxs >> 2) + c);
    }
  }
}
