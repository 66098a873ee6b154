// What both CPU sessions share: parameters in f64 on the host, the SGD step from a step's sums, and the batch
// losses by step index. Subclasses say how a step's rows are summed (one thread, or a pool of threads).
import type { ChunkStore, TrainSession } from '../backend';
import { confusionClasses, type EvalSums } from '../core/metrics';
import { cloneParams, zeroParams, type Gradient, type ModelParams, type ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import { emptyGradSums, type GradSums } from './grad_rows';
import { linearUpdateCpu, meanGradient } from './linear_update';

/** A CPU training session; `stepSums` computes a step's sums at the current parameters. */
export abstract class CpuSessionBase implements TrainSession {
  private readonly losses: number[] = [];
  protected params: ModelParams;

  constructor(protected readonly spec: ModelSpec, init?: ModelParams) {
    this.params = zeroParams(spec.d, spec.outputs);
    if (init) this.writeModel(init);
  }

  protected abstract stepSums(step: Step): GradSums;
  abstract evaluate(store?: ChunkStore, yShift?: number): Promise<EvalSums>;

  /** Zeroed sums for this session's model (with a confusion matrix when it classifies). */
  protected emptySums(): GradSums {
    return emptyGradSums(this.spec.d, this.spec.outputs, confusionClasses(this.spec.loss, this.spec.outputs));
  }

  runSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      const g = linearUpdateCpu(this.params, this.stepSums(step), step.lr, this.spec);
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
    return cloneParams(this.params);
  }

  writeModel(p: ModelParams): void {
    const { d, outputs } = this.spec;
    if (p.weights.length !== d * outputs || p.bias.length !== outputs) {
      throw new Error(`parameters of ${p.bias.length} output(s) × ${p.weights.length / Math.max(1, p.bias.length)} features do not fit a model of ${outputs} × ${d}`);
    }
    this.params = cloneParams(p);
    if (!this.spec.fitBias) this.params.bias.fill(0);
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}
