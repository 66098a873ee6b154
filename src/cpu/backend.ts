// The reference backend (`--backend reference`): a plain f64-accumulating CPU loop, the oracle for every GPU and
// fast-CPU test — built to be exact, not fast (the fast CPU backend is simd_backend.ts). Rows stay float32 (as on
// the GPU); all arithmetic is f64.
import type { Backend, ChunkStore, SparseShape, TrainSession } from '../backend';
import { checkExtras, NO_EXTRAS, sameExtras, type HostChunk, type RowExtras } from '../core/dataset';
import type { EvalSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import type { Piece, Step } from '../core/schedule';
import type { RowBlock } from './hessian';
import { gradRows } from './grad_rows';
import { CpuSessionBase } from './session';
import { ReferenceSparseSession } from './sparse_reference';
import { sparseHostBytes } from '../core/sparse_session';

class CpuStore implements ChunkStore {
  readonly chunks: HostChunk[] = [];

  constructor(readonly d: number, readonly slotRows: number, readonly extras: RowExtras = NO_EXTRAS) {}

  get rowsIn(): number[] {
    return this.chunks.map((c) => c?.rows ?? 0);
  }

  async load(slot: number, chunk: HostChunk): Promise<void> {
    if (chunk.rows > this.slotRows) throw new Error(`a chunk of ${chunk.rows} rows does not fit a slot of ${this.slotRows}`);
    if (chunk.x.length < chunk.rows * this.d) throw new Error(`chunk x has ${chunk.x.length} values, expected ${chunk.rows * this.d}`);
    checkExtras(chunk, this.extras);
    // Sources hand over fresh (or immutable) arrays, so the reference is kept without a copy.
    this.chunks[slot] = chunk;
  }

  dispose(): void {
    this.chunks.length = 0;
  }
}

class CpuSession extends CpuSessionBase {
  constructor(private readonly store: CpuStore, spec: ModelSpec, init?: ModelParams) {
    super(spec, init);
  }

  protected stepSums(step: Step) {
    const out = this.emptySums();
    for (const piece of step.pieces) {
      const c = this.store.chunks[piece.chunk];
      gradRows(c.x, c.y, c.rows, this.params, piece, this.spec, 0, true, out, c);
    }
    return out;
  }

  protected rowBlock(piece: Piece): RowBlock {
    const c = this.store.chunks[piece.chunk];
    return { x: c.x, x0: 0, stride: this.spec.d, y: c.y, y0: 0, start: piece.start, count: piece.count, w: c.w, o: c.o };
  }

  protected async evaluateAt(p: ModelParams, store: ChunkStore = this.store, yShift = 0): Promise<EvalSums> {
    if (!(store instanceof CpuStore)) throw new Error('CpuBackend: evaluate() was given another backend\'s store');
    if (!sameExtras(store.extras, this.store.extras)) throw new Error('CpuBackend: evaluate() was given a store whose rows carry other per-row values');
    const out = this.emptySums();
    if (store.extras.weight) out.weight = 0;
    for (const c of store.chunks) {
      if (!c) continue;
      gradRows(c.x, c.y, c.rows, p, { start: 0, count: c.rows, key: 0, shuffle: false }, this.spec, yShift, false, out, c);
    }
    return { rows: out.rows, loss: out.loss, m: out.m, confusion: out.confusion, ...(out.weight !== undefined ? { weight: out.weight } : {}) };
  }
}

/** The f64 CPU reference backend. */
export class CpuBackend implements Backend {
  readonly kind = 'reference' as const;
  readonly device = 'CPU (f64 reference, single thread)';

  maxChunkRows(d: number): number {
    return Math.max(1, Math.floor(2 ** 28 / Math.max(1, d)));
  }

  /** The sparse block's weights, slots and the host update's accumulator (sparse_session.ts). */
  sparseModelBytes(s: SparseShape): number {
    return s.width * sparseHostBytes(s, true);
  }

  createStore(d: number, slotRows: number, _exact?: boolean, extras?: RowExtras): ChunkStore {
    return new CpuStore(d, slotRows, extras);
  }

  async createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(store instanceof CpuStore)) throw new Error('CpuBackend: the store belongs to another backend');
    if (spec.sparse) return new ReferenceSparseSession(store, spec, init, (s) => (s instanceof CpuStore ? s : null));
    return new CpuSession(store, spec, init);
  }

  dispose(): void {}
}
