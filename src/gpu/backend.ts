// The WebGPU backend: resident data in chunk buffers, SGD steps encoded many per submit (linear_grad then
// linear_update per step, parameters from a uniform ring), losses recorded on the GPU and read once per window.
import type { Backend, ResidentData, TrainSession } from '../backend';
import { rechunk, type HostChunk } from '../core/dataset';
import type { MetricSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import { zeroParams } from '../core/model';
import type { Step } from '../core/schedule';
import { createFilled, readBuffer } from './buffers';
import { acquireGpu, type AcquireOptions, type GpuContext } from './device';
import {
  gradBindGroup, gradLayout, gradPipelines, planGroups, writeGradParams, type GradPipelines,
} from './linear_grad';
import { updateBindGroup, updatePipelines, writeUpdateParams, type UpdatePipelines } from './linear_update';

const SLOT = 256; // bytes per params record in the ring (≥ minUniformBufferOffsetAlignment everywhere)
const RING_SLOTS = 4096;
const SUBMIT_SLOTS = 512;
const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = { STORAGE: 0x80, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40 };

interface GpuChunk {
  rows: number;
  x: GPUBuffer;
  y: GPUBuffer;
}

class GpuData implements ResidentData {
  constructor(
    readonly d: number, readonly rows: number, readonly chunks: GpuChunk[], readonly yMean: number,
    readonly ctx: GpuContext,
  ) {}

  get chunkRows(): number[] {
    return this.chunks.map((c) => c.rows);
  }

  dispose(): void {
    for (const c of this.chunks) {
      c.x.destroy();
      c.y.destroy();
    }
    this.chunks.length = 0;
  }
}

/** Packs params as f32 with the features padded to a multiple of 4, bias after the weights. */
function packModel(p: ModelParams, dp4: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(dp4 * 4 + 4);
  out.set(p.weights);
  out[dp4 * 4] = p.bias;
  return out;
}

class GpuSession implements TrainSession {
  private readonly device: GPUDevice;
  private readonly grad: GradPipelines;
  private readonly update: UpdatePipelines;
  private readonly model: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly sums: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly ring: GPUBuffer;
  private readonly chunkGroups: GPUBindGroup[];
  private readonly updateGroup: GPUBindGroup;
  private readonly maxGroups: number;
  private readonly staging = new DataView(new ArrayBuffer(RING_SLOTS * SLOT));
  private cursor = 0;

  constructor(
    private readonly data: GpuData, private readonly spec: ModelSpec, init: ModelParams,
    readonly historyCapacity: number, pipelines: { grad: GradPipelines; update: UpdatePipelines },
  ) {
    const device = (this.device = data.ctx.device);
    this.grad = pipelines.grad;
    this.update = pipelines.update;
    const { dp4, pstride4 } = this.grad.layout;
    this.maxGroups = 1024;
    const partialRows = (data.chunks.length + 1) * this.maxGroups;
    this.model = createFilled(device, 'model', (dp4 + 1) * 16, STORAGE | COPY_SRC | COPY_DST,
      (b) => new Float32Array(b).set(packModel(init, dp4)));
    this.partials = device.createBuffer({ label: 'linear_grad.partials', size: partialRows * pstride4 * 16, usage: STORAGE });
    this.sums = device.createBuffer({ label: 'linear_update.sums', size: pstride4 * 16, usage: STORAGE | COPY_SRC });
    this.history = device.createBuffer({ label: 'linear_update.history', size: Math.max(16, historyCapacity * 4), usage: STORAGE | COPY_SRC });
    this.ring = device.createBuffer({ label: 'params', size: RING_SLOTS * SLOT, usage: UNIFORM | COPY_DST });
    this.chunkGroups = data.chunks.map((c) =>
      gradBindGroup(device, this.grad, { params: this.ring, x: c.x, y: c.y, model: this.model, partials: this.partials }));
    this.updateGroup = updateBindGroup(device, this.update,
      { params: this.ring, partials: this.partials, model: this.model, sums: this.sums, history: this.history });
  }

  /** Encodes one step's gradient pieces, then its update (apply), its sums only (sum) or evaluation sums (eval). */
  private encodeStep(pass: GPUComputePassEncoder, step: Step, slot: number, mode: 'apply' | 'sum' | 'eval'): number {
    let partialBase = 0;
    const yShift = mode === 'eval' ? this.data.yMean : 0;
    for (const piece of step.pieces) {
      const rows = this.data.chunks[piece.chunk].rows;
      const { span, groups } = planGroups(piece.count, this.grad.layout.slots, this.maxGroups);
      writeGradParams(this.staging, slot * SLOT, { ...piece, rows, span, partialBase, yShift });
      pass.setPipeline(mode === 'eval' ? this.grad.evaluate : piece.shuffle ? this.grad.trainShuffled : this.grad.train);
      pass.setBindGroup(0, this.chunkGroups[piece.chunk], [slot * SLOT]);
      pass.dispatchWorkgroups(groups);
      partialBase += groups;
      slot++;
    }
    writeUpdateParams(this.staging, slot * SLOT,
      { first: 0, count: partialBase, step: step.index, fitBias: this.spec.fitBias, lr: step.lr, scale: 1 / step.rows });
    pass.setPipeline(mode === 'apply' ? this.update.apply : this.update.sumOnly);
    pass.setBindGroup(0, this.updateGroup, [slot * SLOT]);
    pass.dispatchWorkgroups(this.update.groups);
    return slot + 1;
  }

  /** Encodes steps, SUBMIT_SLOTS params records per submit so the GPU starts while the host encodes the rest. */
  private submitSteps(steps: readonly Step[], mode: 'apply' | 'sum' | 'eval'): void {
    let i = 0;
    while (i < steps.length) {
      if (this.cursor + SUBMIT_SLOTS > RING_SLOTS) this.cursor = 0;
      const first = this.cursor;
      let slot = first;
      const enc = this.device.createCommandEncoder({ label: 'steps' });
      const pass = enc.beginComputePass({ label: 'steps' });
      while (i < steps.length && slot + steps[i].pieces.length + 1 <= first + SUBMIT_SLOTS) {
        if (mode === 'apply' && steps[i].index >= this.historyCapacity) {
          throw new Error(`step index ${steps[i].index} is past the loss history (${this.historyCapacity})`);
        }
        slot = this.encodeStep(pass, steps[i], slot, mode);
        i++;
      }
      if (slot === first) throw new Error(`a step has more pieces than one submit holds (${SUBMIT_SLOTS - 1})`);
      pass.end();
      this.device.queue.writeBuffer(this.ring, first * SLOT, this.staging.buffer, first * SLOT, (slot - first) * SLOT);
      this.device.queue.submit([enc.finish()]);
      this.cursor = slot;
    }
  }

  runSteps(steps: readonly Step[]): void {
    this.submitSteps(steps, 'apply');
  }

  async gradient(step: Step): Promise<Gradient> {
    this.submitSteps([step], 'sum');
    const s = new Float32Array(await readBuffer(this.device, this.sums, 0, this.grad.layout.pstride4 * 16));
    const dp = this.grad.layout.dp4 * 4;
    const scale = 1 / step.rows;
    const weights = Float64Array.from(s.subarray(0, this.spec.d), (v) => v * scale);
    return { weights, bias: s[dp] * scale, loss: s[dp + 1] * scale, rows: step.rows };
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
    const packed = packModel({ weights: p.weights, bias: this.spec.fitBias ? p.bias : 0 }, this.grad.layout.dp4);
    this.device.queue.writeBuffer(this.model, 0, packed);
  }

  async evaluate(): Promise<MetricSums> {
    const pieces = this.data.chunks.map((c, chunk) => ({ chunk, start: 0, count: c.rows, shuffle: false, key: 0 }));
    this.submitSteps([{ index: 0, rows: this.data.rows, lr: 0, pieces }], 'eval');
    const dp = this.grad.layout.dp4 * 4;
    const s = new Float32Array(await readBuffer(this.device, this.sums, dp * 4, 8 * 4));
    return { rows: this.data.rows, sse: s[1], sae: s[2], sy: s[3], syy: s[4] };
  }

  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.data.ctx.check();
  }

  dispose(): void {
    for (const b of [this.model, this.partials, this.sums, this.history, this.ring]) b.destroy();
  }
}

/** The WebGPU backend (browser or Node/Dawn). */
export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  private readonly pipelines = new Map<number, { grad: GradPipelines; update: UpdatePipelines }>();

  private constructor(readonly ctx: GpuContext, private readonly ownsContext: boolean) {}

  /** Acquires a device (or uses `ctx`) and returns a backend on it. */
  static async create(opts: AcquireOptions & { ctx?: GpuContext } = {}): Promise<WebGpuBackend> {
    return opts.ctx ? new WebGpuBackend(opts.ctx, false) : new WebGpuBackend(await acquireGpu(opts), true);
  }

  /** A backend on an existing context, which the caller keeps and destroys. */
  static createSync(ctx: GpuContext): WebGpuBackend {
    return new WebGpuBackend(ctx, false);
  }

  get device(): string {
    return this.ctx.description;
  }

  maxChunkRows(d: number): number {
    const rowBytes = gradLayout(d).dp4 * 16;
    const limit = Math.min(this.ctx.limits.maxStorageBufferBindingSize, this.ctx.limits.maxBufferSize);
    return Math.max(1, Math.floor(limit / rowBytes));
  }

  async upload(chunks: Iterable<HostChunk>, d: number, rows: number, chunkRows: number): Promise<ResidentData> {
    const { dp4 } = gradLayout(d);
    const device = this.ctx.device;
    const held: GpuChunk[] = [];
    let ySum = 0;
    for (const c of rechunk(chunks, d, Math.min(chunkRows, this.maxChunkRows(d)))) {
      const x = createFilled(device, 'x', c.rows * dp4 * 16, STORAGE, (b) => {
        const dst = new Float32Array(b);
        if (dp4 * 4 === d) dst.set(c.x);
        else for (let r = 0; r < c.rows; r++) dst.set(c.x.subarray(r * d, (r + 1) * d), r * dp4 * 4);
      });
      const y = createFilled(device, 'y', c.rows * 4, STORAGE, (b) => new Float32Array(b).set(c.y));
      for (let i = 0; i < c.rows; i++) ySum += c.y[i];
      held.push({ rows: c.rows, x, y });
    }
    const total = held.reduce((s, c) => s + c.rows, 0);
    if (total !== rows) throw new Error(`upload: expected ${rows} rows, got ${total}`);
    this.ctx.check();
    return new GpuData(d, rows, held, rows > 0 ? ySum / rows : 0, this.ctx);
  }

  async createSession(data: ResidentData, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(data instanceof GpuData) || data.ctx !== this.ctx) throw new Error('WebGpuBackend: data was uploaded to another backend');
    let p = this.pipelines.get(spec.d);
    if (!p) {
      const grad = gradPipelines(this.ctx.device, spec.d);
      p = { grad, update: updatePipelines(this.ctx.device, grad.layout) };
      this.pipelines.set(spec.d, p);
    }
    const historyCapacity = 65536;
    return new GpuSession(data, spec, init ?? zeroParams(spec.d), historyCapacity, p);
  }

  dispose(): void {
    if (this.ownsContext) this.ctx.destroy();
  }
}
