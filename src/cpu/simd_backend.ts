// The fast CPU backend (`--backend cpu`): f32 rows in one WebAssembly memory, SIMD128 kernels (simd/kernels.ts)
// for the O(D) work of each row, each loss's f32 part (simd/losses/) for training and the registry's f64 unit for
// metrics, and every core (simd_pool.ts). A step's gradient sums come back in f64 and the session base class
// (session.ts) applies the update rule in f64 on the host, so every penalty and optimizer of the registries trains
// here exactly as on the reference.
import type { Backend, ChunkStore, PassStore, RowFeed, SparseShape, TrainSession } from '../backend';
import { checkExtras, NO_EXTRAS, sameExtras, type HostChunk, type RecordDecoder, type RowEntries, type RowExtras, type RowRecords } from '../core/dataset';
import { LOSS_NAMES } from '../core/losses';
import { confusionClasses, type EvalSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import type { Piece, Step } from '../core/schedule';
import type { ColumnStats } from '../core/stats';
import type { GradSums } from './grad_sums';
import { Arena, canShare } from './simd_arena';
import binaries from './simd/kernels.ts?simd';
import { ThreadPool, type Spawner } from './simd_pool';
import { ThreadChooser, type ChooserTuning } from './simd_threads';
import {
  blockRows, JOB, JOB_HP, JOB_PIECES, JOB_YSHIFT, PIECE_WORDS, scratchBytes, STRIPE_BIAS, STRIPE_LOSS, STRIPE_M, STRIPE_ROWS, STRIPE_WEIGHT, stripeBytes,
} from './simd_rows';
import type { RowBlock } from './hessian';
import { CpuSessionBase } from './session';
import { meanGradient } from './apply_update';
import { SimdPassStore, type JobRunner } from './simd_pass_store';
import { CsrSlots, recordEntries, recordsFit } from './simd_sparse_store';
import { SimdSparseSession } from './simd_sparse';
import { blockLayout, kernelRule } from './simd_sparse_update';
import { sparseHostBytes } from '../core/sparse_session';
import { OPTIMIZERS } from '../core/optim';

/** Pieces per job; a step or an evaluation over more chunks runs as several jobs. */
const MAX_PIECES = 256;
/** Blocks of rows whose indices are computed and touched ahead of the block being gathered (shuffled pieces). */
const PREFETCH = 2;
/** Records per call of the statistics kernel (simd/records.ts recordStats: pieces, so that it is optimized early). */
const STATS_PIECE = 16384;
/** Bytes of rows per chunk of a job at least (what one thread claims at a time; waking a thread costs about this much work). */
const MIN_CHUNK_BYTES = 1 << 17;
/** Chunks per job at most: enough to balance the threads, few enough that adding their result slots stays cheap. */
const MAX_CHUNKS = 16;

/** How to build the backend. */
export interface SimdOptions {
  /** Threads, the calling one included (default 1): the most that take part in a job. */
  threads?: number;
  /**
   * How many threads take part in each job (default true): chosen per job size by timing all of them against the
   * calling thread alone, again every few hundred jobs (simd_threads.ts; tuning by an object); false: always all.
   */
  adapt?: boolean | Partial<ChooserTuning>;
  /** Starts workers (needed when threads > 1). */
  spawn?: Spawner | null;
  /** Blocks prefetched ahead in shuffled pieces (tuning; default 2). */
  prefetch?: number;
  /** Bytes of rows per chunk at least (tuning; default 128 KiB; 0: every job in the most chunks, so all threads take part). */
  minChunkBytes?: number;
  /** Bytes of rows a store that reads them at every pass reads at a time into each of its two buffers (tuning; default 16 MiB). */
  roundBytes?: number;
  /** Passes such a store reads before it holds the rows instead (tuning; default 12). */
  holdAfter?: number;
  /** Said in the device string (e.g. why there is one thread). */
  note?: string;
}

const rowBytesOf = (d: number) => Math.ceil(d / 4) * 16;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** What the fast CPU backend keeps beside a sparse model's block (see sparseModelBytes). */
const CPU_SHARE = 64 * 2 ** 20;

/** The kernels compiled for a shared (threads) or a plain memory. */
export function kernelModule(shared: boolean): WebAssembly.Module {
  return new WebAssembly.Module(decode(shared ? binaries.shared : binaries.plain));
}

/**
 * Rows in the arena, one allocation per slot: x zero-padded to a multiple of 4 floats, then y, then w and o when
 * kept (0: none), a sparse block beside — or, for rows with a sparse block of about as many entries each and no
 * weights or offsets, one record a row (simd_sparse_store.ts): x, y, then the row's entries (xs = ys = its stride).
 */
export class SimdStore implements ChunkStore {
  readonly rowsIn: number[] = [];
  readonly slots: SimdSlot[] = [];
  readonly rb: number;
  /** The slots' sparse blocks (rows with categorical or svmlight features). */
  readonly csr: CsrSlots;
  /** Where sources read cache blocks that the kernel decodes into records (recordView). */
  private scratch = { at: 0, size: 0 };
  /** Where a holdout's selection of a block's rows is copied for the kernel. */
  private selScratch = { at: 0, size: 0 };

  constructor(
    readonly d: number, readonly slotRows: number, private readonly exact: boolean, private readonly arena: Arena, readonly extras: RowExtras = NO_EXTRAS,
  ) {
    this.rb = rowBytesOf(d);
    this.csr = new CsrSlots(arena);
  }

  async load(slot: number, chunk: HostChunk): Promise<void> {
    const { d, rb } = this;
    if (chunk.rows > this.slotRows) throw new Error(`a chunk of ${chunk.rows} rows does not fit a slot of ${this.slotRows}`);
    if (chunk.x.length < chunk.rows * d) throw new Error(`chunk x has ${chunk.x.length} values, expected ${chunk.rows * d}`);
    checkExtras(chunk, this.extras);
    const S = chunk.sparse && !this.extras.weight && !this.extras.offset ? recordEntries(chunk.sparse, chunk.rows) : null;
    const s = this.slot(slot, chunk.rows, S === null ? 0 : recordBytes(rb, S, chunk.sparse!.val !== null));
    this.rowsIn[slot] = chunk.rows;
    if (S !== null) return this.loadRecords(slot, s, chunk, S);
    // The sparse block's allocation may grow the memory (a plain one's buffer is then replaced): views after it.
    if (chunk.sparse) this.csr.load(slot, chunk.sparse, chunk.rows);
    const { f32 } = this.arena.views;
    if (chunk.x.buffer === f32.buffer && chunk.x.byteOffset === s.x && chunk.y.byteOffset === s.y) return; // its own slotView
    if (rb === d * 4) f32.set(chunk.x.subarray(0, chunk.rows * d), s.x / 4);
    else for (let r = 0; r < chunk.rows; r++) f32.set(chunk.x.subarray(r * d, (r + 1) * d), s.x / 4 + (r * rb) / 4);
    f32.set(chunk.y.subarray(0, chunk.rows), s.y / 4);
    if (s.w) f32.set(chunk.w!.subarray(0, chunk.rows), s.w / 4);
    if (s.o) f32.set(chunk.o!.subarray(0, chunk.rows), s.o / 4);
  }

  /** A chunk's rows as row records (x, y, then the entries: S a row) in slot s. */
  private loadRecords(slot: number, s: SimdSlot, chunk: HostChunk, S: number): void {
    const { d, rb } = this;
    const rs = s.xs;
    this.csr.loadRecords(slot, chunk.sparse!, chunk.rows, s.x + rb + 4, rs, S);
    const { f32 } = this.arena.views;
    const { x, y } = chunk;
    for (let r = 0, o = s.x >>> 2; r < chunk.rows; r++, o += rs >>> 2) {
      for (let j = 0; j < d; j++) f32[o + j] = x[r * d + j];
      f32[o + (rb >>> 2)] = y[r];
    }
  }

  /** Rows with a sparse block of about as many entries each, without weights or offsets, are kept as records (see loadRecords). */
  recordView(slot: number, rows: number, entries: RowEntries): RowRecords | null {
    const { rb } = this;
    const { most, nnz, valued } = entries;
    if (rows > this.slotRows || this.extras.weight || this.extras.offset || !recordsFit(rows, most, nnz)) return null;
    const s = this.slot(slot, rows, recordBytes(rb, most, valued));
    this.rowsIn[slot] = rows;
    this.csr.recordSlot(slot, s.x + rb + 4, s.xs, most, rows, valued, most);
    // Views read afresh at each use: a memory that grows between a source's reads (not shared) replaces its buffer.
    const arena = this.arena;
    const blocks: RecordDecoder = {
      buffer: (bytes) => {
        const at = this.readBuffer(bytes); // first: it may grow the memory (a plain one's buffer is then replaced)
        return new Uint8Array(arena.views.f32.buffer, at, bytes);
      },
      decode: (n, d, kind, width, from, to, row, select) =>
        arena.kernels.csrRecords(this.scratch.at, n, d, kind, width, from, to, select ? this.selection(select) : 0, s.x + row * s.xs, s.xs, rb, rb + 4, most),
      release: () => this.releaseBuffer(),
    };
    const columnStats = (offsets: readonly number[]): ColumnStats[] => {
      const cols = offsets.length;
      const tmp = arena.alloc(cols * 4 + cols * 40 + 8);
      const out = tmp + Math.ceil(cols / 2) * 8;
      arena.views.u32.set(offsets.map((o) => o * 4), tmp >>> 2);
      const kn = arena.kernels;
      kn.recordStats(0, 0, 0, 0, tmp, cols, out);
      for (let r = 0; r < rows; r += STATS_PIECE) kn.recordStats(1, s.x + r * s.xs, Math.min(STATS_PIECE, rows - r), s.xs, tmp, cols, out);
      kn.recordStats(2, 0, rows, 0, tmp, cols, out);
      for (let r = 0; r < rows; r += STATS_PIECE) kn.recordStats(3, s.x + r * s.xs, Math.min(STATS_PIECE, rows - r), s.xs, tmp, cols, out);
      kn.recordStats(4, 0, rows, 0, tmp, cols, out);
      const f = arena.views.f64.slice(out >>> 3, (out >>> 3) + cols * 4);
      arena.release(tmp);
      return offsets.map((_, j) => ({ count: rows, mean: f[j * 4], m2: f[j * 4 + 1], min: f[j * 4 + 2], max: f[j * 4 + 3] }));
    };
    return {
      rows, at: s.x >>> 2, stride: s.xs >>> 2, yAt: rb >>> 2, nAt: (rb >>> 2) + 1, S: most, valued, blocks, columnStats,
      get f32() { return arena.views.f32; },
      get u32() { return arena.views.u32; },
    };
  }

  /** The arena's bytes a source reads a block into (kept for the next, grown as needed; freed when the source is done). */
  private readBuffer(bytes: number): number {
    if (this.scratch.size < bytes) {
      if (this.scratch.size) this.arena.release(this.scratch.at);
      this.scratch = { at: this.arena.alloc(bytes, false), size: bytes }; // a block is read over it whole
    }
    return this.scratch.at;
  }

  /** Dense rows (D a multiple of 4) without weights or offsets are laid out as a chunk's: x, then y. */
  slotView(slot: number, rows: number): HostChunk | null {
    if (this.rb !== this.d * 4 || rows > this.slotRows || this.extras.weight || this.extras.offset) return null;
    const s = this.slot(slot, rows, 0);
    const { f32 } = this.arena.views;
    const { kernels } = this.arena;
    const allFinite = (v: Float32Array) => v.buffer === this.arena.views.f32.buffer && kernels.allFinite(v.byteOffset, v.length) === 1;
    return { rows, x: f32.subarray(s.x / 4, s.x / 4 + rows * this.d), y: f32.subarray(s.y / 4, s.y / 4 + rows), allFinite };
  }

  /**
   * Slot `slot`, (re)allocated when it holds fewer than `rows` rows or another layout: rs = 0 arrays, else row records
   * of at least rs bytes (a slot's larger records are kept for a chunk whose rows need less).
   */
  private slot(slot: number, rows: number, rs: number): SimdSlot {
    let s = this.slots[slot];
    const fits = s && s.capacity >= rows && (rs ? s.xs >= rs : s.xs === this.rb);
    if (!s || !fits) {
      if (s) this.arena.release(s.x);
      const capacity = Math.max(1, this.exact ? rows : this.slotRows);
      if (rs) {
        const x = this.arena.alloc(capacity * rs);
        s = this.slots[slot] = { x, y: x + this.rb, w: 0, o: 0, capacity, xs: rs, ys: rs };
      } else {
        const { weight, offset } = this.extras;
        const x = this.arena.alloc(capacity * (this.rb + 4 + (weight ? 4 : 0) + (offset ? 4 : 0)));
        const y = x + capacity * this.rb;
        const w = weight ? y + capacity * 4 : 0;
        s = this.slots[slot] = { x, y, w, o: offset ? (w || y) + capacity * 4 : 0, capacity, xs: this.rb, ys: 4 };
      }
    }
    return s;
  }

  /** A selection of rows copied into the arena (kept for the next, grown as needed; freed with the read buffer). */
  private selection(select: Uint8Array): number {
    if (this.selScratch.size < select.length) {
      if (this.selScratch.size) this.arena.release(this.selScratch.at);
      this.selScratch = { at: this.arena.alloc(select.length, false), size: select.length }; // written whole at each use
    }
    new Uint8Array(this.arena.views.f32.buffer, this.selScratch.at, select.length).set(select);
    return this.selScratch.at;
  }

  private releaseBuffer(): void {
    if (this.scratch.size) this.arena.release(this.scratch.at);
    if (this.selScratch.size) this.arena.release(this.selScratch.at);
    this.scratch = { at: 0, size: 0 };
    this.selScratch = { at: 0, size: 0 };
  }

  dispose(): void {
    this.releaseBuffer();
    this.csr.dispose();
    for (const s of this.slots) if (s) this.arena.release(s.x);
    this.slots.length = 0;
    this.rowsIn.length = 0;
  }
}

/** A store's slot: byte offsets of its rows' x, y, weights and offsets (0: none), rows it holds, and x's and y's strides. */
export interface SimdSlot {
  x: number;
  y: number;
  w: number;
  o: number;
  capacity: number;
  xs: number;
  ys: number;
}

/** A slot a model without a sparse block reads: loaded, its rows in arrays (row records hold a sparse block's rows). */
function denseSlot(store: SimdStore, chunk: number): SimdSlot {
  const s = store.slots[chunk];
  if (!s) throw new Error(`slot ${chunk} was never loaded`);
  if (s.xs !== store.rb) throw new Error(`slot ${chunk} holds rows with a sparse block: the model needs one`);
  return s;
}

/** Bytes of a row record (x of rb bytes, y, the count, S indices and, valued, S values), a multiple of 16 (x's vectors stay aligned). */
function recordBytes(rb: number, S: number, valued: boolean): number {
  return Math.ceil((rb + 8 + 4 * S * (valued ? 2 : 1)) / 16) * 16;
}

/** A model on the fast backend: f64 parameters on the host (CpuSessionBase), f32 copies and the job in the arena. */
class SimdSession extends CpuSessionBase {
  private readonly rb: number;
  private readonly classes: number;
  private readonly allocs: number[] = [];
  private readonly w: number;
  private readonly job: number;
  private readonly results: number;
  private readonly stripe: number;
  private readonly maxChunks: number;

  constructor(private readonly store: SimdStore | SimdPassStore, private readonly backend: SimdCpuBackend, spec: ModelSpec, init?: ModelParams) {
    super(spec, init);
    const { d, outputs: k } = spec;
    const { arena, pool, prefetch } = backend;
    const threads = pool.threads;
    const rb = (this.rb = rowBytesOf(d));
    this.classes = confusionClasses(spec.loss, k);
    const block = blockRows(rb);
    const scratch = scratchBytes(block, rb, k, prefetch);
    this.stripe = stripeBytes(k, rb, this.classes);
    const take = (bytes: number) => {
      const at = arena.alloc(bytes);
      this.allocs.push(at);
      return at;
    };
    this.w = take(k * rb + k * 4);
    this.job = take(JOB_PIECES + MAX_PIECES * PIECE_WORDS * 4);
    // Large models (K × D) get fewer chunks, so their result slots stay within ~64 MiB.
    this.maxChunks = Math.max(threads, Math.min(MAX_CHUNKS, Math.floor(2 ** 26 / this.stripe)));
    this.results = take(this.maxChunks * this.stripe);
    const scratchAt = take(threads * scratch);
    let norm = 0;
    if (spec.standardize) {
      norm = take(2 * rb);
      const { f32 } = arena.views;
      f32.set(spec.standardize.mean, norm / 4);
      f32.set(spec.standardize.invStd, (norm + rb) / 4);
    }
    const { i32, f64 } = arena.views;
    const J = this.job / 4;
    i32[J + JOB.loss] = LOSS_NAMES.indexOf(spec.loss);
    i32[J + JOB.k] = k;
    i32[J + JOB.rb] = rb;
    i32[J + JOB.w] = this.w;
    i32[J + JOB.b] = this.w + k * rb;
    i32[J + JOB.norm] = norm;
    i32[J + JOB.results] = this.results;
    i32[J + JOB.stripe] = this.stripe;
    i32[J + JOB.scratch] = scratchAt;
    i32[J + JOB.scratchStride] = scratch;
    i32[J + JOB.block] = block;
    i32[J + JOB.classes] = this.classes;
    i32[J + JOB.prefetch] = prefetch;
    f64.set(spec.lossHp, (this.job + JOB_HP) / 8);
  }

  /** Empty sums for a job over `store` with parameters p: written to the arena with the job's mode. */
  private begin(p: ModelParams, store: ChunkStore, train: boolean, yShift: number): GradSums {
    const out = this.emptySums();
    if (!train && store.extras.weight) out.weight = 0;
    const { d, outputs: k } = this.spec;
    const { f32, i32, f64 } = this.backend.arena.views;
    const dp = this.rb / 4;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) f32[this.w / 4 + c * dp + j] = p.weights[c * d + j];
      f32[this.w / 4 + k * dp + c] = p.bias[c];
    }
    i32[this.job / 4 + JOB.train] = train ? 1 : 0;
    f64[(this.job + JOB_YSHIFT) / 8] = yShift;
    return out;
  }

  /** Chunks of a job over this many rows. */
  private chunksFor(rows: number): number {
    return Math.max(1, Math.min(this.maxChunks, Math.floor((rows * (this.rb + 4)) / Math.max(1, this.backend.minChunkBytes))));
  }

  /** Runs the job whose pieces are written, adding its sums to out. */
  private runJob(out: GradSums, pieces: number, rows: number, chunks: number): void {
    this.writeJob(pieces, rows, chunks);
    this.backend.pool.run(this.job);
    this.reduce(out, this.backend.arena.views.f64, chunks);
  }

  /** Writes a job's size (its pieces written before) and how its chunks split its rows (see runJobChunks). */
  private writeJob(pieces: number, rows: number, chunks: number, span = 0, n = 0, first = 0): void {
    const { i32 } = this.backend.arena.views;
    const J = this.job / 4;
    i32[J + JOB.pieces] = pieces;
    i32[J + JOB.rows] = rows;
    i32[J + JOB.chunks] = chunks;
    i32[J + JOB.split] = n > 0 ? n | (first << 16) : 0;
    i32[J + JOB.span] = span;
  }

  /** Sums over pieces of rows of `store` at the current parameters, on every thread. */
  private sums(p: ModelParams, store: SimdStore, pieces: readonly Piece[], train: boolean, yShift: number): GradSums {
    const out = this.begin(p, store, train, yShift);
    const { i32 } = this.backend.arena.views;
    const J = this.job / 4;
    // Plain loops, no arrays per job: at B = 4096 a step is ~80 µs, and its bookkeeping used to be a tenth of it.
    for (let at = 0; at < pieces.length; at += MAX_PIECES) {
      const end = Math.min(pieces.length, at + MAX_PIECES);
      let rows = 0;
      for (let i = at; i < end; i++) {
        const q = pieces[i];
        const s = denseSlot(store, q.chunk);
        const P = J + JOB_PIECES / 4 + (i - at) * PIECE_WORDS;
        i32[P] = s.x;
        i32[P + 1] = s.y;
        i32[P + 2] = store.rowsIn[q.chunk];
        i32[P + 3] = q.start;
        i32[P + 4] = q.count;
        i32[P + 5] = q.key | 0;
        i32[P + 6] = q.shuffle ? 1 : 0;
        i32[P + 8] = s.w;
        i32[P + 9] = s.o;
        rows += q.count;
      }
      this.runJob(out, end - at, rows, this.chunksFor(rows));
    }
    return out;
  }

  /** sums() over a store that reads its rows at every pass: the same jobs, each read a round of chunks at a time. */
  private async passSums(p: ModelParams, store: SimdPassStore, pieces: readonly Piece[], train: boolean, yShift: number): Promise<GradSums> {
    const out = this.begin(p, store, train, yShift);
    const J = this.job / 4;
    const job: JobRunner = {
      chunksFor: (rows) => this.chunksFor(rows),
      piece: (i, x, y, n, start, count) => {
        const { i32 } = this.backend.arena.views;
        const P = J + JOB_PIECES / 4 + i * PIECE_WORDS;
        [i32[P], i32[P + 1], i32[P + 2], i32[P + 3], i32[P + 4], i32[P + 5], i32[P + 6], i32[P + 8], i32[P + 9]] = [x, y, n, start, count, 0, 0, 0, 0];
      },
      open: (n, rows, chunks, span, of, first) => {
        // The buffers' reads may have grown the memory: the parameters and mode stay where they were written.
        this.writeJob(n, rows, chunks, span, of, first);
        open = chunks;
        this.backend.pool.open(this.job);
      },
      join: () => {
        this.backend.pool.join();
        this.reduce(out, this.backend.arena.views.f64, open);
      },
    };
    let open = 0;
    await store.sums(pieces, MAX_PIECES, job);
    return out;
  }

  override async gradient(step: Step): Promise<Gradient> {
    if (!(this.store instanceof SimdPassStore)) return super.gradient(step);
    return meanGradient(await this.passSums(this.params, this.store, step.pieces, true, 0), this.spec.meanWeight);
  }

  /** Adds the chunks' result slots in chunk order: the same sums whichever threads took the chunks. */
  private reduce(out: GradSums, f64: Float64Array, chunks: number): void {
    const { d, outputs: k } = this.spec;
    const dp = this.rb / 4;
    for (let t = 0; t < chunks; t++) {
      const g = (this.results + t * this.stripe) / 8;
      const s = g + k * dp;
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out.grad[c * d + j] += f64[g + c * dp + j];
      out.loss += f64[s + STRIPE_LOSS];
      out.rows += f64[s + STRIPE_ROWS];
      if (out.weight !== undefined) out.weight += f64[s + STRIPE_WEIGHT];
      for (let i = 0; i < 4; i++) out.m[i] += f64[s + STRIPE_M + i];
      for (let c = 0; c < k; c++) out.gradBias[c] += f64[s + STRIPE_BIAS + c];
      if (out.confusion) for (let i = 0; i < out.confusion.length; i++) out.confusion[i] += f64[s + STRIPE_BIAS + k + i];
    }
  }

  protected rowBlock(piece: Piece): RowBlock {
    if (this.store instanceof SimdPassStore) throw new Error('the CPU backend reads these rows at every pass: Newton\'s Hessian needs them resident');
    const s = denseSlot(this.store, piece.chunk);
    const { f32 } = this.backend.arena.views;
    return {
      x: f32, x0: s.x / 4, stride: this.rb / 4, y: f32, y0: s.y / 4, start: piece.start, count: piece.count,
      ...(s.w ? { w: f32, w0: s.w / 4 } : {}), ...(s.o ? { o: f32, o0: s.o / 4 } : {}),
    };
  }

  protected stepSums(step: Step): GradSums {
    if (this.store instanceof SimdPassStore) throw new Error('the CPU backend reads these rows at every pass: it takes gradients and evaluations, not steps');
    return this.sums(this.params, this.store, step.pieces, true, 0);
  }

  protected async evaluateAt(p: ModelParams, store: ChunkStore = this.store, yShift = 0): Promise<EvalSums> {
    if (!(store instanceof SimdStore || store instanceof SimdPassStore)) throw new Error('the CPU backend\'s evaluate() was given another backend\'s store');
    if (!sameExtras(store.extras, this.store.extras)) throw new Error('the CPU backend\'s evaluate() was given a store whose rows carry other per-row values');
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, key: 0, shuffle: false }] : []));
    const s = store instanceof SimdPassStore ? await this.passSums(p, store, pieces, false, yShift) : this.sums(p, store, pieces, false, yShift);
    return { rows: s.rows, loss: s.loss, m: s.m, confusion: s.confusion, ...(s.weight !== undefined ? { weight: s.weight } : {}) };
  }

  override dispose(): void {
    for (const at of this.allocs.splice(0)) this.backend.arena.release(at);
  }
}

/** The fast CPU backend: f32 SIMD on every core the options give it. */
export class SimdCpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly arena: Arena;
  readonly threads: number;
  readonly prefetch: number;
  readonly minChunkBytes: number;
  private poolInstance: ThreadPool | null = null;

  constructor(private readonly o: SimdOptions = {}) {
    const shared = (o.threads ?? 1) > 1 && canShare();
    this.threads = shared ? Math.max(1, Math.floor(o.threads ?? 1)) : 1;
    this.prefetch = o.prefetch ?? PREFETCH;
    this.minChunkBytes = o.minChunkBytes ?? MIN_CHUNK_BYTES;
    this.arena = new Arena(shared, kernelModule(shared));
  }

  get device(): string {
    const t = this.adaptive ? `up to ${this.threads} threads, chosen by measurement` : `${this.threads} thread${this.threads > 1 ? 's' : ''}`;
    return `CPU (f32 SIMD, ${t}${this.o.note ? `; ${this.o.note}` : ''})`;
  }

  /** Whether the thread count of each job is chosen by measurement (several threads, not pinned). */
  get adaptive(): boolean {
    return this.threads > 1 && this.o.adapt !== false;
  }

  get pool(): ThreadPool {
    if (this.poolInstance) return this.poolInstance;
    const adapt = this.o.adapt;
    const chooser = this.adaptive ? new ThreadChooser(typeof adapt === 'object' ? adapt : {}) : null;
    return (this.poolInstance = new ThreadPool(this.arena, this.threads, this.o.spawn ?? null, chooser));
  }

  maxChunkRows(d: number): number {
    return Math.max(1, Math.floor(2 ** 30 / (rowBytesOf(d) + 4)));
  }

  /**
   * The host's f64 weights and slots, the arena's column records, for rules the host updates its accumulator and
   * marks — and the backend's own share beside them (worker threads, scratch, the arena's spare room): measured
   * about 50 MiB more than the reference's at 2^24 buckets, streamed (bench/RESULTS.md).
   */
  sparseModelBytes(s: SparseShape): number {
    const kernel = kernelRule(s);
    return s.width * (sparseHostBytes(s, !kernel) + blockLayout(s, s.outputs, OPTIMIZERS[s.optimizer].slots).stride + (kernel ? 0 : 1)) + CPU_SHARE;
  }

  createPassStore(d: number, slotRows: number, feed: RowFeed): PassStore {
    if (this.threads > 1) void this.pool;
    return new SimdPassStore(d, slotRows, rowBytesOf(d), feed, this.arena, this.o.roundBytes, this.o.holdAfter);
  }

  createStore(d: number, slotRows: number, exact = false, extras?: RowExtras): ChunkStore {
    // A store is filled before a session opens: the workers start now, compiling their kernels while the rows are read.
    if (this.threads > 1) void this.pool;
    return new SimdStore(d, slotRows, exact, this.arena, extras);
  }

  async createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(store instanceof SimdStore || store instanceof SimdPassStore)) throw new Error('the CPU backend was given another backend\'s store');
    if (spec.sparse) {
      if (!(store instanceof SimdStore)) throw new Error('a model with a sparse block needs its rows resident on the CPU backend');
      await this.pool.whenReady();
      return new SimdSparseSession(store, this, spec, init);
    }
    if (store.d !== spec.d) throw new Error(`the store holds ${store.d} features; the model has ${spec.d}`);
    await this.pool.whenReady();
    return new SimdSession(store, this, spec, init);
  }

  dispose(): void {
    this.poolInstance?.dispose();
    this.poolInstance = null;
  }
}
