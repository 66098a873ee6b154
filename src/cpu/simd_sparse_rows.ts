// The fast CPU backend's row pass over rows with a sparse block (a job of kind SPARSE_JOB, simd_rows.ts): per block of
// rows, the row indices (permuted or in order), the gather of the dense rows, the dense outputs and the sparse block's
// gathers (simd/sparse.ts), the loss (training: the unit's f32 part; evaluation: the registry's f64 unit), the dense
// gradient sums into the chunk's f64 stripe, and — training — each row's dL/dz and row index at its place in the job,
// from which the owning thread adds the sparse block's sums (simd_sparse.ts). Its oracle is sparse_grad.ts.
import { LOSS_NAMES, LOSSES } from '../core/losses';
import { feistelHalfBits } from '../core/permute';
import { lossRows, lossRowsWeighted, type Kernels, type Views } from './simd_arena';
import {
  CTL, JOB, JOB_HP, JOB_PIECES, JOB_YSHIFT, multiRows, partRows, PIECE_WORDS, scalarRows, STRIPE_BIAS, STRIPE_LOSS, STRIPE_M, STRIPE_ROWS, stripeBytes,
  type Pass,
} from './simd_rows';

/** i32 word offsets of a sparse job's own fields (after JOB's). */
export const SPARSE = { ws: 20, width: 21, gOut: 22, rowOut: 23, pieces: 24 } as const;
/** i32 words per piece in the sparse pieces' record: the slot's ptr, idx and val (0: indicators), then one unused. */
export const SPARSE_PIECE_WORDS = 4;

/** Runs the sparse job's chunks from chunk c (already claimed) until none is left. */
export function runSparseChunks(kn: Kernels, views: () => Views, id: number, c: number): void {
  const { i32, f64, f32 } = views();
  const job = i32[CTL.job] >>> 0;
  const J = job >> 2;
  const train = i32[J + JOB.train] === 1;
  const unit = LOSSES[LOSS_NAMES[i32[J + JOB.loss]]];
  const k = i32[J + JOB.k];
  const rb = i32[J + JOB.rb] >>> 0;
  const block = i32[J + JOB.block];
  const classes = i32[J + JOB.classes];
  const scratch = (i32[J + JOB.scratch] >>> 0) + id * i32[J + JOB.scratchStride];
  const hp = [f64[(job + JOB_HP) / 8], f64[(job + JOB_HP) / 8 + 1], f64[(job + JOB_HP) / 8 + 2], f64[(job + JOB_HP) / 8 + 3]] as const;
  const ring = i32[J + JOB.prefetch] + 1;
  const z = scratch + ring * block * 4 + block * rb + block * 4;
  const g = z + block * k * 4;
  const part = lossRows(kn, unit.stem);
  if (train && !part) throw new Error(`the fast CPU backend has no ${unit.name} loss part (src/cpu/simd/losses/${unit.stem}.ts)`);
  const pass: Pass = {
    kn, f32, f64, unit, k, hp, yShift: f64[(job + JOB_YSHIFT) / 8], train, grad: 0, sums: 0, g, z, part: part!,
    partOut: g + block * k * 4, hpAt: job + JOB_HP, m: f64, biasAt: 0, confusion: null, zRow: new Float64Array(k),
    // Rows with a sparse block carry no sample weights or offsets (train.ts refuses them), so the weighted part never runs.
    partW: lossRowsWeighted(kn, unit.stem)!, wp: 0, op: 0, ws: 0, os: 0,
  };
  const chunks = i32[J + JOB.chunks];
  const rows = i32[J + JOB.rows];
  for (; c < chunks; c = Atomics.add(i32, CTL.next, 1)) {
    const slot = (i32[J + JOB.results] >>> 0) + c * i32[J + JOB.stripe];
    f64.fill(0, slot / 8, (slot + stripeBytes(k, rb, classes)) / 8);
    const sums = (slot + k * rb * 2) / 8;
    pass.grad = slot;
    pass.sums = sums;
    pass.biasAt = sums + STRIPE_BIAS;
    if (!train) {
      pass.m = f64.subarray(sums + STRIPE_M, sums + STRIPE_M + 4);
      pass.confusion = classes > 0 ? f64.subarray(sums + STRIPE_BIAS + k, sums + STRIPE_BIAS + k + classes * classes) : null;
    }
    sparseChunkRows(pass, i32, J, scratch, Math.floor((rows * c) / chunks), Math.floor((rows * (c + 1)) / chunks));
    Atomics.add(i32, CTL.chunksDone, 1);
    Atomics.notify(i32, CTL.chunksDone);
  }
}

/** Rows [lo, hi) of the job's pieces laid end to end, in blocks. */
function sparseChunkRows(pass: Pass, i32: Int32Array, J: number, scratch: number, lo: number, hi: number): void {
  const { kn, f32, k } = pass;
  const u32 = new Uint32Array(i32.buffer);
  const rb = i32[J + JOB.rb] >>> 0;
  const [w, b, norm] = [i32[J + JOB.w] >>> 0, i32[J + JOB.b] >>> 0, i32[J + JOB.norm] >>> 0];
  const [ws, width, gOut, rowOut] = [i32[J + SPARSE.ws] >>> 0, i32[J + SPARSE.width], i32[J + SPARSE.gOut] >>> 0, i32[J + SPARSE.rowOut] >>> 0];
  const block = i32[J + JOB.block];
  const ring = i32[J + JOB.prefetch] + 1;
  const idxs = scratch;
  const xb = scratch + ring * block * 4;
  const ys = xb + block * rb;
  let at = 0; // the piece's first row in the job's order
  for (let p = 0; p < i32[J + JOB.pieces] && at < hi; p++) {
    const P = J + (JOB_PIECES >> 2) + p * PIECE_WORDS;
    const S = (i32[J + SPARSE.pieces] >> 2) + p * SPARSE_PIECE_WORDS;
    const [x, y, n, start, count, key, shuffle] = [i32[P] >>> 0, i32[P + 1] >>> 0, i32[P + 2], i32[P + 3], i32[P + 4], i32[P + 5] >>> 0, i32[P + 6]];
    const [ptr, idx, val] = [i32[S] >>> 0, i32[S + 1] >>> 0, i32[S + 2] >>> 0];
    const [from, to] = [Math.max(lo, at) - at, Math.min(hi, at + count) - at];
    const first = at;
    at += count;
    if (from >= to) continue;
    const permuted = shuffle === 1 && !(start === 0 && count === n);
    const hb = permuted ? feistelHalfBits(n) : 0;
    for (let o = from; o < to; o += block) {
      const c = Math.min(block, to - o);
      kn.rowIndices(idxs, start + o, c, n, key, hb, permuted ? 1 : 0);
      kn.gather(xb, ys, x, y, rb, idxs, c, norm);
      kn.outputs(pass.z, xb, c, rb, w, b, k);
      kn.sparseOutputs(pass.z, idxs, c, ptr, idx, val, ws, width, k);
      const loss = pass.train ? partRows(pass, ys, c) : pass.unit.task === 'multiclass' ? multiRows(pass, ys, c) : scalarRows(pass, pass.unit, ys, c);
      pass.f64[pass.sums + STRIPE_LOSS] += loss;
      pass.f64[pass.sums + STRIPE_ROWS] += c;
      if (!pass.train) continue;
      kn.accumulate(pass.grad, pass.g, xb, c, rb, k);
      const jobRow = first + o;
      f32.copyWithin((gOut >> 2) + jobRow * k, pass.g >> 2, (pass.g >> 2) + c * k);
      u32.copyWithin((rowOut >> 2) + jobRow, idxs >> 2, (idxs >> 2) + c);
    }
  }
}
