// A distributed run seen by the ordinary epoch loop: a store that reports every chunk of the global row order
// (DistStore; the rank holds only its own), and a session whose gradient is the sum over all ranks (DistSession).
// Each rank computes, piece by piece, the loss and gradient sums of the step's rows it holds (a piece's sums do not
// depend on which rank holds it), the ranks allreduce them in f64, and every rank applies the same update on the
// host (sink.ts's host-update path) — so 1, 2 or 4 ranks take the same steps. Evaluations sum the ranks' metric sums.
// A stop asked for on any rank travels in the step's sum, so every rank stops after the same step. With
// --sync-every k each rank steps on its own rows with no collective at all, and every k steps of an epoch (and at its
// end) one allreduce averages the models and carries the period's loss sums and stop flags: the epoch loop then sees
// agreed losses (TrainSession.agree), so its reports, divergence checks, schedules and stops agree on every rank.
import type { Backend, ChunkStore, SessionUse, TrainSession, Which } from '../backend';
import type { RowExtras } from '../core/dataset';
import type { EvalSums } from '../core/metrics';
import type { Gradient, ModelParams, ModelSpec } from '../core/model';
import type { OptimState } from '../core/optim/apply';
import { epochSteps, type Piece, type Step } from '../core/schedule';
import { concat, type Collective } from './collective';
import { sumRanks } from './solve_ranks';

/** Pieces one backend call may take (a WebGPU step's limit, src/gpu/step_encoder.ts MAX_PIECES). */
const PIECES_PER_CALL = 64;

/** The global chunk list of a distributed run over this rank's store of its own chunks. */
export class DistStore implements ChunkStore {
  readonly d: number;
  readonly slotRows: number;
  readonly extras: RowExtras;

  /** `rowsIn[c]`: training rows of global chunk c; `slotOf`: where this rank holds chunk c. */
  constructor(readonly local: ChunkStore, readonly rowsIn: readonly number[], readonly slotOf: ReadonlyMap<number, number>) {
    this.d = local.d;
    this.slotRows = local.slotRows;
    this.extras = local.extras;
  }

  async load(): Promise<void> {
    throw new Error('a distributed store is loaded by its rank, chunk by chunk, before training');
  }

  dispose(): void {
    this.local.dispose();
  }
}

/** What a distributed session needs besides its rank's session. */
export interface DistOptions {
  collective: Collective;
  /** The caller's stop request (this rank's); `agreed` is aborted when any rank has asked. */
  signal: AbortSignal | null;
  agreed: AbortController;
  /** Steps between model averages (1: gradients summed every step). */
  syncEvery: number;
  stepsPerEpoch: number;
  seed: number;
  shuffle: boolean;
}

/** A backend whose sessions on a DistStore are DistSessions; everything else is the backend's own. */
export function distBackend(backend: Backend, o: DistOptions): Backend {
  return new Proxy(backend, {
    get(target, key) {
      if (key === 'gramPass') return undefined;
      if (key === 'createSession') {
        return async (store: ChunkStore, spec: ModelSpec, init?: ModelParams, use?: SessionUse) => {
          if (!(store instanceof DistStore)) return target.createSession(store, spec, init, use);
          return new DistSession(await target.createSession(store.local, spec, init, use), store, spec, o);
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** A rank's session whose gradients and evaluations are sums over every rank. */
export class DistSession implements TrainSession {
  private local: { epoch: number; steps: Step[] } | null = null;
  private averaged = true;
  /** --sync-every: the index in its epoch of the last local step, and the loss sums and rows of the steps since the last average. */
  private lastIndex = -1;
  private period: { loss: number; rows: number }[] = [];
  /** Agreed batch losses not yet handed to the epoch loop (agree). */
  private agreedLosses: number[] = [];

  constructor(private readonly inner: TrainSession, private readonly store: DistStore, private readonly spec: ModelSpec, private readonly o: DistOptions) {}

  get compileSeconds(): number | undefined {
    return this.inner.compileSeconds;
  }

  runSteps(): void {
    throw new Error('a distributed session takes its steps through gradient() (host updates)');
  }

  async gradient(step: Step): Promise<Gradient> {
    const { d, outputs: k } = this.spec;
    const n = k * d + k;
    // Gradient sums (weights, biases), then the loss sum, the rows and the stop flag.
    const v = new Float64Array(n + 3);
    if (this.o.syncEvery > 1) return this.localGradient(step, v, n);
    const rows = await this.pieceSums(step, v);
    v[n + 1] = rows;
    v[n + 2] = this.o.signal?.aborted ? 1 : 0;
    const sum = await this.o.collective.allreduce(v);
    const tail = sum.subarray(n);
    if (tail[2] > 0) this.o.agreed.abort();
    if (tail[1] !== step.rows) throw new Error(`the ranks hold ${tail[1]} of step ${step.t}'s ${step.rows} rows: their shares do not cover the data`);
    const scale = 1 / Math.max(1, tail[1]);
    return { weights: sum.slice(0, k * d).map((x) => x * scale), bias: sum.slice(k * d, n).map((x) => x * scale), loss: tail[0] / tail[1], rows: tail[1] };
  }

  /**
   * --sync-every: the gradient of this rank's own rows for the step, with no collective; its loss is this rank's until
   * agree() exchanges the period's sums with the average.
   */
  private async localGradient(step: Step, v: Float64Array, n: number): Promise<Gradient> {
    const kd = this.spec.outputs * this.spec.d;
    this.averaged = false;
    const rows = await this.localSums(step, v);
    this.lastIndex = step.index;
    this.period.push({ loss: v[n], rows });
    const scale = 1 / Math.max(1, rows);
    return { weights: v.slice(0, kd).map((x) => x * scale), bias: v.slice(kd, n).map((x) => x * scale), loss: v[n] * scale, rows };
  }

  /** --sync-every: at the end of an averaging period (or of the epoch), the ranks' average and the period's agreed losses. */
  async agree(end: boolean): Promise<readonly number[] | null> {
    if (this.o.syncEvery === 1) return null;
    if (end || (this.lastIndex + 1) % this.o.syncEvery === 0) await this.average();
    if (!this.agreedLosses.length) return null;
    const out = this.agreedLosses;
    this.agreedLosses = [];
    return out;
  }

  /** Newton's Hessian of the step's rows: each rank sums its pieces' (K·(D + 1))² matrices, the ranks add them in f64. */
  async hessian(step: Step): Promise<Float64Array> {
    const inner = this.inner;
    if (!inner.hessian) throw new Error('this backend has no Hessian pass for Newton\'s method; use --solver lbfgs');
    const size = (this.spec.outputs * (this.spec.d + 1)) ** 2;
    const v = new Float64Array(size + 1);
    for (const p of step.pieces) {
      const slot = this.store.slotOf.get(p.chunk);
      if (slot === undefined || p.count === 0) continue;
      const h = await inner.hessian({ ...step, rows: p.count, pieces: [{ ...p, chunk: slot }] });
      for (let i = 0; i < size; i++) v[i] += h[i] * p.count;
      v[size] += p.count;
    }
    const sum = await this.o.collective.allreduce(v);
    const rows = sum[size];
    if (rows !== step.rows) throw new Error(`the ranks hold ${rows} of the pass's ${step.rows} rows: their shares do not cover the data`);
    return sum.slice(0, size).map((x) => x / Math.max(1, rows));
  }

  /**
   * Adds the loss and gradient sums of the step's pieces this rank holds into v, in one pass of the backend over all of
   * them (a step draws on every stripe, so a rank holds many small pieces of it); returns their rows.
   */
  private async pieceSums(step: Step, v: Float64Array): Promise<number> {
    const mine: Piece[] = [];
    let rows = 0;
    for (const p of step.pieces) {
      const slot = this.store.slotOf.get(p.chunk);
      if (slot === undefined || p.count === 0) continue;
      mine.push({ ...p, chunk: slot });
      rows += p.count;
    }
    for (let i = 0; i < mine.length; i += PIECES_PER_CALL) {
      const group = mine.slice(i, i + PIECES_PER_CALL);
      const n = group.reduce((a, p) => a + p.count, 0);
      addScaled(v, await this.inner.gradient({ ...step, rows: n, pieces: group }), n);
    }
    return rows;
  }

  /** --sync-every: this rank's own step t (its rows cut into the run's steps per epoch); sums into v. */
  private async localSums(step: Step, v: Float64Array): Promise<number> {
    const { stepsPerEpoch: s } = this.o;
    const epoch = Math.floor(step.t / s);
    if (this.local?.epoch !== epoch) {
      const rowsIn = this.store.local.rowsIn;
      const total = rowsIn.reduce((a, b) => a + b, 0);
      const batch = Math.max(1, Math.ceil(total / s));
      const seed = (this.o.seed + 0x9e37 * (this.o.collective.rank + 1)) >>> 0;
      this.local = { epoch, steps: [...epochSteps({ chunkRows: rowsIn, batch, lr: step.lr, seed, epoch, shuffle: this.o.shuffle })] };
    }
    const mine = this.local.steps[step.t % s];
    if (!mine) return 0;
    const g = await this.inner.gradient({ ...step, rows: mine.rows, pieces: mine.pieces });
    addScaled(v, g, mine.rows);
    return mine.rows;
  }

  async readLosses(count: number): Promise<Float64Array> {
    return this.inner.readLosses(count);
  }

  async readModel(which?: Which): Promise<ModelParams> {
    return this.inner.readModel(which);
  }

  writeModel(p: ModelParams): void {
    this.inner.writeModel(p);
  }

  async evaluate(store?: ChunkStore, yShift?: number, which?: Which): Promise<EvalSums> {
    await this.average();
    return sumRanks(await this.inner.evaluate(store instanceof DistStore ? store.local : store, yShift, which), this.o.collective);
  }

  async readState(): Promise<OptimState> {
    return this.inner.readState();
  }

  writeState(s: OptimState): void {
    this.inner.writeState(s);
  }

  async sync(): Promise<void> {
    await this.average();
    await this.inner.sync();
  }

  /**
   * --sync-every: the ranks' mean model and optimizer state on every rank, in one allreduce that also carries the loss
   * sums and rows of each step since the last average (the agreed batch losses) and whether any rank was asked to stop
   * (then every rank stops here: a stop always leaves the ranks' average).
   */
  private async average(): Promise<void> {
    if (this.averaged || this.o.syncEvery === 1) return;
    this.averaged = true;
    const c = this.o.collective;
    const p = await this.inner.readModel();
    const s = await this.inner.readState();
    const a = s.average;
    const steps = this.period;
    this.period = [];
    const v = concat(p.weights, p.bias, s.slots, a ? a.weights : [], a ? a.bias : [],
      steps.map((x) => x.loss), steps.map((x) => x.rows), [this.o.signal?.aborted ? 1 : 0]);
    const sum = await c.allreduce(v);
    const m = sum.map((x) => x / c.size);
    const nw = p.weights.length;
    const nb = p.bias.length;
    const ns = s.slots.length;
    const na = a ? nw + nb : 0;
    this.inner.writeModel({ weights: m.slice(0, nw), bias: m.slice(nw, nw + nb) });
    const avg = a && { weights: m.slice(nw + nb + ns, nw + nb + ns + nw), bias: m.slice(nw + nb + ns + nw, nw + nb + ns + na) };
    this.inner.writeState({ slots: m.slice(nw + nb, nw + nb + ns), average: avg, averaged: s.averaged });
    const at = nw + nb + ns + na;
    for (let i = 0; i < steps.length; i++) this.agreedLosses.push(sum[at + i] / sum[at + steps.length + i]);
    if (sum[at + 2 * steps.length] > 0) this.o.agreed.abort();
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/** v[0..n) += count · g (weights, then biases); v[n] += count · loss. */
function addScaled(v: Float64Array, g: Gradient, count: number): void {
  const kd = g.weights.length;
  for (let i = 0; i < kd; i++) v[i] += g.weights[i] * count;
  for (let c = 0; c < g.bias.length; c++) v[kd + c] += g.bias[c] * count;
  v[kd + g.bias.length] += g.loss * count;
}
