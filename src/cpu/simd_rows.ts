// The fast CPU backend's row pass, run by every thread on the chunks of a job it claims: blocks of rows go through
// the SIMD kernels (simd/kernels.ts: indices, gather, outputs), the loss (training: the unit's f32 part,
// simd/losses/<stem>.ts, for value and dL/dz; evaluation: the registry's f64 unit and the task's metric sums), then
// back into the kernels for Σ dL/dz·x'. Rows with offsets add them to z after the outputs; rows with sample weights
// train through the loss's weighted part (`<stem>_rows_w`) and weigh their metric sums. Its oracle is the f64
// reference's row kernel (grad_rows.ts). A job is a record in the arena (layout below) that the owning thread writes
// and every thread reads: no messages per step.
import { LOSS_NAMES, LOSSES, type LossHp, type MultiLoss, type ScalarLoss } from '../core/losses';
import { addRowMetrics } from '../core/metrics';
import { feistelHalfBits } from '../core/permute';
import { lossRows, lossRowsWeighted, type Kernels, type LossRows, type LossRowsWeighted, type Views } from './simd_arena';

/** i32 word offsets of a job record's fields. */
export const JOB = {
  train: 0, loss: 1, k: 2, rb: 3, w: 4, b: 5, norm: 6, results: 7, stripe: 8, scratch: 9, scratchStride: 10,
  block: 11, pieces: 12, classes: 13, prefetch: 14, chunks: 15, rows: 16, kind: 17, split: 18, span: 19,
} as const;

/** JOB.kind: rows with a sparse block, whose pass (simd_sparse_rows.ts) the pool registers with registerSparsePass. */
export const SPARSE_JOB = 1;

/** The pass of a sparse job from its first claimed chunk c (set by simd_pool.ts; this file cannot import it back). */
let sparsePass: ((kn: Kernels, views: () => Views, id: number, c: number) => void) | null = null;

/** Registers the sparse jobs' pass. */
export function registerSparsePass(f: (kn: Kernels, views: () => Views, id: number, c: number) => void): void {
  sparsePass = f;
}
/** Byte offsets in a job record: the loss hyperparameters and the y shift (f64), then the pieces. */
export const JOB_HP = 128;
export const JOB_YSHIFT = 160;
export const JOB_PIECES = 192;
/** i32 words per piece: x, y, chunk rows, start, count, key, shuffle, (unused), sample weights w and offsets o (0: none). */
export const PIECE_WORDS = 10;

/** f64 slots after a result slot's gradient: loss, rows, four metric sums, Σ w, then K bias sums and C × C class counts. */
export const STRIPE_LOSS = 0;
export const STRIPE_ROWS = 1;
export const STRIPE_M = 2;
export const STRIPE_WEIGHT = 6;
export const STRIPE_BIAS = 7;

/** Bytes of one chunk's result slot: K × D' f64 gradient sums, the sums above, 64-byte aligned. */
export function stripeBytes(k: number, rb: number, classes: number): number {
  return Math.ceil((k * rb * 2 + (STRIPE_BIAS + k + classes * classes) * 8) / 64) * 64;
}

/**
 * Bytes of one thread's scratch for blocks of `block` rows: an index ring of prefetch + 1 blocks, the gathered rows,
 * targets, outputs, dL/dz, a loss part's sums, then the gathered sample weights and offsets.
 */
export function scratchBytes(block: number, rb: number, k: number, prefetch: number): number {
  return Math.ceil(((prefetch + 1) * block * 4 + block * rb + block * 4 + 2 * block * k * 4 + (k + 1) * 8 + 2 * block * 4) / 64) * 64;
}

/** Rows per block: about 32 KiB of gathered rows (L1/L2-resident while the block is processed), a multiple of 4. */
export function blockRows(rb: number): number {
  return Math.max(16, Math.min(256, Math.floor(32768 / rb / 4) * 4));
}

/** The control words a job's threads share (i32 indices at byte 0 of the arena; simd_pool.ts posts jobs). */
export const CTL = { seq: 0, chunksDone: 1, stop: 2, failed: 3, job: 4, ready: 5, next: 6, active: 7 } as const;

/** The claim counter's value between jobs: a claim then reads nothing (the owner may be rewriting the record). */
export const CLOSED = 1 << 30;

/**
 * Runs chunks of the current job (CTL.job) on one thread until none is left to claim: chunk c covers rows
 * [⌊R·c/n⌋, ⌊R·(c+1)/n⌋) of the job's R rows (its pieces laid end to end) and its sums go to result slot c, so what each
 * chunk adds up — and the reduction over slots in order — does not depend on which thread took it or how many there are.
 * The job is read only after a claim succeeds: the claim synchronizes with the owner's opening of the counter.
 */
export function runChunks(kn: Kernels, views: () => Views, id: number): void {
  const c = Atomics.add(views().i32, CTL.next, 1);
  if (c >= CLOSED) return;
  const { i32 } = views();
  if (i32[(i32[CTL.job] >>> 0 >> 2) + JOB.kind] === SPARSE_JOB) return sparsePass!(kn, views, id, c);
  runJobChunks(kn, views, id, c, chunkRows);
}

/** How a kind of job runs rows [lo, hi) of its pieces with a pass set up for one chunk. */
export type ChunkRows = (pass: Pass, i32: Int32Array, J: number, scratch: number, lo: number, hi: number) => void;

/** Sets up the pass from the job's fields and runs its chunks from chunk c (already claimed) until none is left. */
export function runJobChunks(kn: Kernels, views: () => Views, id: number, c: number, rowsOf: ChunkRows): void {
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
  const partW = lossRowsWeighted(kn, unit.stem);
  if (train && (!part || !partW)) throw new Error(`the fast CPU backend has no ${unit.name} loss part (src/cpu/simd/losses/${unit.stem}.ts)`);
  const partOut = g + block * k * 4;
  const ws = partOut + Math.ceil(((k + 1) * 8) / 4) * 4;
  const pass: Pass = {
    kn, f32, f64, unit, k, hp, yShift: f64[(job + JOB_YSHIFT) / 8], train, grad: 0, sums: 0, g, z, part: part!, partW: partW!,
    partOut, hpAt: job + JOB_HP, m: f64, biasAt: 0, confusion: null, zRow: new Float64Array(k), wp: 0, op: 0, ws, os: ws + block * 4,
  };
  const chunks = i32[J + JOB.chunks];
  // A job is chunks [first, first + chunks) of a split of `span` rows into n (JOB.split = n | first << 16; 0: its own
  // rows into its chunks): a pass streamed through a buffer (simd_pass_store.ts) runs each chunk on the same rows as one job would.
  const split = i32[J + JOB.split];
  const [span, n, first] = split > 0 ? [i32[J + JOB.span], split & 0xffff, split >>> 16] : [i32[J + JOB.rows], chunks, 0];
  const bound = (c: number) => Math.floor((span * (first + c)) / n) - Math.floor((span * first) / n);
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
    rowsOf(pass, i32, J, scratch, bound(c), bound(c + 1));
    Atomics.add(i32, CTL.chunksDone, 1);
    Atomics.notify(i32, CTL.chunksDone);
  }
}

/** Rows [lo, hi) of the job's pieces laid end to end, in blocks (gathered and prefetched when permuted). */
function chunkRows(pass: Pass, i32: Int32Array, J: number, scratch: number, lo: number, hi: number): void {
  const { kn } = pass;
  const rb = i32[J + JOB.rb] >>> 0;
  const [w, b, norm] = [i32[J + JOB.w] >>> 0, i32[J + JOB.b] >>> 0, i32[J + JOB.norm] >>> 0];
  const block = i32[J + JOB.block];
  const prefetch = i32[J + JOB.prefetch];
  const ring = prefetch + 1;
  const xb = scratch + ring * block * 4;
  const ys = xb + block * rb;
  let at = 0; // the piece's first row in the job's order
  for (let p = 0; p < i32[J + JOB.pieces] && at < hi; p++) {
    const P = J + (JOB_PIECES >> 2) + p * PIECE_WORDS;
    const [x, y, n, start, count, key, shuffle] = [i32[P] >>> 0, i32[P + 1] >>> 0, i32[P + 2], i32[P + 3], i32[P + 4], i32[P + 5] >>> 0, i32[P + 6]];
    const [wc, oc] = [i32[P + 8] >>> 0, i32[P + 9] >>> 0];
    const [from, to] = [Math.max(lo, at) - at, Math.min(hi, at + count) - at];
    at += count;
    if (from >= to) continue;
    // A piece covering its whole chunk holds the same rows in any order: read them in storage order.
    const permuted = shuffle === 1 && !(start === 0 && count === n);
    const ahead = permuted ? prefetch : 0;
    const { blocks, idxAt, fill } = blockRing(kn, { scratch, ring, block, ahead, from, to, start, n, key, permuted }, (idxs, c) => kn.touch(x, y, rb, rb, 4, idxs, c));
    for (let q = 0; q < ahead; q++) fill(q);
    for (let q = 0; q < blocks; q++) {
      const o = from + q * block;
      const c = Math.min(block, to - o);
      if (!permuted && !norm) {
        pass.wp = wc && wc + (start + o) * 4;
        pass.op = oc && oc + (start + o) * 4;
        blockPass(pass, x + (start + o) * rb, y + (start + o) * 4, c, rb, w, b);
        continue;
      }
      fill(q + ahead);
      kn.gather(xb, ys, x, y, rb, rb, 4, idxAt(q), c, norm);
      if (wc) kn.gatherColumn(pass.ws, wc, idxAt(q), c);
      if (oc) kn.gatherColumn(pass.os, oc, idxAt(q), c);
      pass.wp = wc && pass.ws;
      pass.op = oc && pass.os;
      blockPass(pass, xb, ys, c, rb, w, b);
    }
  }
}

/** Where a piece's blocks of rows go: a ring of row-index blocks in scratch, filled `ahead` blocks before they are used. */
export interface RingPlan {
  scratch: number; ring: number; block: number; ahead: number;
  /** The piece's rows [from, to) in its order; its first row `start` of a chunk of n rows, permuted by key. */
  from: number; to: number; start: number; n: number; key: number; permuted: boolean;
}

/**
 * A piece's blocks as the row passes walk them: `idxAt(q)` holds block q's row indices once `fill(q)` wrote them, and
 * `fill` also lets `touch` read ahead what block q will need (its rows; a sparse block's entries) when blocks are
 * prefetched (`ahead` > 0).
 */
export function blockRing(kn: Kernels, r: RingPlan, touch: (idxs: number, rows: number) => void): { blocks: number; idxAt(q: number): number; fill(q: number): void } {
  const { scratch, ring, block, ahead, from, to, start, n, key, permuted } = r;
  const hb = permuted ? feistelHalfBits(n) : 0;
  const blocks = Math.ceil((to - from) / block);
  const idxAt = (q: number) => scratch + (q % ring) * block * 4;
  const fill = (q: number) => {
    if (q >= blocks) return;
    const o = from + q * block;
    const c = Math.min(block, to - o);
    kn.rowIndices(idxAt(q), start + o, c, n, key, hb, permuted ? 1 : 0);
    if (ahead > 0) touch(idxAt(q), c);
  };
  return { blocks, idxAt, fill };
}

/** What one thread's blocks share. */
export interface Pass {
  kn: Kernels;
  f32: Float32Array;
  f64: Float64Array;
  unit: (typeof LOSSES)[keyof typeof LOSSES];
  k: number;
  hp: LossHp;
  yShift: number;
  train: boolean;
  /** Byte offset of the stripe's f64 gradient sums (K × D'). */
  grad: number;
  /** f64 index of the stripe's other sums (after the gradient). */
  sums: number;
  g: number;
  z: number;
  /** The loss's f32 part (training; partW with sample weights), where it leaves its sums, and the loss hyperparameters' address. */
  part: LossRows;
  partW: LossRowsWeighted;
  partOut: number;
  hpAt: number;
  /** Evaluation's metric sums; f64 index of the bias sums (training). */
  m: Float64Array;
  biasAt: number;
  confusion: Float64Array | null;
  zRow: Float64Array;
  /** Byte addresses of the block's sample weights and offsets (0: none), and of the scratch they are gathered into. */
  wp: number;
  op: number;
  ws: number;
  os: number;
}

/** One block of c rows at xb (targets at yp): outputs, the loss per row, then the gradient sums or the metric sums. */
function blockPass(s: Pass, xb: number, yp: number, c: number, rb: number, w: number, b: number): void {
  const { kn, f64 } = s;
  kn.outputs(s.z, xb, c, rb, w, b, s.k);
  if (s.op) kn.addColumn(s.z, s.op, c);
  const loss = s.train ? partRows(s, yp, c) : s.unit.task === 'multiclass' ? multiRows(s, yp, c) : scalarRows(s, s.unit, yp, c);
  f64[s.sums + STRIPE_LOSS] += loss;
  f64[s.sums + STRIPE_ROWS] += c;
  if (s.train) kn.accumulate(s.grad, s.g, xb, c, rb, s.k);
}

/** Training: the loss part writes dL/dz into g; returns Σ loss and adds Σ dL/dz to the bias sums. */
export function partRows(s: Pass, yp: number, c: number): number {
  const hpOrK = s.unit.task === 'multiclass' ? s.k : s.hpAt;
  if (s.wp) s.partW(s.z, yp, s.g, c, hpOrK, s.partOut, s.wp);
  else s.part(s.z, yp, s.g, c, hpOrK, s.partOut);
  const at = s.partOut / 8;
  for (let j = 0; j < s.k; j++) s.f64[s.biasAt + j] += s.f64[at + 1 + j];
  return s.f64[at];
}

/** Evaluation, one output per row: Σ loss and the metric sums. */
export function scalarRows(s: Pass, unit: ScalarLoss, yp: number, c: number): number {
  const { f32, hp } = s;
  let loss = 0;
  let sw = 0;
  for (let r = 0; r < c; r++) {
    const z = f32[(s.z >> 2) + r];
    const t = f32[(yp >> 2) + r];
    const wt = s.wp ? f32[(s.wp >> 2) + r] : 1;
    sw += wt;
    loss += wt * unit.value(z, t, hp);
    addRowMetrics(unit, z, t, s.yShift, hp, s.m, s.confusion, wt);
  }
  s.f64[s.sums + STRIPE_WEIGHT] += sw;
  return loss;
}

/** Evaluation, K outputs per row: Σ loss, accuracy, log-loss and class counts. */
export function multiRows(s: Pass, yp: number, c: number): number {
  const unit = s.unit as MultiLoss;
  const { f32, k, zRow } = s;
  let loss = 0;
  for (let r = 0; r < c; r++) {
    const zr = (s.z >> 2) + r * k;
    let best = 0;
    for (let j = 0; j < k; j++) {
      zRow[j] = f32[zr + j];
      if (zRow[j] > zRow[best]) best = j;
    }
    const t = f32[(yp >> 2) + r];
    const wt = s.wp ? f32[(s.wp >> 2) + r] : 1;
    const l = wt * unit.valueDz(zRow, t, null);
    loss += l;
    s.f64[s.sums + STRIPE_WEIGHT] += wt;
    if (best === t) s.m[0] += wt;
    s.m[1] += l;
    if (s.confusion) s.confusion[t * k + best] += 1;
  }
  return loss;
}
