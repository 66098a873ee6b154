// The CPU backend: a plain f64-accumulating reference, the oracle for every GPU test and the CPU side
// of CPU-vs-GPU comparisons. Data stays as float32 (as on the GPU); all arithmetic is f64.
import type { Backend, ResidentData, TrainSession } from '../backend';
import { rechunk, type HostChunk } from '../core/dataset';
import type { MetricSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import { zeroParams } from '../core/model';
import type { Step } from '../core/schedule';
import { emptyGradSums, linearGradCpu } from './linear_grad';
import { linearUpdateCpu, meanGradient } from './linear_update';

class CpuData implements ResidentData {
  constructor(
    readonly d: number, readonly rows: number, readonly chunks: HostChunk[], readonly yMean: number,
  ) {}

  get chunkRows(): number[] {
    return this.chunks.map((c) => c.rows);
  }

  dispose(): void {
    this.chunks.length = 0;
  }
}

class CpuSession implements TrainSession {
  private losses: number[] = [];
  private params: ModelParams;

  constructor(private readonly data: CpuData, private readonly spec: ModelSpec, init?: ModelParams) {
    this.params = init ? { weights: Float64Array.from(init.weights), bias: init.bias } : zeroParams(spec.d);
    if (!spec.fitBias) this.params.bias = 0;
  }

  private sums(step: Step) {
    const out = emptyGradSums(this.spec.d);
    for (const piece of step.pieces) {
      const c = this.data.chunks[piece.chunk];
      linearGradCpu(c.x, c.y, this.spec.d, c.rows, this.params, piece, this.spec.loss, 0, true, out);
    }
    return out;
  }

  runSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      const g = linearUpdateCpu(this.params, this.sums(step), step.lr, this.spec.fitBias);
      this.losses[step.index] = g.loss;
    }
  }

  async gradient(step: Step): Promise<Gradient> {
    return meanGradient(this.sums(step));
  }

  async readLosses(count: number): Promise<Float64Array> {
    const out = Float64Array.from({ length: count }, (_, i) => this.losses[i] ?? NaN);
    this.losses = [];
    return out;
  }

  async readModel(): Promise<ModelParams> {
    return { weights: Float64Array.from(this.params.weights), bias: this.params.bias };
  }

  writeModel(p: ModelParams): void {
    this.params = { weights: Float64Array.from(p.weights), bias: this.spec.fitBias ? p.bias : 0 };
  }

  async evaluate(): Promise<MetricSums> {
    const out = emptyGradSums(this.spec.d);
    for (const c of this.data.chunks) {
      const range = { start: 0, count: c.rows, key: 0, shuffle: false };
      linearGradCpu(c.x, c.y, this.spec.d, c.rows, this.params, range, this.spec.loss, this.data.yMean, false, out);
    }
    return { rows: out.rows, sse: out.loss, sae: out.sae, sy: out.sy, syy: out.syy };
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}

/** The f64 CPU reference backend. */
export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly device = 'CPU (f64 reference, single thread)';

  maxChunkRows(d: number): number {
    return Math.max(1, Math.floor(2 ** 28 / Math.max(1, d)));
  }

  async upload(chunks: Iterable<HostChunk>, d: number, rows: number, chunkRows: number): Promise<ResidentData> {
    const held: HostChunk[] = [];
    let ySum = 0;
    for (const c of rechunk(chunks, d, chunkRows)) {
      held.push(c);
      for (let i = 0; i < c.rows; i++) ySum += c.y[i];
    }
    const total = held.reduce((s, c) => s + c.rows, 0);
    if (total !== rows) throw new Error(`upload: expected ${rows} rows, got ${total}`);
    return new CpuData(d, rows, held, rows > 0 ? ySum / rows : 0);
  }

  async createSession(data: ResidentData, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(data instanceof CpuData)) throw new Error('CpuBackend: data was uploaded to another backend');
    return new CpuSession(data, spec, init);
  }

  dispose(): void {}
}
