// What both CPU sessions of a model with a sparse block share: f64 parameters (K × (D_dense + width)) and optimizer
// state on the host, and the step's update from its sums in O(the columns it touched) — the dense block and the biases
// as apply.ts updates them, each touched sparse column first brought up to date over the steps it missed
// (core/optim/lazy.ts) — or, for rules without a closed form for untouched columns, every column (apply.ts itself).
// Subclasses say how a step's rows are summed (the f64 reference, the fast CPU backend's threads, WebGPU's kernels)
// and implement TrainSession with it; `Store` is the backend's ChunkStore (core does not import backend.ts).
import { confusionClasses, type EvalSums } from './metrics';
import { cloneParams, zeroParams, type Gradient, type ModelParams, type ModelSpec } from './model';
import { OPTIMIZERS } from './optim';
import { applyStep, newOptimState, stepContexts, updateWeight, type OptimState, type StepRule } from './optim/apply';
import type { GradSums } from './grad_sums';
import { decayTable, lazyKind, type DecayTable, type LazyKind } from './optim/lazy';
import type { Step } from './schedule';
import { emptySparseSums, SparseAccumulator, type SparseSums } from './sparse_sums';

/** Which parameters a session reads: the current iterate or the running average (backend.ts's Which). */
type Which = 'current' | 'average';
/** One step's contexts (apply.ts's stepContexts). */
type StepContexts = ReturnType<typeof stepContexts>;

/**
 * Bytes per sparse column a session keeps on the host: K f64 weights and their optimizer slots, and — when the host
 * updates the block — the scatter accumulator's K f64 sums, its mark and list entry, and the decay rule's last step.
 */
export function sparseHostBytes(s: Pick<ModelSpec, 'optimizer' | 'penalty' | 'penaltyHp' | 'outputs'>, hostUpdate: boolean): number {
  const k = s.outputs;
  const own = k * 8 * (1 + OPTIMIZERS[s.optimizer].slots);
  return hostUpdate ? own + k * 8 + 8 + (lazyKind(s) === 'decay' ? 4 : 0) : own;
}

/** A session of a model with a sparse block; `stepSums` sums a step's rows at the current parameters. */
export abstract class SparseSessionBase<Store = unknown> {
  protected readonly losses: number[] = [];
  protected params: ModelParams;
  protected state: OptimState;
  protected readonly dense: number;
  protected readonly width: number;
  private readonly kind: LazyKind;
  private readonly table: DecayTable | null;
  /** The step (1-based, global) up to which each sparse column is up to date (kept only with a decay table). */
  private readonly last: Int32Array;
  /** Steps applied so far (global), or null before the first. */
  protected done: number | null = null;
  private acc: SparseAccumulator | null = null;

  /** `hostUpdate` false: the backend updates the sparse block itself (the host keeps no decay table nor last steps). */
  constructor(protected readonly spec: ModelSpec, init?: ModelParams, hostUpdate = true) {
    if (!spec.sparse) throw new Error('a sparse session needs a model with a sparse block');
    this.dense = spec.sparse.dense;
    this.width = spec.sparse.width;
    this.params = zeroParams(spec.d, spec.outputs);
    this.state = newOptimState(spec);
    this.kind = lazyKind(spec);
    this.table = hostUpdate ? decayTable(spec) : null;
    this.last = new Int32Array(this.table ? this.width : 0);
    if (init) this.writeModel(init);
  }

  protected abstract stepSums(step: Step): SparseSums;
  /** Calls visit(j) for every sparse column the step's rows hold (repeats allowed). */
  protected abstract stepColumns(step: Step, visit: (j: number) => void): void;
  protected abstract evaluateAt(p: ModelParams, store: Store | undefined, yShift: number): Promise<EvalSums>;

  /** Told that sparse column j's weights changed (a backend that keeps a copy of them updates it). */
  protected changed(j: number): void {
    void j;
  }

  /** Told that every weight may have changed. */
  protected changedAll(): void {}

  /** The host's scatter accumulator (made at first use: a backend that updates elsewhere never needs one). */
  protected get accumulator(): SparseAccumulator {
    return (this.acc ??= new SparseAccumulator(this.width, this.spec.outputs));
  }

  /** Told that every sparse column is up to date at step `to` (a backend that updated them elsewhere copied them in). */
  protected upToDate(to: number): void {
    this.last.fill(to);
    this.table?.reset(to);
  }

  /** Zeroed sums over the session's accumulator (cleared). */
  protected emptySums(): SparseSums {
    this.accumulator.clear();
    return emptySparseSums(this.dense, this.spec.outputs, confusionClasses(this.spec.loss, this.spec.outputs), this.accumulator);
  }

  /** Brings every sparse column up to date at step `to` and restarts the decay table there. */
  private catchUpAll(to: number): void {
    const { table, last, params } = this;
    if (table) {
      const D = this.spec.d;
      for (let j = 0; j < this.width; j++) {
        if (last[j] >= to) continue;
        for (let c = 0; c < this.spec.outputs; c++) {
          const i = c * D + this.dense + j;
          params.weights[i] = table.catchUp(params.weights[i], last[j], to);
        }
      }
      table.reset(to);
      this.changedAll();
    }
    last.fill(to);
  }

  /** The parameters `which` names, every column up to date. */
  protected current(which: Which = 'current'): ModelParams {
    if (this.done !== null) this.catchUpAll(this.done);
    return which === 'average' && this.state.average ? this.state.average : this.params;
  }

  /** The mean gradient of a step's sums over every parameter (dense vector: host-update mode and rules without lazy form). */
  private fullGradient(s: SparseSums): Gradient {
    const { d: D, outputs: k } = this.spec;
    const scale = 1 / s.rows;
    const weights = new Float64Array(k * D);
    const acc = s.sparse;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < this.dense; j++) weights[c * D + j] = s.grad[c * this.dense + j] * scale;
      for (let i = 0; i < acc.count; i++) {
        const j = acc.cols[i];
        weights[c * D + this.dense + j] = acc.acc[c * this.width + j] * scale;
      }
    }
    return { weights, bias: s.gradBias.map((v) => v * scale), loss: s.loss * scale, rows: s.rows };
  }

  /** The clip factor of a step's mean gradient (touched columns only: the rest are 0). */
  private clip(s: SparseSums): number {
    if (!(this.spec.clipNorm > 0)) return 1;
    let sq = 0;
    const acc = s.sparse;
    for (let i = 0; i < acc.count; i++) for (let c = 0; c < this.spec.outputs; c++) sq += acc.acc[c * this.width + acc.cols[i]] ** 2;
    return this.clipFactor(s, sq);
  }

  /** The clip factor of a step's mean gradient given its sparse block's Σ sums². */
  protected clipFactor(s: GradSums, sparseSquares: number): number {
    if (!(this.spec.clipNorm > 0)) return 1;
    let sq = 0;
    for (const v of s.grad) sq += v * v;
    if (this.spec.fitBias) for (const v of s.gradBias) sq += v * v;
    sq += sparseSquares;
    const norm = Math.sqrt(sq) / s.rows;
    return norm > this.spec.clipNorm ? this.spec.clipNorm / norm : 1;
  }

  /**
   * Readies step t (1-based): at the session's first step (or a jump in the numbering, a resumed run) every column is
   * up to date; with a decay rule the columns the step reads are brought up to date first, so its outputs see the
   * weights the dense update would have.
   */
  protected begin(step: Step): void {
    const t = step.t + 1;
    if (this.done === null || t !== this.done + 1) {
      if (this.done !== null) this.catchUpAll(this.done);
      this.last.fill(t - 1);
      this.table?.reset(t - 1);
      this.done = t - 1;
    }
    const { table, last, params } = this;
    if (!table) return;
    const { d: D, outputs: k } = this.spec;
    const dd = this.dense;
    this.stepColumns(step, (j) => {
      if (last[j] >= t - 1) return;
      for (let c = 0; c < k; c++) params.weights[c * D + dd + j] = table.catchUp(params.weights[c * D + dd + j], last[j], t - 1);
      last[j] = t - 1;
      this.changed(j);
    });
  }

  /** Applies one step from its sums (see the file header). */
  private apply(s: SparseSums, rule: StepRule): void {
    const { spec, params: p, state, dense: dd, width, last } = this;
    const t = rule.t;
    if (this.kind === 'dense') {
      applyStep(p, this.fullGradient(s), state, rule, spec);
      this.done = t;
      this.changedAll();
      return;
    }
    const D = spec.d;
    const scale = this.clip(s) / s.rows;
    const ctx = stepContexts(rule, spec);
    this.table?.push(rule.lr);
    this.applyDense(s, ctx, scale);
    const acc = s.sparse;
    for (let q = 0; q < acc.count; q++) {
      const j = acc.cols[q];
      for (let c = 0; c < spec.outputs; c++) {
        const i = c * D + dd + j;
        const w = this.table ? this.table.catchUp(p.weights[i], last[j], t - 1) : p.weights[i];
        p.weights[i] = updateWeight(w, acc.acc[c * width + j] * scale, state.slots, i, ctx.weight, spec);
      }
      last[j] = t;
      this.changed(j);
    }
    this.done = t;
    if (rule.average > 0) this.average(rule.average);
    if (this.table?.full) this.catchUpAll(t);
  }

  /** The update of the dense block and the biases from a step's sums (mean gradient: the sums times `scale`). */
  protected applyDense(s: GradSums, ctx: StepContexts, scale: number): void {
    const { spec, params: p, state, dense: dd } = this;
    const D = spec.d;
    for (let c = 0; c < spec.outputs; c++) {
      for (let j = 0; j < dd; j++) p.weights[c * D + j] = updateWeight(p.weights[c * D + j], s.grad[c * dd + j] * scale, state.slots, c * D + j, ctx.weight, spec);
    }
    if (spec.fitBias) {
      const opt = OPTIMIZERS[spec.optimizer];
      const n = p.weights.length;
      for (let c = 0; c < spec.outputs; c++) p.bias[c] = opt.update(p.bias[c], s.gradBias[c] * scale, state.slots, (n + c) * opt.slots, spec.optimizerHp, ctx.bias);
    }
  }

  /** The running average over every parameter (dense: averaging costs O(D) per averaged step). */
  protected average(n: number): void {
    this.catchUpAll(this.done!);
    const p = this.params;
    const a = (this.state.average ??= cloneParams(p));
    for (let i = 0; i < p.weights.length; i++) a.weights[i] += (p.weights[i] - a.weights[i]) / n;
    for (let c = 0; c < p.bias.length; c++) a.bias[c] += (p.bias[c] - a.bias[c]) / n;
    this.state.averaged = n;
  }

  runSteps(steps: readonly Step[]): void {
    for (const step of steps) {
      this.begin(step);
      const s = this.stepSums(step);
      this.losses[step.index] = s.loss / s.rows;
      this.apply(s, { lr: step.lr, t: step.t + 1, average: step.average });
    }
  }

  async gradient(step: Step): Promise<Gradient> {
    this.current();
    return this.fullGradient(this.stepSums(step));
  }

  async readLosses(count: number): Promise<Float64Array> {
    return Float64Array.from({ length: count }, (_, i) => this.losses[i] ?? NaN);
  }

  async readModel(which?: Which): Promise<ModelParams> {
    return cloneParams(this.current(which));
  }

  /** The parameters themselves, no copy (2^24 hashed weights are 128 MB): the caller reads them and trains no more. */
  async viewModel(which?: Which): Promise<ModelParams> {
    return this.current(which);
  }

  evaluate(store?: Store, yShift = 0, which?: Which): Promise<EvalSums> {
    return this.evaluateAt(this.current(which), store, yShift);
  }

  writeModel(p: ModelParams): void {
    const { d, outputs } = this.spec;
    if (p.weights.length !== d * outputs || p.bias.length !== outputs) {
      throw new Error(`parameters of ${p.bias.length} output(s) × ${p.weights.length / Math.max(1, p.bias.length)} features do not fit a model of ${outputs} × ${d}`);
    }
    if (this.done !== null) this.catchUpAll(this.done);
    this.params = cloneParams(p);
    if (!this.spec.fitBias) this.params.bias.fill(0);
    this.changedAll();
  }

  async readState(): Promise<OptimState> {
    this.current();
    const s = this.state;
    return { slots: Float64Array.from(s.slots), average: s.average && cloneParams(s.average), averaged: s.averaged };
  }

  writeState(s: OptimState): void {
    if (s.slots.length !== this.state.slots.length) throw new Error(`optimizer state of ${s.slots.length} values does not fit this model's ${this.state.slots.length}`);
    this.current();
    this.state = { slots: Float64Array.from(s.slots), average: s.average && cloneParams(s.average), averaged: s.averaged };
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}
