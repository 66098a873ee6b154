// What both CPU sessions share: parameters in f64 on the host, the SGD step from a step's sums, and the batch
// losses by step index. Subclasses say how a step's rows are summed (one thread, or a pool of threads).
import type { ChunkStore, TrainSession } from '../backend';
import type { MetricSums } from '../core/metrics';
import { zeroParams, type Gradient, type ModelParams, type ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import type { GradSums } from './linear_grad';
import { linearUpdateCpu, meanGradient } from './linear_update';

/** A CPU training session; `stepSums` computes a step's sums at the current parameters. */
export abstract class CpuSessionBase implements TrainSession {
  private readonly losses: number[] = [];
  protected params: ModelParams;

  constructor(protected readonly spec: ModelSpec, init?: ModelParams) {
    this.params = init ? { weights: Float64Array.from(init.weights), bias: spec.fitBias ? init.bias : 0 } : zeroParams(spec.d);
  }

  protected abstract stepSums(step: Step): GradSums;
  abstract evaluate(store?: ChunkStore, yShift?: number): Promise<MetricSums>;

  runSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      const g = linearUpdateCpu(this.params, this.stepSums(step), step.lr, this.spec.fitBias);
      this.losses[step.index] = g.loss;
    }
  }

  async gradient(step: Step): Promise<Gradient> {
    return meanGradient(this.stepSums(step));
  }

  async readLosses(count: number): Promise<Float64Array> {
    return Float64Array.from({ length: count }, (_, i) => this.losses[i] ?? NaN);
  }

  async readModel(): Promise<ModelParams> {
    return { weights: Float64Array.from(this.params.weights), bias: this.params.bias };
  }

  writeModel(p: ModelParams): void {
    this.params = { weights: Float64Array.from(p.weights), bias: this.spec.fitBias ? p.bias : 0 };
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}
