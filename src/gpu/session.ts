// A training session on the GPU: the model (current iterate, the fused path's second copy, the running average),
// optimizer state, partial sums, loss history, hyperparameters, class counts and the uniform ring of step
// parameters; steps encoded many per submit (plain SGD FUSED in one dispatch per step, else a gradient pass per
// piece then apply_update), batch losses recorded on the GPU and read back once per window. The encoding loop
// allocates nothing per step or piece: records are written into the ring's staging words (step_params.ts), one
// writeBuffer per submit, and the bind groups and half widths are cached per chunk slot.
import type { ChunkStore, TrainSession, Which } from '../backend';
import { confusionClasses, type EvalSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import { OPTIMIZERS } from '../core/optim';
import type { OptimState } from '../core/optim/apply';
import { feistelHalfBits } from '../core/permute';
import type { Piece, Step } from '../core/schedule';
import { createFilled, readBuffer } from './buffers';
import {
  FUSE, gradBindGroup, packModel, packNorm, planSpan, unpackModel, type GradPipelines,
} from './linear_grad';
import { updateBindGroup, type UpdatePipelines } from './apply_update';
import { PassProfiler } from './profiler';
import { GpuStore } from './store';
import { packHyper } from './uniforms';
import { gradRecord, LITTLE_ENDIAN, updateRecord, writeGradRecord, writeUpdateRecord } from './step_params';

const SLOT = 256; // bytes per params record in the ring (≥ minUniformBufferOffsetAlignment everywhere)
const SLOT_WORDS = SLOT / 4;
const RING_SLOTS = 4096;
const SUBMIT_SLOTS = 512;
const MAX_PIECES = 64; // pieces one step (or one evaluation round) may have
/** Bytes of partial rows a session keeps (two halves): bounds the workgroups per piece for wide K-output models. */
const PARTIAL_BYTES = 2 ** 26;
const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = { STORAGE: 0x80, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40 };

type Mode = 'apply' | 'sum' | 'eval' | 'fused';

/** One model trained on a GPU chunk store. */
export class GpuSession implements TrainSession {
  private readonly device: GPUDevice;
  private readonly model: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly sums: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly ring: GPUBuffer;
  private readonly norm: GPUBuffer;
  private readonly hp: GPUBuffer;
  private readonly confusion: GPUBuffer;
  private readonly state: GPUBuffer;
  /** Iterates averaged so far (the average lives in the model buffer's third half). */
  private averaged = 0;
  private readonly classes: number;
  private readonly updateGroup: GPUBindGroup;
  private readonly groups = new WeakMap<GPUBuffer, GPUBindGroup>();
  private readonly staging = new ArrayBuffer(RING_SLOTS * SLOT);
  private readonly words = new Uint32Array(this.staging);
  private readonly floats = new Float32Array(this.staging);
  /** The records every dispatch fills in and writes (reused: the loop allocates nothing). */
  private readonly rec = gradRecord();
  private readonly upd = updateRecord();
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
    private readonly store: GpuStore, private readonly spec: ModelSpec, init: ModelParams,
    readonly historyCapacity: number, private readonly grad: GradPipelines, private readonly update: UpdatePipelines,
    maxGroups: number, private readonly fuseGroups: number, private readonly profiler: PassProfiler | null = null,
  ) {
    if (!LITTLE_ENDIAN) throw new Error('GpuSession writes uniform records through typed arrays: a little-endian host is required');
    const device = (this.device = store.ctx.device);
    const { cols, pstride4 } = grad.layout;
    this.maxGroups = Math.max(1, Math.min(maxGroups, Math.floor(PARTIAL_BYTES / (4 * pstride4 * 16))));
    this.modelHalf = cols;
    this.partialHalf = 2 * this.maxGroups;
    this.classes = confusionClasses(spec.loss, spec.outputs);
    this.model = createFilled(device, 'model', 3 * cols * 16, STORAGE | COPY_SRC | COPY_DST, (b) => new Float32Array(b).set(packModel(init, grad.layout)));
    this.partials = device.createBuffer({ label: `${grad.layout.kernel}.partials`, size: 2 * this.partialHalf * pstride4 * 16, usage: STORAGE });
    this.sums = device.createBuffer({ label: 'linear_update.sums', size: pstride4 * 16, usage: STORAGE | COPY_SRC });
    this.history = device.createBuffer({ label: 'linear_update.history', size: Math.max(16, historyCapacity * 4), usage: STORAGE | COPY_SRC });
    this.ring = device.createBuffer({ label: 'params', size: RING_SLOTS * SLOT, usage: UNIFORM | COPY_DST });
    this.norm = createFilled(device, 'norm', grad.layout.dp4 * 32, STORAGE, (b) => new Float32Array(b).set(packNorm(grad.layout, spec.standardize)));
    this.hp = createFilled(device, 'hp', 48, UNIFORM, (b) => new Float32Array(b).set(packHyper(spec.lossHp, spec.penaltyHp, spec.optimizerHp)));
    this.state = device.createBuffer({ label: 'apply_update.state', size: Math.max(16, cols * this.slots * 16), usage: STORAGE | COPY_SRC | COPY_DST });
    this.confusion = device.createBuffer({ label: 'confusion', size: Math.max(16, this.classes * this.classes * 4), usage: STORAGE | COPY_SRC | COPY_DST });
    this.updateGroup = updateBindGroup(device, update,
      { params: this.ring, partials: this.partials, model: this.model, sums: this.sums, history: this.history, hp: this.hp, state: this.state });
  }

  /** The bind group of a store slot (rebuilt only if the slot's buffers changed). */
  private slotGroup(store: GpuStore, slot: number): GPUBindGroup {
    const s = store.slots[slot];
    if (!s) throw new Error(`slot ${slot} has no rows loaded`);
    if (s.x === this.lastX) return this.lastGroup!;
    let g = this.groups.get(s.x);
    if (!g) {
      g = gradBindGroup(this.device, this.grad, {
        params: this.ring, x: s.x, y: s.y, model: this.model, partials: this.partials, norm: this.norm,
        history: this.history, hp: this.hp, confusion: this.confusion,
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

  /** Slots of optimizer state per parameter. */
  private get slots(): number {
    return OPTIMIZERS[this.spec.optimizer].slots;
  }

  /** vec4 offset of the parameters `which` names in the model buffer. */
  private modelAt(which: Which = 'current'): number {
    return which === 'average' && this.averaged > 0 ? 2 * this.modelHalf : 0;
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
      writeGradRecord(this.words, this.floats, slot * SLOT_WORDS, r);
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
    u.scale = 1 / step.rows;
    u.c1 = c[0];
    u.c2 = c[1];
    u.avg_rate = step.average > 0 ? 1 / step.average : 0;
    u.clip = this.spec.clipNorm;
    u.avg_base = 2 * this.modelHalf;
    writeUpdateRecord(this.words, this.floats, slot * SLOT_WORDS, u);
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
    r.prev_inv_rows = p ? 1 / p.rows : 0;
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
      writeGradRecord(this.words, this.floats, slot * SLOT_WORDS, this.rec);
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
    writeGradRecord(this.words, this.floats, slot * SLOT_WORDS, r);
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
  private canFuse(steps: readonly Step[]): boolean {
    if (this.fuseGroups <= 0 || !this.grad.fused(false) || !this.grad.fused(true)) return false;
    if (this.spec.optimizer !== 'sgd' || this.spec.clipNorm > 0) return false;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.average > 0 || this.stepGroups(s, this.each(s, this.partialHalf * 2)) > this.fuseGroups) return false;
    }
    return true;
  }

  /** Encodes steps, at most SUBMIT_SLOTS params records per submit so the GPU starts while the host encodes. */
  private submitSteps(steps: readonly Step[], mode: Mode, store = this.store, yShift = 0, modelIn = 0): void {
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

  runSteps(steps: readonly Step[]): void {
    this.submitSteps(steps, this.canFuse(steps) ? 'fused' : 'apply');
  }

  private async readSums(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.sums, 0, this.grad.layout.pstride4 * 16));
  }

  async gradient(step: Step): Promise<Gradient> {
    this.submitSteps([step], 'sum');
    const s = await this.readSums();
    const scale = 1 / step.rows;
    const g = unpackModel(s, this.grad.layout);
    return { weights: g.weights.map((v) => v * scale), bias: g.bias.map((v) => v * scale), loss: s[this.grad.layout.cols * 4] * scale, rows: step.rows };
  }

  async readLosses(count: number): Promise<Float64Array> {
    if (count === 0) return new Float64Array(0);
    return Float64Array.from(new Float32Array(await readBuffer(this.device, this.history, 0, count * 4)));
  }

  async readModel(which?: Which): Promise<ModelParams> {
    const p = unpackModel(new Float32Array(await readBuffer(this.device, this.model, this.modelAt(which) * 16, this.modelHalf * 16)), this.grad.layout);
    if (!this.spec.fitBias) p.bias.fill(0);
    return p;
  }

  async readState(): Promise<OptimState> {
    const { d, outputs: k } = this.spec;
    const { dp4 } = this.grad.layout;
    const n = this.slots;
    const raw = n ? new Float32Array(await readBuffer(this.device, this.state, 0, this.modelHalf * n * 16)) : new Float32Array(0);
    // The kernels keep slot s of column col at vec4 col·n + s; the host keeps parameter i's slots at i·n.
    const slots = new Float64Array(k * (d + 1) * n);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j <= d; j++) {
        const col = c * (dp4 + 1) + (j < d ? j >> 2 : dp4);
        const lane = j < d ? j & 3 : 0;
        const i = j < d ? c * d + j : k * d + c;
        for (let s = 0; s < n; s++) slots[i * n + s] = raw[(col * n + s) * 4 + lane];
      }
    }
    return { slots, average: this.averaged > 0 ? await this.readModel('average') : null, averaged: this.averaged };
  }

  writeState(st: OptimState): void {
    const { d, outputs: k } = this.spec;
    const { dp4 } = this.grad.layout;
    const n = this.slots;
    if (st.slots.length !== k * (d + 1) * n) throw new Error(`optimizer state of ${st.slots.length} values does not fit this model's ${k * (d + 1) * n}`);
    const raw = new Float32Array(this.modelHalf * n * 4);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j <= d; j++) {
        const col = c * (dp4 + 1) + (j < d ? j >> 2 : dp4);
        const lane = j < d ? j & 3 : 0;
        const i = j < d ? c * d + j : k * d + c;
        for (let s = 0; s < n; s++) raw[(col * n + s) * 4 + lane] = st.slots[i * n + s];
      }
    }
    if (n) this.device.queue.writeBuffer(this.state, 0, raw);
    this.averaged = st.average ? st.averaged : 0;
    if (st.average) this.device.queue.writeBuffer(this.model, 2 * this.modelHalf * 16, packModel(st.average, this.grad.layout));
  }

  writeModel(p: ModelParams): void {
    const { d, outputs } = this.spec;
    if (p.weights.length !== d * outputs || p.bias.length !== outputs) throw new Error(`parameters do not fit a model of ${outputs} × ${d}`);
    const bias = this.spec.fitBias ? p.bias : new Float64Array(outputs);
    this.device.queue.writeBuffer(this.model, 0, packModel({ weights: p.weights, bias }, this.grad.layout));
  }

  async evaluate(store: ChunkStore = this.store, yShift = 0, which?: Which): Promise<EvalSums> {
    if (!(store instanceof GpuStore) || store.ctx !== this.store.ctx) throw new Error('WebGpuBackend: evaluate() was given another backend\'s store');
    if (store.dtype !== this.store.dtype) throw new Error(`WebGpuBackend: evaluate() was given a store of ${store.dtype} rows; this session's kernels read ${this.store.dtype}`);
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, shuffle: false, key: 0 }] : []));
    const c = this.classes;
    const out: EvalSums = { rows: 0, loss: 0, m: new Float64Array(4), confusion: c ? new Float64Array(c * c) : null };
    if (c) this.device.queue.writeBuffer(this.confusion, 0, new Uint32Array(c * c));
    const at = this.grad.layout.cols * 4;
    for (let i = 0; i < pieces.length; i += MAX_PIECES) {
      const group = pieces.slice(i, i + MAX_PIECES);
      const rows = group.reduce((a, p) => a + p.count, 0);
      this.submitSteps([{ index: 0, t: 0, rows, lr: 0, average: 0, pieces: group }], 'eval', store, yShift, this.modelAt(which));
      const s = await this.readSums();
      out.rows += rows;
      out.loss += s[at];
      for (let j = 0; j < 4; j++) out.m[j] += s[at + 1 + j];
    }
    if (c) out.confusion!.set(new Uint32Array(await readBuffer(this.device, this.confusion, 0, c * c * 4)));
    return out;
  }

  /** GPU time of the work submitted since the last call (profiling sessions only; null otherwise). */
  async gpuSeconds(): Promise<number | null> {
    return this.profiler ? this.profiler.take() : null;
  }

  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.store.ctx.check();
  }

  dispose(): void {
    for (const b of [this.model, this.partials, this.sums, this.history, this.ring, this.norm, this.hp, this.confusion, this.state]) b.destroy();
    this.profiler?.destroy();
  }
}
