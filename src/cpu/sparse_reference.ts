// The f64 reference's session for a model with a sparse block: each step's rows summed by the CPU twin of the sparse
// kernels (sparse_grad.ts) in row order, in f64; the update is the shared one (sparse_session.ts).
import type { ChunkStore, TrainSession } from '../backend';
import type { HostChunk } from '../core/dataset';
import type { EvalSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import { forPieceColumns, sparseGradCpu, type SparseRows } from './sparse_grad';
import { SparseSessionBase } from '../core/sparse_session';
import { evalSums, type SparseSums } from './sparse_sums';

/** What the reference keeps of a store: its chunks by slot. */
export interface ChunkList {
  readonly d: number;
  readonly chunks: HostChunk[];
}

/** A chunk's rows for a sparse pass, or an error saying the store holds dense rows only. */
export function sparseRows(c: HostChunk, slot: number): SparseRows {
  if (!c.sparse) throw new Error(`slot ${slot} holds rows without a sparse block; the model has one`);
  return c as SparseRows;
}

/** The reference backend's session of a model with a sparse block. */
export class ReferenceSparseSession extends SparseSessionBase<ChunkStore> implements TrainSession {
  constructor(private readonly store: ChunkList, spec: ModelSpec, init: ModelParams | undefined, private readonly owns: (s: ChunkStore) => ChunkList | null) {
    super(spec, init);
    if (store.d !== spec.sparse!.dense) throw new Error(`the store holds ${store.d} dense features; the model has ${spec.sparse!.dense}`);
  }

  protected stepSums(step: Step): SparseSums {
    const out = this.emptySums();
    for (const piece of step.pieces) sparseGradCpu(sparseRows(this.store.chunks[piece.chunk], piece.chunk), this.params, piece, this.spec, 0, true, out);
    return out;
  }

  protected stepColumns(step: Step, visit: (j: number) => void): void {
    for (const piece of step.pieces) forPieceColumns(sparseRows(this.store.chunks[piece.chunk], piece.chunk), piece, visit);
  }

  protected async evaluateAt(p: ModelParams, store: ChunkStore | undefined, yShift: number): Promise<EvalSums> {
    const list = store ? this.owns(store) : this.store;
    if (!list) throw new Error('the reference backend\'s evaluate() was given another backend\'s store');
    const out = this.emptySums();
    list.chunks.forEach((c, slot) => {
      if (c) sparseGradCpu(sparseRows(c, slot), p, { start: 0, count: c.rows, key: 0, shuffle: false }, this.spec, yShift, false, out);
    });
    return evalSums(out);
  }
}
