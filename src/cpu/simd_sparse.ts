// The fast CPU backend's session of a model with a sparse block: the dense block and biases as f64 parameters updated
// on the host (f32 copies in the arena each step), the sparse block as f64 column records in the arena
// (simd_sparse_update.ts), and each step's rows summed on every thread by the sparse row pass (simd_sparse_rows.ts).
// The threads leave each row's dL/dz at its place in the job; the owning thread then adds dL/dz·val into the sparse
// columns in job order (in WebAssembly; inside the pass when one thread takes every chunk), so the sums do not depend
// on how many threads took part. Rules the kernels know update the touched columns there too, the arena's weights then
// being the block's own (copied to the host's parameters when they are read); other rules update on the host
// (sparse_session.ts), whose sparse columns are copied in as they change.
import type { ChunkStore, TrainSession } from '../backend';
import { INDEX_MASK } from '../core/csr';
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
import { kernelRule, SparseBlock } from './simd_sparse_update';
import { emptyGradSums, type GradSums } from './grad_sums';
import { OPTIMIZERS } from '../core/optim';
import { stepContexts } from '../core/optim/apply';
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
  private readonly block: SparseBlock;
  /** Where the sparse block's weights and slots are current: the host's parameters, or the arena (a kernel rule's steps). */
  private where: 'host' | 'arena' = 'host';
  private readonly job: number;
  private readonly results: number;
  private out = { g: 0, rows: 0, capacity: 0 };
  /** Sparse columns whose f32 copy is stale, and whether every weight is. */
  private dirty: Uint8Array | null = null;
  private dirtyList: number[] = [];
  private allDirty = true;
  private copied: ModelParams | null = null;

  constructor(private readonly store: SimdSparseStore, private readonly host: SimdSparseHost, spec: ModelSpec, init?: ModelParams) {
    super(spec, init, !kernelRule(spec));
    if (store.d !== this.dense) throw new Error(`the store holds ${store.d} dense features; the model has ${this.dense}`);
    const { arena, pool, prefetch } = host;
    const k = spec.outputs;
    const rb = (this.rb = store.rb);
    const classes = confusionClasses(spec.loss, k);
    const block = blockRows(Math.max(16, rb));
    const scratch = scratchBytes(block, rb, k, prefetch);
    this.stripe = stripeBytes(k, rb, classes);
    this.maxChunks = Math.max(pool.threads, Math.min(MAX_CHUNKS, Math.floor(2 ** 26 / this.stripe)));
    this.w = this.take(k * rb + k * 4);
    this.block = new SparseBlock(arena, spec, this.width, k, OPTIMIZERS[spec.optimizer].slots);
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
      [JOB.classes, classes], [JOB.prefetch, prefetch], [JOB.kind, SPARSE_JOB], [SPARSE.blk, this.block.blk], [SPARSE.stride, this.block.stride],
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
    const dirty = (this.dirty ??= new Uint8Array(this.width));
    if (dirty[j]) return;
    dirty[j] = 1;
    this.dirtyList.push(j);
  }

  protected override changedAll(): void {
    this.allDirty = true;
  }

  /**
   * Writes the dense block's and biases' f32 copies, and — unless the arena's sparse weights are current (`where`) —
   * the sparse columns of p that changed since the last copy (all of them when p is other parameters).
   */
  private copy(p: ModelParams): void {
    const { f32 } = this.host.arena.views;
    const { d: D, outputs: k } = this.spec;
    const dp = this.rb / 4;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < this.dense; j++) f32[this.w / 4 + c * dp + j] = p.weights[c * D + j];
      f32[this.w / 4 + k * dp + c] = p.bias[c];
    }
    if (this.where === 'arena') return;
    const all = this.allDirty || p !== this.copied;
    this.block.fromHost(p.weights, D, this.dense, this.state.slots, all ? null : this.dirtyList);
    this.clean(p);
  }

  /** The arena's sparse weights equal p's. */
  private clean(p: ModelParams | null): void {
    for (const j of this.dirtyList) this.dirty![j] = 0;
    this.dirtyList = [];
    this.allDirty = false;
    this.copied = p;
  }

  /** Makes the arena's sparse block current (a kernel rule's steps run there): the host's weights and slots copied in. */
  private toArena(): void {
    if (this.where === 'arena') return;
    const p = this.current();
    this.block.fromHost(p.weights, this.spec.d, this.dense, this.state.slots);
    this.block.reset(this.done ?? 0);
    this.clean(null);
    this.where = 'arena';
  }

  /** Makes the host's parameters current: every column brought up to date in the arena, then copied out. */
  private toHost(): void {
    if (this.where !== 'arena') return;
    this.where = 'host';
    const to = this.done ?? 0;
    this.block.catchUpAll(to);
    this.block.toHost(this.params.weights, this.spec.d, this.dense, this.state.slots);
    this.upToDate(to);
    this.clean(this.params);
  }

  protected override current(which?: 'current' | 'average'): ModelParams {
    this.toHost();
    return super.current(which);
  }

  override writeModel(p: ModelParams): void {
    // The base's constructor writes the initial parameters before this class's fields exist.
    if (this.block) this.toHost();
    super.writeModel(p);
  }

  override runSteps(steps: readonly Step[]): void {
    if (!this.block.kernelRule) {
      this.toHost();
      super.runSteps(steps);
      return;
    }
    for (const step of steps) this.kernelStep(step);
  }

  /** One step whose sparse block's sums and update run in the kernels (simd_sparse_update.ts). */
  private kernelStep(step: Step): void {
    this.toArena();
    const t = step.t + 1;
    if (this.done === null || t !== this.done + 1) {
      if (this.done !== null) this.block.catchUpAll(this.done);
      this.block.reset(t - 1);
      this.done = t - 1;
    }
    // The linear rule updates entry by entry once every row is read (one job: its pieces fit one record).
    const linear = this.block.linear && step.pieces.length <= MAX_PIECES;
    const s = this.sums(this.params, this.store, step.pieces, true, 0, t, linear);
    this.losses[step.index] = s.loss / s.rows;
    const rule = { lr: step.lr, t, average: step.average };
    const scale = this.clipFactor(s, this.spec.clipNorm > 0 ? this.block.squares() : 0) / s.rows;
    this.applyDense(s, stepContexts(rule, this.spec), scale);
    if (linear) this.stepLinear(this.store, step.pieces, step.lr, scale);
    if (linear ? this.block.endStep(step.lr) : this.block.update(step.lr, scale)) this.block.catchUpAll(t);
    this.done = t;
    if (step.average > 0) {
      this.toHost();
      this.average(step.average);
    }
  }

  /**
   * The linear rule's step w −= lr·scale·dL/dz·val over the rows the last job read (one job: the step's pieces fit its
   * record), in job order. (Split by columns between two threads it ran slower on the development VM: bench/NOTES.md.)
   */
  private stepLinear(store: SimdSparseStore, pieces: readonly Piece[], lr: number, scale: number): void {
    const k = this.spec.outputs;
    let r = 0;
    for (const q of pieces) {
      this.block.stepSgd(lr, lr * scale, this.out.g + r * k * 4, this.out.rows + r * 4, q.count, store.csr.slots[q.chunk]!);
      r += q.count;
    }
  }

  /** The most entries the rows of pieces [at, end) may hold (their slots' longest rows). */
  private entries(store: SimdSparseStore, pieces: readonly Piece[], at: number, end: number): number {
    let n = 0;
    for (let i = at; i < end; i++) n += pieces[i].count * (store.csr.slots[pieces[i].chunk]?.maxRow ?? 0);
    return n;
  }

  /** Room for the per-row dL/dz and row indices of a job of `rows` rows. */
  private outputs(rows: number): void {
    if (this.out.capacity >= rows) return;
    if (this.out.g) this.host.arena.release(this.out.g);
    const capacity = Math.max(1024, Math.ceil(rows * 1.25));
    const g = this.host.arena.alloc(capacity * (this.spec.outputs + 1) * 4);
    this.out = { g, rows: g + capacity * this.spec.outputs * 4, capacity };
  }

  /**
   * Sums over pieces of a store's rows at parameters p, on every thread; training also adds the sparse sums into the
   * block's scatter, under training step t's stamp (a kernel rule's: the columns are read and listed as brought up to
   * step t − 1) or a stamp of the host's (t null). `linear`: no sums, the rows' dL/dz left for the linear rule's step.
   */
  private sums(p: ModelParams, store: SimdSparseStore, pieces: readonly Piece[], train: boolean, yShift: number, t: number | null = null, linear = false): GradSums {
    const out = emptyGradSums(this.dense, this.spec.outputs, confusionClasses(this.spec.loss, this.spec.outputs));
    this.copy(p);
    const { arena, pool } = this.host;
    const { block } = this;
    const J = this.job / 4;
    if (train) block.open(t);
    const d = block.decay;
    for (let at = 0; at < pieces.length; at += MAX_PIECES) {
      const end = Math.min(pieces.length, at + MAX_PIECES);
      let rows = 0;
      for (let i = at; i < end; i++) rows += pieces[i].count;
      const entries = this.entries(store, pieces, at, end);
      // (Counting the entries in the bytes, B = 256 of 26 entries made two chunks: slower on two threads, bench/NOTES.md.)
      const chunks = Math.max(1, Math.min(this.maxChunks, Math.floor((rows * (this.rb + 4 + 8 * this.spec.outputs)) / Math.max(1, this.host.minChunkBytes))));
      // One thread takes every chunk in order: it scatters each block as it goes (the same order as after the pass).
      // (The linear rule's sums, for the host only, are apart from the records the pass reads: not scattered there.)
      const fused = train && !linear && !block.linear && (pool.threads === 1 || chunks === 1);
      if (train && !fused) this.outputs(rows);
      if (fused) block.grow(block.n + entries);
      const { i32, f64 } = arena.views;
      i32[J + JOB.train] = train ? 1 : 0;
      f64[(this.job + JOB_YSHIFT) / 8] = yShift;
      i32[J + SPARSE.gOut] = this.out.g;
      i32[J + SPARSE.rowOut] = this.out.rows;
      const catching = train && block.catching;
      [i32[J + SPARSE.decay], i32[J + SPARSE.p], i32[J + SPARSE.q], i32[J + SPARSE.base]] = catching ? [1, d.p, d.q, d.base] : [0, 0, 0, 0];
      [i32[J + SPARSE.stamp], i32[J + SPARSE.list], i32[J + SPARSE.n]] = [block.stamp, fused ? block.list : 0, block.n];
      for (let i = at; i < end; i++) this.writePiece(store, pieces[i], i - at);
      i32[J + JOB.pieces] = end - at;
      i32[J + JOB.rows] = rows;
      i32[J + JOB.chunks] = chunks;
      i32[J + JOB.split] = 0;
      pool.run(this.job);
      const v = arena.views;
      this.reduce(out, v.f64, chunks);
      if (fused) block.n = v.i32[J + SPARSE.n];
      else if (train && !linear) this.scatter(store, pieces.slice(at, end));
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
    [i32[S], i32[S + 1], i32[S + 2], i32[S + 3]] = [c.ptr, c.idx, c.val, c.rs];
  }

  /** Adds the chunks' dense sums in chunk order. */
  private reduce(out: GradSums, f64: Float64Array, chunks: number): void {
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

  /** Adds dL/dz·val of every entry of the job's rows into the block's sums, in job order (in the kernels). */
  private scatter(store: SimdSparseStore, pieces: readonly Piece[]): void {
    const k = this.spec.outputs;
    let r = 0;
    for (const q of pieces) {
      this.block.scatter(this.out.g + r * k * 4, this.out.rows + r * 4, q.count, store.csr.slots[q.chunk]!);
      r += q.count;
    }
  }

  /** The host update's sums: the dense ones, and the block's scatter copied into the host's accumulator. */
  protected stepSums(step: Step): SparseSums {
    const out = this.emptySums();
    const s = this.sums(this.params, this.store, step.pieces, true, 0);
    this.block.toAccumulator(out.sparse);
    return { ...s, sparse: out.sparse };
  }

  protected stepColumns(step: Step, visit: (j: number) => void): void {
    const { u32 } = this.host.arena.views;
    for (const q of step.pieces) {
      const c = this.store.csr.slots[q.chunk]!;
      const n = this.store.rowsIn[q.chunk];
      const half = feistelHalfBits(n);
      for (let i = q.start; i < q.start + q.count; i++) {
        const row = q.shuffle ? permuteIndex(i, n, q.key, half) : i;
        if (c.rs) {
          const o = (c.idx + row * c.rs) >>> 2;
          for (let e = 1; e <= u32[o]; e++) visit(u32[o + e] & INDEX_MASK);
        } else {
          for (let e = u32[(c.ptr >> 2) + row]; e < u32[(c.ptr >> 2) + row + 1]; e++) visit(u32[(c.idx >> 2) + e] & INDEX_MASK);
        }
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
    this.block.dispose();
    if (this.out.g) this.host.arena.release(this.out.g);
    this.out = { g: 0, rows: 0, capacity: 0 };
  }
}
