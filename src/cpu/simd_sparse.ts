// The fast CPU backend's session of a model with a sparse block: f64 parameters and the update on the host
// (sparse_session.ts: O(columns touched)), f32 copies in the arena (dense W and biases each step, sparse columns as
// they change), and each step's rows summed on every thread by the sparse row pass (simd_sparse_rows.ts). The threads
// leave each row's dL/dz at its place in the job; the owning thread then adds dL/dz·val into the sparse columns in job
// order, so the sums do not depend on how many threads took part.
import type { ChunkStore, TrainSession } from '../backend';
import { INDEX_MASK, NEG } from '../core/csr';
import { LOSS_NAMES } from '../core/losses';
import { confusionClasses, type EvalSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import { feistelHalfBits, permuteIndex } from '../core/permute';
import type { Piece, Step } from '../core/schedule';
import type { Arena } from './simd_arena';
import type { ThreadPool } from './simd_pool';
import { blockRows, JOB, JOB_HP, JOB_PIECES, JOB_YSHIFT, PIECE_WORDS, scratchBytes, SPARSE_JOB, STRIPE_BIAS, STRIPE_LOSS, STRIPE_M, STRIPE_ROWS, stripeBytes } from './simd_rows';
import { SPARSE, SPARSE_PIECE_WORDS } from './simd_sparse_rows';
import type { CsrSlots } from './simd_sparse_store';
import { SparseSessionBase } from '../core/sparse_session';
import { evalSums, type SparseSums } from './sparse_sums';

const MAX_PIECES = 256;
const MAX_CHUNKS = 16;

/** What the session reads of the backend's store and of the backend (simd_backend.ts). */
export interface SimdSparseStore extends ChunkStore {
  readonly rb: number;
  readonly slots: { x: number; y: number; capacity: number }[];
  readonly csr: CsrSlots;
}
export interface SimdSparseHost {
  readonly arena: Arena;
  readonly pool: ThreadPool;
  readonly prefetch: number;
  readonly minChunkBytes: number;
}

/** A model with a sparse block on the fast CPU backend. */
export class SimdSparseSession extends SparseSessionBase<ChunkStore> implements TrainSession {
  private readonly allocs: number[] = [];
  private readonly rb: number;
  private readonly stripe: number;
  private readonly maxChunks: number;
  private readonly w: number;
  private readonly ws: number;
  private readonly job: number;
  private readonly results: number;
  private out = { g: 0, rows: 0, capacity: 0 };
  /** Sparse columns whose f32 copy is stale, and whether every weight is. */
  private readonly dirty: Uint8Array;
  private dirtyList: number[] = [];
  private allDirty = true;
  private copied: ModelParams | null = null;

  constructor(private readonly store: SimdSparseStore, private readonly host: SimdSparseHost, spec: ModelSpec, init?: ModelParams) {
    super(spec, init);
    if (store.d !== this.dense) throw new Error(`the store holds ${store.d} dense features; the model has ${this.dense}`);
    const { arena, pool, prefetch } = host;
    const k = spec.outputs;
    const rb = (this.rb = store.rb);
    const classes = confusionClasses(spec.loss, k);
    const block = blockRows(Math.max(16, rb));
    const scratch = scratchBytes(block, rb, k, prefetch);
    this.stripe = stripeBytes(k, rb, classes);
    this.maxChunks = Math.max(pool.threads, Math.min(MAX_CHUNKS, Math.floor(2 ** 26 / this.stripe)));
    this.dirty = new Uint8Array(this.width);
    this.w = this.take(k * rb + k * 4);
    this.ws = this.take(k * this.width * 4);
    const sparsePieces = JOB_PIECES + MAX_PIECES * PIECE_WORDS * 4;
    this.job = this.take(sparsePieces + MAX_PIECES * SPARSE_PIECE_WORDS * 4);
    this.results = this.take(this.maxChunks * this.stripe);
    const scratchAt = this.take(pool.threads * scratch);
    let norm = 0;
    if (spec.standardize) {
      norm = this.take(2 * rb);
      const { f32 } = arena.views;
      f32.set(spec.standardize.mean.subarray(0, this.dense), norm / 4);
      f32.set(spec.standardize.invStd.subarray(0, this.dense), (norm + rb) / 4);
    }
    const { i32, f64 } = arena.views;
    const J = this.job / 4;
    const fields: [number, number][] = [
      [JOB.loss, LOSS_NAMES.indexOf(spec.loss)], [JOB.k, k], [JOB.rb, rb], [JOB.w, this.w], [JOB.b, this.w + k * rb], [JOB.norm, norm],
      [JOB.results, this.results], [JOB.stripe, this.stripe], [JOB.scratch, scratchAt], [JOB.scratchStride, scratch], [JOB.block, block],
      [JOB.classes, classes], [JOB.prefetch, prefetch], [JOB.kind, SPARSE_JOB], [SPARSE.ws, this.ws], [SPARSE.width, this.width],
      [SPARSE.pieces, this.job + sparsePieces],
    ];
    for (const [at, v] of fields) i32[J + at] = v;
    f64.set(spec.lossHp, (this.job + JOB_HP) / 8);
  }

  private take(bytes: number): number {
    const at = this.host.arena.alloc(bytes);
    this.allocs.push(at);
    return at;
  }

  protected override changed(j: number): void {
    if (this.dirty[j]) return;
    this.dirty[j] = 1;
    this.dirtyList.push(j);
  }

  protected override changedAll(): void {
    this.allDirty = true;
  }

  /** Writes the parameters' f32 copies: the dense block and biases always, the sparse block where it changed. */
  private copy(p: ModelParams): void {
    const { f32 } = this.host.arena.views;
    const { d: D, outputs: k } = this.spec;
    const dp = this.rb / 4;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < this.dense; j++) f32[this.w / 4 + c * dp + j] = p.weights[c * D + j];
      f32[this.w / 4 + k * dp + c] = p.bias[c];
    }
    const ws = this.ws / 4;
    const all = this.allDirty || p !== this.copied;
    for (let c = 0; c < k; c++) {
      const from = c * D + this.dense;
      if (all) f32.set(p.weights.subarray(from, from + this.width), ws + c * this.width);
      else for (const j of this.dirtyList) f32[ws + c * this.width + j] = p.weights[from + j];
    }
    for (const j of this.dirtyList) this.dirty[j] = 0;
    this.dirtyList = [];
    this.allDirty = false;
    this.copied = p;
  }

  /** Room for the per-row dL/dz and row indices of a job of `rows` rows. */
  private outputs(rows: number): void {
    if (this.out.capacity >= rows) return;
    if (this.out.g) this.host.arena.release(this.out.g);
    const capacity = Math.max(1024, Math.ceil(rows * 1.25));
    const g = this.host.arena.alloc(capacity * (this.spec.outputs + 1) * 4);
    this.out = { g, rows: g + capacity * this.spec.outputs * 4, capacity };
  }

  /** Sums over pieces of a store's rows at parameters p, on every thread; training also adds the sparse sums. */
  private sums(p: ModelParams, store: SimdSparseStore, pieces: readonly Piece[], train: boolean, yShift: number): SparseSums {
    const out = this.emptySums();
    this.copy(p);
    const { arena, pool } = this.host;
    const J = this.job / 4;
    for (let at = 0; at < pieces.length; at += MAX_PIECES) {
      const end = Math.min(pieces.length, at + MAX_PIECES);
      let rows = 0;
      for (let i = at; i < end; i++) rows += pieces[i].count;
      if (train) this.outputs(rows);
      const { i32, f64 } = arena.views;
      i32[J + JOB.train] = train ? 1 : 0;
      f64[(this.job + JOB_YSHIFT) / 8] = yShift;
      i32[J + SPARSE.gOut] = this.out.g;
      i32[J + SPARSE.rowOut] = this.out.rows;
      for (let i = at; i < end; i++) this.writePiece(store, pieces[i], i - at);
      const chunks = Math.max(1, Math.min(this.maxChunks, Math.floor((rows * (this.rb + 4 + 8 * this.spec.outputs)) / Math.max(1, this.host.minChunkBytes))));
      i32[J + JOB.pieces] = end - at;
      i32[J + JOB.rows] = rows;
      i32[J + JOB.chunks] = chunks;
      pool.run(this.job);
      this.reduce(out, arena.views.f64, chunks);
      if (train) this.scatter(out, store, pieces.slice(at, end));
    }
    return out;
  }

  private writePiece(store: SimdSparseStore, q: Piece, i: number): void {
    const s = store.slots[q.chunk];
    const c = store.csr.slots[q.chunk];
    if (!s || !c) throw new Error(`slot ${q.chunk} holds no rows with a sparse block`);
    const { i32 } = this.host.arena.views;
    const P = this.job / 4 + JOB_PIECES / 4 + i * PIECE_WORDS;
    [i32[P], i32[P + 1], i32[P + 2], i32[P + 3], i32[P + 4], i32[P + 5], i32[P + 6]] = [s.x, s.y, store.rowsIn[q.chunk], q.start, q.count, q.key | 0, q.shuffle ? 1 : 0];
    const S = i32[this.job / 4 + SPARSE.pieces] / 4 + i * SPARSE_PIECE_WORDS;
    [i32[S], i32[S + 1], i32[S + 2]] = [c.ptr, c.idx, c.val];
  }

  /** Adds the chunks' dense sums in chunk order. */
  private reduce(out: SparseSums, f64: Float64Array, chunks: number): void {
    const { outputs: k } = this.spec;
    const dd = this.dense;
    const dp = this.rb / 4;
    for (let t = 0; t < chunks; t++) {
      const g = (this.results + t * this.stripe) / 8;
      const s = g + k * dp;
      for (let c = 0; c < k; c++) for (let j = 0; j < dd; j++) out.grad[c * dd + j] += f64[g + c * dp + j];
      out.loss += f64[s + STRIPE_LOSS];
      out.rows += f64[s + STRIPE_ROWS];
      for (let i = 0; i < 4; i++) out.m[i] += f64[s + STRIPE_M + i];
      for (let c = 0; c < k; c++) out.gradBias[c] += f64[s + STRIPE_BIAS + c];
      if (out.confusion) for (let i = 0; i < out.confusion.length; i++) out.confusion[i] += f64[s + STRIPE_BIAS + k + i];
    }
  }

  /** Adds dL/dz·val of every entry of the job's rows into the sparse columns, in job order. */
  private scatter(out: SparseSums, store: SimdSparseStore, pieces: readonly Piece[]): void {
    const { u32, f32 } = this.host.arena.views;
    const k = this.spec.outputs;
    const { acc, width } = out.sparse;
    const touch = (j: number) => out.sparse.touch(j);
    let r = 0;
    for (const q of pieces) {
      const c = store.csr.slots[q.chunk]!;
      const [ptr, idx, val] = [c.ptr >> 2, c.idx >> 2, c.val >> 2];
      for (let end = r + q.count; r < end; r++) {
        const row = u32[(this.out.rows >> 2) + r];
        for (let e = u32[ptr + row], e1 = u32[ptr + row + 1]; e < e1; e++) {
          const i = u32[idx + e];
          const j = val ? i : i & INDEX_MASK;
          const v = val ? f32[val + e] : i & NEG ? -1 : 1;
          touch(j);
          for (let o = 0; o < k; o++) acc[o * width + j] += f32[(this.out.g >> 2) + r * k + o] * v;
        }
      }
    }
  }

  protected stepSums(step: Step): SparseSums {
    return this.sums(this.params, this.store, step.pieces, true, 0);
  }

  protected stepColumns(step: Step, visit: (j: number) => void): void {
    const { u32 } = this.host.arena.views;
    for (const q of step.pieces) {
      const c = this.store.csr.slots[q.chunk]!;
      const n = this.store.rowsIn[q.chunk];
      const half = feistelHalfBits(n);
      for (let i = q.start; i < q.start + q.count; i++) {
        const row = q.shuffle ? permuteIndex(i, n, q.key, half) : i;
        for (let e = u32[(c.ptr >> 2) + row]; e < u32[(c.ptr >> 2) + row + 1]; e++) visit(u32[(c.idx >> 2) + e] & INDEX_MASK);
      }
    }
  }

  protected async evaluateAt(p: ModelParams, store: ChunkStore = this.store, yShift = 0): Promise<EvalSums> {
    const s = store as SimdSparseStore;
    if (!s.csr || s.slots === undefined) throw new Error('the CPU backend\'s evaluate() was given another backend\'s store');
    const pieces = s.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, key: 0, shuffle: false }] : []));
    return evalSums(this.sums(p, s, pieces, false, yShift));
  }

  override dispose(): void {
    for (const at of this.allocs.splice(0)) this.host.arena.release(at);
    if (this.out.g) this.host.arena.release(this.out.g);
    this.out = { g: 0, rows: 0, capacity: 0 };
  }
}
