// What both CPU sessions share: parameters and optimizer state in f64 on the host, the update from a step's sums
// (core/optim/apply.ts, the twin of shaders/apply_update.wgsl), and the batch losses by step index. Subclasses say
// how a step's rows are summed (one thread, or a pool of threads).
import type { ChunkStore, TrainSession, Which } from '../backend';
import { confusionClasses, type EvalSums } from '../core/metrics';
import { cloneParams, stepDivisor, zeroParams, type Gradient, type ModelParams, type ModelSpec } from '../core/model';
import { newOptimState, type OptimState } from '../core/optim/apply';
import type { Piece, Step } from '../core/schedule';
import { addHessianFast, type RowBlock } from './hessian';
import { applyUpdateCpu, meanGradient } from './apply_update';
import { emptyGradSums, type GradSums } from './grad_sums';

/** A CPU training session; `stepSums` computes a step's sums at the current parameters. */
export abstract class CpuSessionBase implements TrainSession {
  private readonly losses: number[] = [];
  protected params: ModelParams;
  private state: OptimState;

  constructor(protected readonly spec: ModelSpec, init?: ModelParams) {
    this.params = zeroParams(spec.d, spec.outputs);
    this.state = newOptimState(spec);
    if (init) this.writeModel(init);
  }

  protected abstract stepSums(step: Step): GradSums;
  /** The rows of one of a step's pieces as a float32 block (in storage order). */
  protected abstract rowBlock(piece: Piece): RowBlock;
  protected abstract evaluateAt(p: ModelParams, store: ChunkStore | undefined, yShift: number): Promise<EvalSums>;

  /** Zeroed sums for this session's model (with a confusion matrix when it classifies). */
  protected emptySums(): GradSums {
    return emptyGradSums(this.spec.d, this.spec.outputs, confusionClasses(this.spec.loss, this.spec.outputs));
  }

  /** The parameters `which` names. */
  protected paramsOf(which: Which = 'current'): ModelParams {
    return which === 'average' && this.state.average ? this.state.average : this.params;
  }

  runSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      const g = applyUpdateCpu(this.params, this.stepSums(step), this.state, { lr: step.lr, t: step.t + 1, average: step.average }, this.spec);
      this.losses[step.index] = g.loss;
    }
  }

  async gradient(step: Step): Promise<Gradient> {
    return meanGradient(this.stepSums(step), this.spec.meanWeight);
  }

  async hessian(step: Step): Promise<Float64Array> {
    const { d, outputs: k } = this.spec;
    const h = new Float64Array((k * (d + 1)) ** 2);
    for (const piece of step.pieces) addHessianFast(h, this.rowBlock(piece), this.params, this.spec);
    return h.map((v) => v / stepDivisor(Math.max(1, step.rows), this.spec));
  }

  async readLosses(count: number): Promise<Float64Array> {
    return Float64Array.from({ length: count }, (_, i) => this.losses[i] ?? NaN);
  }

  async readModel(which?: Which): Promise<ModelParams> {
    return cloneParams(this.paramsOf(which));
  }

  evaluate(store?: ChunkStore, yShift = 0, which?: Which): Promise<EvalSums> {
    return this.evaluateAt(this.paramsOf(which), store, yShift);
  }

  writeModel(p: ModelParams): void {
    const { d, outputs } = this.spec;
    if (p.weights.length !== d * outputs || p.bias.length !== outputs) {
      throw new Error(`parameters of ${p.bias.length} output(s) × ${p.weights.length / Math.max(1, p.bias.length)} features do not fit a model of ${outputs} × ${d}`);
    }
    this.params = cloneParams(p);
    if (!this.spec.fitBias) this.params.bias.fill(0);
  }

  async readState(): Promise<OptimState> {
    const s = this.state;
    return { slots: Float64Array.from(s.slots), average: s.average && cloneParams(s.average), averaged: s.averaged };
  }

  writeState(s: OptimState): void {
    if (s.slots.length !== this.state.slots.length) throw new Error(`optimizer state of ${s.slots.length} values does not fit this model's ${this.state.slots.length}`);
    this.state = { slots: Float64Array.from(s.slots), average: s.average && cloneParams(s.average), averaged: s.averaged };
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}
