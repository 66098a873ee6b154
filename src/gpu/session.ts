// A training session on the GPU: the model, partial sums, loss history and the uniform ring of step
// parameters; SGD steps encoded many per submit (FUSED one dispatch per step, or linear_grad per piece then
// linear_update), batch losses recorded on the GPU and read back once per window.
import type { ChunkStore, TrainSession } from '../backend';
import type { MetricSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import { createFilled, readBuffer } from './buffers';
import {
  gradBindGroup, packNorm, planGroups, writeGradParams, type FuseParams, type GradPipelines,
} from './linear_grad';
import { updateBindGroup, writeUpdateParams, type UpdatePipelines } from './linear_update';
import { PassProfiler } from './profiler';
import { GpuStore } from './store';

const SLOT = 256; // bytes per params record in the ring (≥ minUniformBufferOffsetAlignment everywhere)
const RING_SLOTS = 4096;
const SUBMIT_SLOTS = 512;
const MAX_PIECES = 64; // pieces one step (or one evaluation round) may have
const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = { STORAGE: 0x80, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40 };

/** Packs params as f32 with the features padded to a multiple of 4, bias after the weights. */
function packModel(p: ModelParams, dp4: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(dp4 * 4 + 4);
  out.set(p.weights);
  out[dp4 * 4] = p.bias;
  return out;
}

type Mode = 'apply' | 'sum' | 'eval' | 'fused';

/** What the next FUSED dispatch must apply first: the previous step's partial rows. */
interface Pending {
  half: number;
  groups: number;
  step: Step;
}

/** One model trained on a GPU chunk store. */
export class GpuSession implements TrainSession {
  private readonly device: GPUDevice;
  private readonly model: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly sums: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly ring: GPUBuffer;
  private readonly norm: GPUBuffer;
  private readonly updateGroup: GPUBindGroup;
  private readonly groups = new WeakMap<GPUBuffer, GPUBindGroup>();
  private readonly staging = new DataView(new ArrayBuffer(RING_SLOTS * SLOT));
  private cursor = 0;
  private pending: Pending | null = null;
  private lastPass: GPUComputePassEncoder | null = null;
  private lastPipeline: GPUComputePipeline | null = null;
  /** vec4s per model half (the fused path keeps w_t and w_t+1 side by side); partial rows per half. */
  private readonly modelHalf: number;
  private readonly partialHalf: number;

  constructor(
    private readonly store: GpuStore, private readonly spec: ModelSpec, init: ModelParams,
    readonly historyCapacity: number, private readonly grad: GradPipelines, private readonly update: UpdatePipelines,
    private readonly maxGroups: number, private readonly fuseGroups: number, private readonly profiler: PassProfiler | null = null,
  ) {
    const device = (this.device = store.ctx.device);
    const { dp4, pstride4 } = grad.layout;
    this.modelHalf = dp4 + 1;
    this.partialHalf = 2 * maxGroups;
    this.model = createFilled(device, 'model', 2 * (dp4 + 1) * 16, STORAGE | COPY_SRC | COPY_DST, (b) => new Float32Array(b).set(packModel(init, dp4)));
    this.partials = device.createBuffer({ label: 'linear_grad.partials', size: 2 * this.partialHalf * pstride4 * 16, usage: STORAGE });
    this.sums = device.createBuffer({ label: 'linear_update.sums', size: pstride4 * 16, usage: STORAGE | COPY_SRC });
    this.history = device.createBuffer({ label: 'linear_update.history', size: Math.max(16, historyCapacity * 4), usage: STORAGE | COPY_SRC });
    this.ring = device.createBuffer({ label: 'params', size: RING_SLOTS * SLOT, usage: UNIFORM | COPY_DST });
    this.norm = createFilled(device, 'norm', dp4 * 32, STORAGE, (b) => new Float32Array(b).set(packNorm(grad.layout, spec.standardize)));
    this.updateGroup = updateBindGroup(device, update,
      { params: this.ring, partials: this.partials, model: this.model, sums: this.sums, history: this.history });
  }

  /** The bind group of a store slot (rebuilt only if the slot's buffers changed). */
  private slotGroup(store: GpuStore, slot: number): GPUBindGroup {
    const s = store.slots[slot];
    if (!s) throw new Error(`slot ${slot} has no rows loaded`);
    let g = this.groups.get(s.x);
    if (!g) {
      g = gradBindGroup(this.device, this.grad, { params: this.ring, x: s.x, y: s.y, model: this.model, partials: this.partials, norm: this.norm, history: this.history });
      this.groups.set(s.x, g);
    }
    return g;
  }

  /** Sets the pipeline unless the pass already uses it (each call costs the host ~0.7 µs in Dawn). */
  private use(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline): void {
    if (this.lastPass === pass && this.lastPipeline === pipeline) return;
    pass.setPipeline(pipeline);
    this.lastPass = pass;
    this.lastPipeline = pipeline;
  }

  /** Workgroups for each piece of a step: the pieces share a budget of `limit` (each at most maxGroups). */
  private plan(step: Step, limit: number): { span: number; groups: number }[] {
    const each = Math.max(1, Math.min(this.maxGroups, Math.floor(limit / step.pieces.length)));
    return step.pieces.map((p) => planGroups(p.count, this.grad.layout.slots, each));
  }

  /** Encodes one step's pieces, then its update (apply), its sums only (sum) or evaluation sums (eval). */
  private encodeStep(pass: GPUComputePassEncoder, step: Step, slot: number, mode: Mode, store: GpuStore, yShift: number): number {
    let partialBase = 0;
    const plans = this.plan(step, this.partialHalf * 2);
    step.pieces.forEach((piece, k) => {
      const { span, groups } = plans[k];
      writeGradParams(this.staging, slot * SLOT, { ...piece, rows: store.rowsIn[piece.chunk], span, partialBase, yShift });
      this.use(pass, mode === 'eval' ? this.grad.evaluate : piece.shuffle ? this.grad.trainShuffled : this.grad.train);
      pass.setBindGroup(0, this.slotGroup(store, piece.chunk), [slot * SLOT]);
      pass.dispatchWorkgroups(groups);
      partialBase += groups;
      slot++;
    });
    writeUpdateParams(this.staging, slot * SLOT,
      { first: 0, count: partialBase, step: step.index, fitBias: this.spec.fitBias, lr: step.lr, scale: 1 / step.rows });
    this.use(pass, mode === 'apply' ? this.update.apply : this.update.sumOnly);
    pass.setBindGroup(0, this.updateGroup, [slot * SLOT]);
    pass.dispatchWorkgroups(this.update.groups);
    return slot + 1;
  }

  /** The FUSED parameters that apply the pending step (if any) and store the result in half `out`. */
  private fuseParams(modelIn: number, out: number | null): FuseParams {
    const p = this.pending;
    return {
      modelIn: modelIn * this.modelHalf, modelOut: (out ?? 0) * this.modelHalf, apply: !!p, store: !!p && out !== null,
      fitBias: this.spec.fitBias, prevBase: (p?.half ?? 0) * this.partialHalf, prevCount: p?.groups ?? 0,
      prevStep: p?.step.index ?? 0, prevScale: p ? p.step.lr / p.step.rows : 0, prevLossScale: p ? 1 / p.step.rows : 0,
    };
  }

  /**
   * Encodes a step as FUSED dispatches: the first piece applies the pending step (w_t = w_t−1 − α·g_t−1, stored in
   * half t % 2), later pieces read w_t; the step's own partial rows go to half t % 2 and become pending.
   */
  private encodeFused(pass: GPUComputePassEncoder, step: Step, slot: number, t: number): number {
    const half = t % 2;
    let partialBase = half * this.partialHalf;
    const plans = this.plan(step, Math.min(this.fuseGroups, this.partialHalf));
    step.pieces.forEach((piece, k) => {
      const { span, groups } = plans[k];
      const f = k === 0 ? this.fuseParams(this.pending ? 1 - half : 0, half) : { ...this.fuseParams(this.pending ? half : 0, null), apply: false };
      writeGradParams(this.staging, slot * SLOT, { ...piece, rows: this.store.rowsIn[piece.chunk], span, partialBase, yShift: 0 }, f);
      this.use(pass, this.grad.fused(piece.shuffle)!);
      pass.setBindGroup(0, this.slotGroup(this.store, piece.chunk), [slot * SLOT]);
      pass.dispatchWorkgroups(groups);
      partialBase += groups;
      slot++;
    });
    this.pending = { half, groups: partialBase - half * this.partialHalf, step };
    return slot;
  }

  /** Applies the pending FUSED step into half 0 (one workgroup, no rows), so w is where every other path reads it. */
  private encodeFlush(pass: GPUComputePassEncoder, slot: number, t: number): number {
    const chunk = this.store.rowsIn.findIndex((r) => r > 0);
    const span = this.grad.layout.slots;
    writeGradParams(this.staging, slot * SLOT, { start: 0, count: 0, rows: 1, span, key: 0, partialBase: (t % 2) * this.partialHalf, yShift: 0 },
      this.fuseParams((t - 1) % 2, 0));
    this.use(pass, this.grad.fused(false)!);
    pass.setBindGroup(0, this.slotGroup(this.store, chunk), [slot * SLOT]);
    pass.dispatchWorkgroups(1);
    this.pending = null;
    return slot + 1;
  }

  /** Whether steps can run FUSED: each needs ≤ fuseGroups workgroups, so the prologue's read of the last step's partials is cheap. */
  private canFuse(steps: readonly Step[]): boolean {
    if (this.fuseGroups <= 0 || !this.grad.fused(false) || !this.grad.fused(true)) return false;
    return steps.every((s) => this.plan(s, this.partialHalf * 2).reduce((a, p) => a + p.groups, 0) <= this.fuseGroups);
  }

  /** Encodes steps, at most SUBMIT_SLOTS params records per submit so the GPU starts while the host encodes. */
  private submitSteps(steps: readonly Step[], mode: Mode, store = this.store, yShift = 0): void {
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
        slot = mode === 'fused' ? this.encodeFused(pass, s, slot, i) : this.encodeStep(pass, s, slot, mode, store, yShift);
        i++;
      }
      if (mode === 'fused' && i === steps.length) slot = this.encodeFlush(pass, slot, i);
      pass.end();
      this.device.queue.writeBuffer(this.ring, first * SLOT, this.staging.buffer, first * SLOT, (slot - first) * SLOT);
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
    const dp = this.grad.layout.dp4 * 4;
    const scale = 1 / step.rows;
    return { weights: Float64Array.from(s.subarray(0, this.spec.d), (v) => v * scale), bias: s[dp] * scale, loss: s[dp + 1] * scale, rows: step.rows };
  }

  async readLosses(count: number): Promise<Float64Array> {
    if (count === 0) return new Float64Array(0);
    return Float64Array.from(new Float32Array(await readBuffer(this.device, this.history, 0, count * 4)));
  }

  async readModel(): Promise<ModelParams> {
    const f = new Float32Array(await readBuffer(this.device, this.model, 0, (this.grad.layout.dp4 + 1) * 16));
    return { weights: Float64Array.from(f.subarray(0, this.spec.d)), bias: this.spec.fitBias ? f[this.grad.layout.dp4 * 4] : 0 };
  }

  writeModel(p: ModelParams): void {
    this.device.queue.writeBuffer(this.model, 0, packModel({ weights: p.weights, bias: this.spec.fitBias ? p.bias : 0 }, this.grad.layout.dp4));
  }

  async evaluate(store: ChunkStore = this.store, yShift = 0): Promise<MetricSums> {
    if (!(store instanceof GpuStore) || store.ctx !== this.store.ctx) throw new Error('WebGpuBackend: evaluate() was given another backend\'s store');
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, shuffle: false, key: 0 }] : []));
    const out: MetricSums = { rows: 0, sse: 0, sae: 0, sy: 0, syy: 0 };
    const dp = this.grad.layout.dp4 * 4;
    for (let i = 0; i < pieces.length; i += MAX_PIECES) {
      const group = pieces.slice(i, i + MAX_PIECES);
      const rows = group.reduce((a, p) => a + p.count, 0);
      this.submitSteps([{ index: 0, rows, lr: 0, pieces: group }], 'eval', store, yShift);
      const s = await this.readSums();
      out.rows += rows;
      out.sse += s[dp + 1];
      out.sae += s[dp + 2];
      out.sy += s[dp + 3];
      out.syy += s[dp + 4];
    }
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
    for (const b of [this.model, this.partials, this.sums, this.history, this.ring, this.norm]) b.destroy();
    this.profiler?.destroy();
  }
}
