// The step encoding of a GPU training session: the uniform ring of step parameters and the partial rows, steps
// encoded many per submit (plain SGD FUSED in one dispatch per step, else a gradient pass per piece then
// apply_update). The encoding loop allocates nothing per step or piece: records are written into the ring's staging
// words (the layouts' generated writers, params.ts), one writeBuffer per submit, and the bind groups and half widths are cached per chunk slot.
import { stepDivisor, type ModelSpec } from '../core/model';
import { OPTIMIZERS } from '../core/optim';
import { feistelHalfBits } from '../core/permute';
import type { Piece, Step } from '../core/schedule';
import { FUSE, GRAD_PARAMS, gradBindGroup, planSpan, type GradPipelines } from './linear_grad';
import { UPDATE_PARAMS, updateBindGroup, type UpdatePipelines } from './apply_update';
import type { PassProfiler } from './profiler';
import type { GpuStore } from './store';

const writeGrad = GRAD_PARAMS.write;
const writeUpdate = UPDATE_PARAMS.write;
const SLOT = 256; // bytes per params record in the ring (≥ minUniformBufferOffsetAlignment everywhere)
const SLOT_WORDS = SLOT / 4;
const RING_SLOTS = 4096;
const SUBMIT_SLOTS = 512;
/** Pieces one step (or one evaluation round) may have. */
export const MAX_PIECES = 64;
/** Bytes of partial rows a session keeps (two halves): bounds the workgroups per piece for wide K-output models. */
const PARTIAL_BYTES = 2 ** 26;
const { STORAGE, UNIFORM, COPY_DST } = { STORAGE: 0x80, UNIFORM: 0x40, COPY_DST: 0x8 };

/** How a submit's steps end: apply the update, only sum the gradient, sum evaluation metrics, or FUSED SGD. */
export type Mode = 'apply' | 'sum' | 'eval' | 'fused';

/** The session's buffers the kernels bind besides the ring and the partial rows. */
export interface StepBuffers {
  model: GPUBuffer; sums: GPUBuffer; history: GPUBuffer; norm: GPUBuffer; hp: GPUBuffer; state: GPUBuffer; confusion: GPUBuffer;
}

/** Encodes and submits a session's steps; owns the params ring, the partial rows and the bind groups over them. */
export class StepEncoder {
  /** Iterates averaged so far (the average lives in the model buffer's third half). */
  averaged = 0;
  private readonly device: GPUDevice;
  private readonly ring: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly updateGroup: GPUBindGroup;
  private readonly groups = new WeakMap<GPUBuffer, GPUBindGroup>();
  private readonly staging = new ArrayBuffer(RING_SLOTS * SLOT);
  private readonly words = new Uint32Array(this.staging);
  private readonly floats = new Float32Array(this.staging);
  /** The records every dispatch fills in and writes (reused: the loop allocates nothing). */
  private readonly rec = GRAD_PARAMS.zero();
  private readonly upd = UPDATE_PARAMS.zero();
  /** setBindGroup's one dynamic offset (reused). */
  private readonly offset = [0];
  /** Per chunk slot: the rows its Feistel half width was computed for, and that width. */
  private readonly bitsRows: number[] = [];
  private readonly bits: number[] = [];
  /** The last slot bind group looked up, by its x buffer. */
  private lastX: GPUBuffer | null = null;
  private lastGroup: GPUBindGroup | null = null;
  private cursor = 0;
  /** What the next FUSED dispatch must apply first: the previous step (null: none), its partial half, its partial rows. */
  private pending: Step | null = null;
  private pendingHalf = 0;
  private pendingGroups = 0;
  private lastPass: GPUComputePassEncoder | null = null;
  private lastPipeline: GPUComputePipeline | null = null;
  /** vec4s per model half (the fused path keeps w_t and w_t+1 side by side); partial rows per half. */
  private readonly modelHalf: number;
  private readonly partialHalf: number;
  private readonly maxGroups: number;

  constructor(
    private readonly store: GpuStore, private readonly spec: ModelSpec, private readonly buffers: StepBuffers,
    private readonly historyCapacity: number, private readonly grad: GradPipelines, private readonly update: UpdatePipelines,
    maxGroups: number, private readonly fuseGroups: number, private readonly profiler: PassProfiler | null,
  ) {
    const device = (this.device = store.ctx.device);
    const { cols, pstride4 } = grad.layout;
    this.maxGroups = Math.max(1, Math.min(maxGroups, Math.floor(PARTIAL_BYTES / (4 * pstride4 * 16))));
    this.modelHalf = cols;
    this.partialHalf = 2 * this.maxGroups;
    this.partials = device.createBuffer({ label: `${grad.layout.kernel}.partials`, size: 2 * this.partialHalf * pstride4 * 16, usage: STORAGE });
    this.ring = device.createBuffer({ label: 'params', size: RING_SLOTS * SLOT, usage: UNIFORM | COPY_DST });
    const { model, sums, history, hp, state } = buffers;
    this.updateGroup = updateBindGroup(device, update, { params: this.ring, partials: this.partials, model, sums, history, hp, state });
  }

  /** The bind group of a store slot (rebuilt only if the slot's buffers changed). */
  private slotGroup(store: GpuStore, slot: number): GPUBindGroup {
    const s = store.slots[slot];
    if (!s) throw new Error(`slot ${slot} has no rows loaded`);
    if (s.x === this.lastX) return this.lastGroup!;
    let g = this.groups.get(s.x);
    if (!g) {
      const b = this.buffers;
      g = gradBindGroup(this.device, this.grad, {
        params: this.ring, x: s.x, y: s.y, model: b.model, partials: this.partials, norm: b.norm,
        history: b.history, hp: b.hp, confusion: b.confusion,
      });
      this.groups.set(s.x, g);
    }
    this.lastX = s.x;
    this.lastGroup = g;
    return g;
  }

  /** Binds a gradient or update group with record `slot` of the ring. */
  private bind(pass: GPUComputePassEncoder, group: GPUBindGroup, slot: number): void {
    this.offset[0] = slot * SLOT;
    pass.setBindGroup(0, group, this.offset);
  }

  /** Sets the pipeline unless the pass already uses it (each call costs the host ~0.7 µs in Dawn). */
  private use(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline): void {
    if (this.lastPass === pass && this.lastPipeline === pipeline) return;
    pass.setPipeline(pipeline);
    this.lastPass = pass;
    this.lastPipeline = pipeline;
  }

  /** Most workgroups each piece of a step may use: the pieces share a budget of `limit` (each at most maxGroups). */
  private each(step: Step, limit: number): number {
    return Math.max(1, Math.min(this.maxGroups, Math.floor(limit / step.pieces.length)));
  }

  /** Workgroups of all a step's pieces under `each` per piece. */
  private stepGroups(step: Step, each: number): number {
    let n = 0;
    for (let k = 0; k < step.pieces.length; k++) {
      const count = step.pieces[k].count;
      n += Math.max(1, Math.ceil(count / planSpan(count, this.grad.layout.slots, each)));
    }
    return n;
  }

  /** Encodes one step's pieces, then its update (apply), its sums only (sum) or evaluation sums (eval). */
  private encodeStep(pass: GPUComputePassEncoder, step: Step, slot: number, mode: Mode, store: GpuStore, yShift: number, modelIn = 0): number {
    const r = this.rec;
    const each = this.each(step, this.partialHalf * 2);
    let partialBase = 0;
    for (let k = 0; k < step.pieces.length; k++) {
      const piece = step.pieces[k];
      const groups = this.setPiece(piece, store, each, partialBase);
      r.y_shift = yShift;
      r.model_in = modelIn;
      r.model_out = r.fuse = r.prev_base = r.prev_count = r.prev_step = r.prev_lr = r.prev_inv_rows = 0;
      writeGrad(this.words, this.floats, slot * SLOT_WORDS, r);
      this.use(pass, mode === 'eval' ? this.grad.evaluate : piece.shuffle ? this.grad.trainShuffled : this.grad.train);
      this.bind(pass, this.slotGroup(store, piece.chunk), slot);
      pass.dispatchWorkgroups(groups, this.grad.layout.blocks);
      partialBase += groups;
      slot++;
    }
    // Indexed, not destructured: destructuring runs the iterator protocol until the loop is optimized.
    const c = OPTIMIZERS[this.spec.optimizer].correction(step.t + 1, this.spec.optimizerHp);
    const u = this.upd;
    u.first = u.pad = 0;
    u.count = partialBase;
    u.step = step.index;
    u.fit_bias = this.spec.fitBias ? 1 : 0;
    u.lr = step.lr;
    u.scale = 1 / stepDivisor(step.rows, this.spec);
    u.c1 = c[0];
    u.c2 = c[1];
    u.avg_rate = step.average > 0 ? 1 / step.average : 0;
    u.clip = this.spec.clipNorm;
    u.avg_base = 2 * this.modelHalf;
    writeUpdate(this.words, this.floats, slot * SLOT_WORDS, u);
    if (mode === 'apply' && step.average > 0) this.averaged = step.average;
    this.use(pass, mode === 'apply' ? this.update.apply : this.update.sumOnly);
    this.bind(pass, this.updateGroup, slot);
    pass.dispatchWorkgroups(this.update.groups);
    return slot + 1;
  }

  /** Sets the record fields that say which rows of which chunk a piece reads and how they split; returns its workgroups. */
  private setPiece(piece: Piece, store: GpuStore, each: number, partialBase: number): number {
    const r = this.rec;
    const rows = store.rowsIn[piece.chunk];
    if (this.bitsRows[piece.chunk] !== rows) {
      this.bitsRows[piece.chunk] = rows;
      this.bits[piece.chunk] = feistelHalfBits(Math.max(1, rows));
    }
    const span = planSpan(piece.count, this.grad.layout.slots, each);
    r.start = piece.start;
    r.count = piece.count;
    r.rows = rows;
    r.span = span;
    r.key = piece.key;
    r.half_bits = this.bits[piece.chunk];
    r.partial_base = partialBase;
    return Math.max(1, Math.ceil(piece.count / span));
  }

  /** Sets the FUSED fields that apply the pending step (if `apply` and any) and store the result in half `out` (−1: none). */
  private setFuse(modelIn: number, out: number, apply: boolean): void {
    const r = this.rec;
    const p = apply ? this.pending : null;
    r.y_shift = 0;
    r.model_in = modelIn * this.modelHalf;
    r.model_out = Math.max(0, out) * this.modelHalf;
    r.fuse = (p ? FUSE.apply : 0) | (p && out >= 0 ? FUSE.store : 0) | (this.spec.fitBias ? FUSE.bias : 0);
    r.prev_base = p ? this.pendingHalf * this.partialHalf : 0;
    r.prev_count = p ? this.pendingGroups : 0;
    r.prev_step = p ? p.index : 0;
    r.prev_lr = p ? p.lr : 0;
    r.prev_inv_rows = p ? 1 / stepDivisor(p.rows, this.spec) : 0;
  }

  /**
   * Encodes a step as FUSED dispatches: the first piece applies the pending step (w_t = w_t−1 − α·g_t−1, stored in
   * half t % 2), later pieces read w_t; the step's own partial rows go to half t % 2 and become pending.
   */
  private encodeFused(pass: GPUComputePassEncoder, step: Step, slot: number, t: number): number {
    const half = t % 2;
    const each = this.each(step, Math.min(this.fuseGroups, this.partialHalf));
    let partialBase = half * this.partialHalf;
    for (let k = 0; k < step.pieces.length; k++) {
      const piece = step.pieces[k];
      const groups = this.setPiece(piece, this.store, each, partialBase);
      if (k === 0) this.setFuse(this.pending ? 1 - half : 0, half, true);
      else this.setFuse(this.pending ? half : 0, -1, false);
      writeGrad(this.words, this.floats, slot * SLOT_WORDS, this.rec);
      this.use(pass, this.grad.fused(piece.shuffle)!);
      this.bind(pass, this.slotGroup(this.store, piece.chunk), slot);
      pass.dispatchWorkgroups(groups);
      partialBase += groups;
      slot++;
    }
    this.pending = step;
    this.pendingHalf = half;
    this.pendingGroups = partialBase - half * this.partialHalf;
    return slot;
  }

  /** Applies the pending FUSED step into half 0 (one workgroup, no rows), so w is where every other path reads it. */
  private encodeFlush(pass: GPUComputePassEncoder, slot: number, t: number): number {
    const chunk = this.store.rowsIn.findIndex((rows) => rows > 0);
    const r = this.rec;
    r.start = r.count = r.key = 0;
    r.rows = r.half_bits = 1;
    r.span = this.grad.layout.slots;
    r.partial_base = (t % 2) * this.partialHalf;
    this.setFuse((t - 1) % 2, 0, true);
    writeGrad(this.words, this.floats, slot * SLOT_WORDS, r);
    this.use(pass, this.grad.fused(false)!);
    this.bind(pass, this.slotGroup(this.store, chunk), slot);
    pass.dispatchWorkgroups(1);
    this.pending = null;
    return slot + 1;
  }

  /**
   * Whether steps can run FUSED: plain SGD without clipping or averaging (the prologue applies only that rule), each
   * needing ≤ fuseGroups workgroups, so the prologue's read of the last step's partials is cheap.
   */
  canFuse(steps: readonly Step[]): boolean {
    if (this.fuseGroups <= 0 || !this.grad.fusable) return false;
    if (this.spec.optimizer !== 'sgd' || this.spec.clipNorm > 0) return false;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.average > 0 || this.stepGroups(s, this.each(s, this.partialHalf * 2)) > this.fuseGroups) return false;
    }
    return true;
  }

  /** Encodes steps, at most SUBMIT_SLOTS params records per submit so the GPU starts while the host encodes. */
  submit(steps: readonly Step[], mode: Mode, store = this.store, yShift = 0, modelIn = 0): void {
    let i = 0;
    while (i < steps.length) {
      if (this.cursor + SUBMIT_SLOTS > RING_SLOTS) this.cursor = 0;
      const first = this.cursor;
      let slot = first;
      const enc = this.device.createCommandEncoder({ label: 'steps' });
      const pass = enc.beginComputePass({ label: 'steps', timestampWrites: this.profiler?.next() });
      while (i < steps.length && slot + steps[i].pieces.length + 2 <= first + SUBMIT_SLOTS) {
        const s = steps[i];
        if (s.pieces.length > MAX_PIECES) throw new Error(`a step spans ${s.pieces.length} chunks; at most ${MAX_PIECES} are supported`);
        if (mode !== 'sum' && mode !== 'eval' && s.index >= this.historyCapacity) throw new Error(`step index ${s.index} is past the loss history (${this.historyCapacity})`);
        slot = mode === 'fused' ? this.encodeFused(pass, s, slot, i) : this.encodeStep(pass, s, slot, mode, store, yShift, modelIn);
        i++;
      }
      if (mode === 'fused' && i === steps.length) slot = this.encodeFlush(pass, slot, i);
      pass.end();
      this.device.queue.writeBuffer(this.ring, first * SLOT, this.staging, first * SLOT, (slot - first) * SLOT);
      this.device.queue.submit([enc.finish()]);
      this.cursor = slot;
      if (this.profiler?.full) throw new Error('the GPU profiler is full: call gpuSeconds() more often (every ≤ 2048 submits)');
    }
  }

  /** Frees the ring and the partial rows. */
  dispose(): void {
    this.ring.destroy();
    this.partials.destroy();
  }
}
