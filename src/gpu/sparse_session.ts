// The WebGPU session of a model with a sparse block (one output under a scalar loss, or K under a multiclass one):
// each step's sums come from the sparse kernels (sparse_grad.ts: a gather per entry and output, column-segment sums
// without float atomics) at f32 weights kept on the device (K rows of D weights, then the K biases); the update is the one every backend shares (core/sparse_session.ts: f64 parameters on the host, in
// O(the columns a step touched) for rules with a lazy form). After an update only the dense weights, the bias and the
// changed sparse columns are written back, so a step costs O(its entries), never O(width). Steps run in order on a
// promise queue (each waits for its sums); every read waits for the queue, and so does a store's next load (the
// queued steps read the rows the slot holds now).
import type { ChunkStore, TrainSession } from '../backend';
import { INDEX_MASK, type Csr } from '../core/csr';
import { LOSSES, type MultiLoss, type ScalarLoss } from '../core/losses';
import { addRowMetrics, type EvalSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import type { OptimState } from '../core/optim/apply';
import { feistelHalfBits, permuteIndex } from '../core/permute';
import type { Step } from '../core/schedule';
import { SparseSessionBase } from '../core/sparse_session';
import { evalSums, type SparseSums } from '../core/sparse_sums';
import type { SparseGradPass, SparseChunkBuffers } from './sparse_grad';
import { GpuStore } from './store';

/** Changed sparse columns closer than this are written in one run with the unchanged ones between them (floats). */
const WRITE_GAP = 256;

/** The WebGPU session of a model with a sparse block. */
export class GpuSparseSession extends SparseSessionBase<ChunkStore> implements TrainSession {
  compileSeconds = 0;
  private queue: Promise<void> = Promise.resolve();
  private pending: SparseSums | null = null;
  private allDirty = true;
  private dirty: number[] = [];
  /** The changed columns sorted for a flush (kept between steps). */
  private sorted = new Uint32Array(0);
  private readonly mirror: Float32Array<ArrayBuffer>;
  private readonly model: GPUBuffer;
  private readonly evalModel: GPUBuffer;
  private readonly norm: GPUBuffer;
  private readonly release: () => void;

  constructor(private readonly store: GpuStore, spec: ModelSpec, init: ModelParams | undefined, private readonly pass: SparseGradPass, norm: Float32Array<ArrayBuffer>) {
    super(spec, init);
    if (store.d !== spec.sparse!.dense) throw new Error(`the store holds ${store.d} dense features; the model has ${spec.sparse!.dense}`);
    const device = store.ctx.device;
    const bytes = (spec.d + 1) * spec.outputs * 4;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.mirror = new Float32Array((spec.d + 1) * spec.outputs);
    this.model = device.createBuffer({ label: 'sparse.model', size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
    this.evalModel = device.createBuffer({ label: 'sparse.model.eval', size: this.model.size, usage });
    this.norm = device.createBuffer({ label: 'sparse.norm', size: Math.max(16, norm.byteLength), usage });
    device.queue.writeBuffer(this.norm, 0, norm);
    this.release = store.holdLoads(() => this.queue.catch(() => {}));
  }

  protected override changed(j: number): void {
    if (!this.allDirty) this.dirty.push(j);
  }

  protected override changedAll(): void {
    this.allDirty = true;
  }

  /** Runs `fn` after every queued step; a failure is kept for the next read (and marked handled meanwhile). */
  private enqueue(fn: () => void | Promise<void>): void {
    this.queue = this.queue.then(fn);
    this.queue.catch(() => {});
  }

  /**
   * Writes the weights that changed since the last write (dense and biases always: every step moves them). The changed
   * sparse columns go in runs — sorted, neighbours less than WRITE_GAP apart joined, the columns between them written
   * unchanged from the mirror — one writeBuffer a run: one a column cost ~1.3 µs each, 70 ms a step of 4096 hashed rows
   * (~50,000 columns) on lavapipe, half the run's time.
   */
  private flush(): void {
    const { d: D, outputs: k } = this.spec;
    const { dense } = this.spec.sparse!;
    const w = this.params.weights;
    const m = this.mirror;
    const queue = this.store.ctx.device.queue;
    for (let c = 0; c < k; c++) m[k * D + c] = this.params.bias[c];
    if (this.allDirty) {
      for (let i = 0; i < k * D; i++) m[i] = w[i];
      queue.writeBuffer(this.model, 0, m);
    } else {
      if (this.sorted.length < this.dirty.length) this.sorted = new Uint32Array(2 * this.dirty.length);
      const cols = this.sorted.subarray(0, this.dirty.length);
      cols.set(this.dirty);
      cols.sort();
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < dense; j++) m[c * D + j] = w[c * D + j];
        if (dense) queue.writeBuffer(this.model, c * D * 4, m, c * D, dense);
        const base = c * D + dense;
        for (let q = 0; q < cols.length; q++) m[base + cols[q]] = w[base + cols[q]];
        for (let q = 0; q < cols.length;) {
          const first = cols[q];
          let last = first;
          for (q++; q < cols.length && cols[q] - last < WRITE_GAP; q++) last = cols[q];
          queue.writeBuffer(this.model, (base + first) * 4, m, base + first, last - first + 1);
        }
      }
      queue.writeBuffer(this.model, k * D * 4, m, k * D, k);
    }
    this.allDirty = false;
    this.dirty.length = 0;
  }

  /** Slot `slot` of a store as the kernels bind it. */
  private slotOf(store: GpuStore, slot: number): { buffers: SparseChunkBuffers; csr: Csr } {
    const sp = store.sparse[slot];
    const s = store.slots[slot];
    if (!sp || !s) throw new Error(`slot ${slot} holds rows without a sparse block; the model has one`);
    return { buffers: { rows: store.rowsIn[slot], x: s.x, y: s.y, ptr: sp.ptr, idx: sp.idx, val: sp.val }, csr: sp.csr };
  }

  /** A step's sums from the kernels, at the current weights. */
  private async sums(step: Step): Promise<SparseSums> {
    this.flush();
    const out = this.emptySums();
    const k = this.spec.outputs;
    const dense = this.spec.sparse!.dense;
    for (const piece of step.pieces) {
      const { buffers, csr } = this.slotOf(this.store, piece.chunk);
      const r = await this.pass.run(buffers, csr, piece, this.model, this.norm);
      out.rows += r.rows;
      out.loss += r.loss;
      for (let c = 0; c < k; c++) out.gradBias[c] += r.gradBias[c];
      for (let i = 0; i < k * dense; i++) out.grad[i] += r.grad[i];
      const n = r.cols.length;
      for (let c = 0; c < k; c++) r.cols.forEach((j, q) => out.sparse.add(j, c, r.sparse[c * n + q]));
    }
    return out;
  }

  protected stepSums(): SparseSums {
    const s = this.pending;
    if (!s) throw new Error('GpuSparseSession: a step ran without its sums');
    this.pending = null;
    return s;
  }

  protected stepColumns(step: Step, visit: (j: number) => void): void {
    for (const piece of step.pieces) {
      const { ptr, idx } = this.slotOf(this.store, piece.chunk).csr;
      const rows = this.store.rowsIn[piece.chunk];
      const half = feistelHalfBits(rows);
      for (let i = piece.start; i < piece.start + piece.count; i++) {
        const row = piece.shuffle ? permuteIndex(i, rows, piece.key, half) : i;
        for (let e = ptr[row]; e < ptr[row + 1]; e++) visit(idx[e] & INDEX_MASK);
      }
    }
  }

  protected async evaluateAt(p: ModelParams, store: ChunkStore | undefined, yShift: number): Promise<EvalSums> {
    const s = store ?? this.store;
    if (!(s instanceof GpuStore) || s.ctx !== this.store.ctx) throw new Error('WebGpuBackend: evaluate() was given another backend\'s store');
    const { d: D, outputs: k } = this.spec;
    const f = new Float32Array((D + 1) * k);
    for (let i = 0; i < k * D; i++) f[i] = p.weights[i];
    for (let c = 0; c < k; c++) f[k * D + c] = p.bias[c];
    s.ctx.device.queue.writeBuffer(this.evalModel, 0, f);
    const out = this.emptySums();
    const unit = LOSSES[this.spec.loss];
    const z = new Float64Array(k);
    for (let slot = 0; slot < s.rowsIn.length; slot++) {
      const rows = s.rowsIn[slot];
      if (!rows) continue;
      const { buffers, csr } = this.slotOf(s, slot);
      const o = await this.pass.outputs(buffers, csr, { start: 0, count: rows, shuffle: false, key: 0 }, this.evalModel, this.norm);
      for (let r = 0; r < rows; r++) {
        if (unit.task === 'multiclass') {
          // (loss, y, K dL/dz, K z's): the metrics of the f64 reference's sparse pass (cpu/sparse_grad.ts) from the z's.
          const at = r * (2 + 2 * k);
          const t = o[at + 1];
          let best = 0;
          for (let c = 0; c < k; c++) {
            z[c] = o[at + 2 + k + c];
            if (z[c] > z[best]) best = c;
          }
          const loss = (unit as MultiLoss).valueDz(z, t, null);
          out.loss += loss;
          if (best === t) out.m[0] += 1;
          out.m[1] += loss;
          if (out.confusion) out.confusion[t * k + best] += 1;
        } else {
          const zr = o[4 * r + 2];
          const t = o[4 * r + 3];
          out.loss += (unit as ScalarLoss).value(zr, t, this.spec.lossHp);
          addRowMetrics(unit as ScalarLoss, zr, t, yShift, this.spec.lossHp, out.m, out.confusion);
        }
      }
      out.rows += rows;
    }
    return evalSums(out);
  }

  override runSteps(steps: readonly Step[]): void {
    const list = [...steps];
    this.enqueue(async () => {
      for (const step of list) {
        this.begin(step);
        this.pending = await this.sums(step);
        super.runSteps([step]);
      }
    });
  }

  override async gradient(step: Step): Promise<Gradient> {
    await this.queue;
    this.current();
    this.pending = await this.sums(step);
    return super.gradient(step);
  }

  override async readLosses(count: number): Promise<Float64Array> {
    await this.queue;
    return super.readLosses(count);
  }

  override async readModel(which?: 'current' | 'average'): Promise<ModelParams> {
    await this.queue;
    return super.readModel(which);
  }

  override async viewModel(which?: 'current' | 'average'): Promise<ModelParams> {
    await this.queue;
    return super.viewModel(which);
  }

  override async evaluate(store?: ChunkStore, yShift = 0, which?: 'current' | 'average'): Promise<EvalSums> {
    await this.queue;
    return super.evaluate(store, yShift, which);
  }

  override writeModel(p: ModelParams): void {
    const { d, outputs } = this.spec;
    if (p.weights.length !== d * outputs || p.bias.length !== outputs) {
      throw new Error(`parameters of ${p.bias.length} output(s) × ${p.weights.length / Math.max(1, p.bias.length)} features do not fit a model of ${outputs} × ${d}`);
    }
    this.enqueue(() => super.writeModel(p));
  }

  override async readState(): Promise<OptimState> {
    await this.queue;
    return super.readState();
  }

  override writeState(s: OptimState): void {
    this.enqueue(() => super.writeState(s));
  }

  override async sync(): Promise<void> {
    await this.queue;
  }

  override dispose(): void {
    this.release();
    this.pass.dispose();
    for (const b of [this.model, this.evalModel, this.norm]) b.destroy();
  }
}
