// A training session on the GPU: the model (current iterate, the fused path's second copy, the running average),
// optimizer state, gradient sums, loss history, hyperparameters and class counts, the reads of gradients, losses,
// parameters and optimizer state, and the buffers' lifecycle. Steps are encoded and submitted by the session's
// StepEncoder (step_encoder.ts), which owns the uniform ring of step parameters and the partial rows.
import type { ChunkStore, SessionUse, TrainSession, Which } from '../backend';
import { confusionClasses, type EvalSums } from '../core/metrics';
import { sameExtras } from '../core/dataset';
import { stepDivisor, type Gradient, type ModelParams, type ModelSpec } from '../core/model';
import { OPTIMIZERS } from '../core/optim';
import type { OptimState } from '../core/optim/apply';
import type { Step } from '../core/schedule';
import { createFilled, readBuffer } from './buffers';
import { HessianPass } from './curvature';
import { packModel, packNorm, unpackModel, type GradPipelines, type GradVariant } from './linear_grad';
import type { UpdatePipelines, UpdateVariant } from './apply_update';
import { PassProfiler } from './profiler';
import { GpuStore } from './store';
import { packHyper } from './params';
import { MAX_PIECES, StepEncoder } from './step_encoder';

const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = { STORAGE: 0x80, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40 };

/** One model trained on a GPU chunk store. */
export class GpuSession implements TrainSession {
  private readonly device: GPUDevice;
  private readonly model: GPUBuffer;
  private readonly sums: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly norm: GPUBuffer;
  private readonly hp: GPUBuffer;
  private readonly confusion: GPUBuffer;
  private readonly state: GPUBuffer;
  private readonly classes: number;
  /** vec4s per model half (the fused path keeps w_t and w_t+1 side by side). */
  private readonly modelHalf: number;
  private readonly steps: StepEncoder;
  /** Seconds spent compiling this session's pipelines when it was created (set by the backend; 0 when cached). */
  compileSeconds = 0;
  /** Newton's Hessian pass, made on first use. */
  private hessianPass: HessianPass | null = null;

  constructor(
    private readonly store: GpuStore, private readonly spec: ModelSpec, init: ModelParams,
    readonly historyCapacity: number, private readonly grad: GradPipelines, private readonly update: UpdatePipelines,
    maxGroups: number, fuseGroups: number, private readonly profiler: PassProfiler | null = null,
  ) {
    const device = (this.device = store.ctx.device);
    const { cols, pstride4 } = grad.layout;
    this.modelHalf = cols;
    this.classes = confusionClasses(spec.loss, spec.outputs);
    this.model = createFilled(device, 'model', 3 * cols * 16, STORAGE | COPY_SRC | COPY_DST, (b) => new Float32Array(b).set(packModel(init, grad.layout)));
    this.sums = device.createBuffer({ label: 'linear_update.sums', size: pstride4 * 16, usage: STORAGE | COPY_SRC });
    this.history = device.createBuffer({ label: 'linear_update.history', size: Math.max(16, historyCapacity * 4), usage: STORAGE | COPY_SRC });
    this.norm = createFilled(device, 'norm', grad.layout.dp4 * 32, STORAGE, (b) => new Float32Array(b).set(packNorm(grad.layout, spec.standardize)));
    this.hp = createFilled(device, 'hp', 48, UNIFORM, (b) => new Float32Array(b).set(packHyper(spec.lossHp, spec.penaltyHp, spec.optimizerHp)));
    this.state = device.createBuffer({ label: 'apply_update.state', size: Math.max(16, cols * this.slots * 16), usage: STORAGE | COPY_SRC | COPY_DST });
    this.confusion = device.createBuffer({ label: 'confusion', size: Math.max(16, this.classes * this.classes * 4), usage: STORAGE | COPY_SRC | COPY_DST });
    const buffers = { model: this.model, sums: this.sums, history: this.history, norm: this.norm, hp: this.hp, state: this.state, confusion: this.confusion };
    this.steps = new StepEncoder(store, spec, buffers, historyCapacity, grad, update, maxGroups, fuseGroups, profiler);
  }

  /** Slots of optimizer state per parameter. */
  private get slots(): number {
    return OPTIMIZERS[this.spec.optimizer].slots;
  }

  /** vec4 offset of the parameters `which` names in the model buffer. */
  private modelAt(which: Which = 'current'): number {
    return which === 'average' && this.steps.averaged > 0 ? 2 * this.modelHalf : 0;
  }

  runSteps(steps: readonly Step[]): void {
    this.steps.submit(steps, this.steps.canFuse(steps) ? 'fused' : 'apply');
  }

  /**
   * Runs once each pipeline a run of this use will take — steps fused or in two dispatches as steps of `use.batch`
   * rows would be, on shuffled or plain pieces, averaged steps, gradient sums, an evaluation —
   * so a driver that compiles on first use (lavapipe: seconds per pipeline with a cold cache) does it now instead of
   * inside the first epoch. Changes this session's parameters: run it on a throwaway session.
   */
  async compileAll(use: SessionUse): Promise<void> {
    const rows = this.store.rowsIn[0];
    const step = (index: number, shuffle: boolean, count = rows, average = 0): Step =>
      ({ index, t: index, rows: count, lr: 0, average, pieces: [{ chunk: 0, start: 0, count, key: 1, shuffle }] }) as Step;
    // Whether the run's steps will fuse depends on their size only (the workgroups they need).
    const fuses = this.steps.canFuse([step(0, use.shuffle, Math.max(1, use.batch))]);
    const shuffle = use.shuffle;
    // Only the variants this use runs compile now, side by side (fused steps flush through the unshuffled one).
    const pass: GradVariant = shuffle ? 'trainShuffled' : 'train';
    const grad: GradVariant[] = ['evaluate'];
    if (fuses) grad.push('fused', ...(shuffle ? ['fusedShuffled' as const] : []));
    if (!fuses || use.average || use.gradient) grad.push(pass);
    const update: UpdateVariant[] = ['sumOnly', ...(!fuses || use.average ? ['apply' as const] : [])];
    await Promise.all([this.grad.prepare(grad), this.update.prepare(update)]);
    if (fuses) this.steps.submit([step(0, shuffle), step(1, shuffle)], 'fused');
    else this.steps.submit([step(0, shuffle)], 'apply');
    if (use.average) this.steps.submit([step(1, shuffle, rows, 1)], 'apply');
    if (use.gradient) await this.gradient(step(2, shuffle));
    await this.evaluate();
    await this.sync();
  }

  private async readSums(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.sums, 0, this.grad.layout.pstride4 * 16));
  }

  async gradient(step: Step): Promise<Gradient> {
    this.steps.submit([step], 'sum');
    const s = await this.readSums();
    const scale = 1 / stepDivisor(step.rows, this.spec);
    const g = unpackModel(s, this.grad.layout);
    return { weights: g.weights.map((v) => v * scale), bias: g.bias.map((v) => v * scale), loss: s[this.grad.layout.cols * 4] * scale, rows: step.rows };
  }

  async hessian(step: Step): Promise<Float64Array> {
    this.hessianPass ??= await HessianPass.create(this.store.ctx, this.spec, this.store);
    return this.hessianPass.run(this.store, step, { model: this.model, norm: this.norm, hp: this.hp });
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
    return { slots, average: this.steps.averaged > 0 ? await this.readModel('average') : null, averaged: this.steps.averaged };
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
    this.steps.averaged = st.average ? st.averaged : 0;
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
    if (!sameExtras(store.extras, this.store.extras)) throw new Error('WebGpuBackend: evaluate() was given a store whose rows carry other per-row values');
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, shuffle: false, key: 0 }] : []));
    const c = this.classes;
    const out: EvalSums = { rows: 0, loss: 0, m: new Float64Array(4), confusion: c ? new Float64Array(c * c) : null, ...(store.extras.weight ? { weight: 0 } : {}) };
    if (c) this.device.queue.writeBuffer(this.confusion, 0, new Uint32Array(c * c));
    const at = this.grad.layout.cols * 4;
    for (let i = 0; i < pieces.length; i += MAX_PIECES) {
      const group = pieces.slice(i, i + MAX_PIECES);
      const rows = group.reduce((a, p) => a + p.count, 0);
      this.steps.submit([{ index: 0, t: 0, rows, lr: 0, average: 0, pieces: group }], 'eval', store, yShift, this.modelAt(which));
      const s = await this.readSums();
      out.rows += rows;
      out.loss += s[at];
      for (let j = 0; j < 4; j++) out.m[j] += s[at + 1 + j];
      // Σ w of weighted rows: the second sums column's y (linear_grad.wgsl, softmax_grad.wgsl).
      if (out.weight !== undefined) out.weight += s[at + 5];
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
    for (const b of [this.model, this.sums, this.history, this.norm, this.hp, this.confusion, this.state]) b.destroy();
    this.hessianPass?.dispose();
    this.steps.dispose();
    this.profiler?.destroy();
  }
}
