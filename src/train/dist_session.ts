// A distributed run seen by the ordinary epoch loop: a store that reports every chunk of the global row order
// (DistStore; the rank holds only its own), and a session whose gradient is the sum over all ranks (DistSession).
// Each rank computes, piece by piece, the loss and gradient sums of the step's rows it holds (a piece's sums do not
// depend on which rank holds it), the ranks allreduce them in f64, and every rank applies the same update on the
// host (sink.ts's host-update path) — so 1, 2 or 4 ranks take the same steps. Evaluations sum the ranks' metric sums.
// A stop asked for on any rank travels in the step's sum, so every rank stops after the same step. With
// --sync-every k each rank steps on its own rows and the models are averaged every k steps (local SGD).
import type { Backend, ChunkStore, SessionUse, TrainSession, Which } from '../backend';
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

  /** `rowsIn[c]`: training rows of global chunk c; `slotOf`: where this rank holds chunk c. */
  constructor(readonly local: ChunkStore, readonly rowsIn: readonly number[], readonly slotOf: ReadonlyMap<number, number>) {
    this.d = local.d;
    this.slotRows = local.slotRows;
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
  private lastT = -1;
  private averaged = true;
  private pending: Promise<void> | null = null;
  private stopAsked = false;

  constructor(private readonly inner: TrainSession, private readonly store: DistStore, private readonly spec: ModelSpec, private readonly o: DistOptions) {}

  get compileSeconds(): number | undefined {
    return this.inner.compileSeconds;
  }

  runSteps(): void {
    throw new Error('a distributed session takes its steps through gradient() (host updates)');
  }

  async gradient(step: Step): Promise<Gradient> {
    await this.settle();
    const { d, outputs: k } = this.spec;
    const n = k * d + k;
    // Gradient sums (weights, biases), then the loss sum, the rows and the stop flag.
    const v = new Float64Array(n + 3);
    const local = this.o.syncEvery > 1;
    if (local) this.averaged = false;
    const rows = local ? await this.localSums(step, v) : await this.pieceSums(step, v);
    v[n + 1] = rows;
    v[n + 2] = this.o.signal?.aborted ? 1 : 0;
    // Local steps sum only the loss, the rows and the flag (every rank sees the same losses); otherwise everything.
    const sum = local ? await this.o.collective.allreduce(v.slice(n)) : await this.o.collective.allreduce(v);
    const tail = local ? sum : sum.subarray(n);
    // A stop takes effect after the step that ends an averaging period, so every stop leaves the ranks' average.
    if (tail[2] > 0) this.stopAsked = true;
    if (this.stopAsked && (!local || (step.t + 1) % this.o.syncEvery === 0)) this.o.agreed.abort();
    if (!local && tail[1] !== step.rows) throw new Error(`the ranks hold ${tail[1]} of step ${step.t}'s ${step.rows} rows: their shares do not cover the data`);
    this.lastT = step.t;
    const g = local ? v : sum;
    const scale = 1 / Math.max(1, local ? rows : tail[1]);
    return { weights: g.slice(0, k * d).map((x) => x * scale), bias: g.slice(k * d, n).map((x) => x * scale), loss: tail[0] / tail[1], rows: tail[1] };
  }

  /** Newton's Hessian of the step's rows: each rank sums its pieces' (K·(D + 1))² matrices, the ranks add them in f64. */
  async hessian(step: Step): Promise<Float64Array> {
    const inner = this.inner;
    if (!inner.hessian) throw new Error('this backend has no Hessian pass for Newton\'s method; use --solver lbfgs');
    await this.settle();
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
    await this.settle();
    return this.inner.readModel(which);
  }

  writeModel(p: ModelParams): void {
    this.inner.writeModel(p);
  }

  async evaluate(store?: ChunkStore, yShift?: number, which?: Which): Promise<EvalSums> {
    await this.settle();
    await this.average();
    return sumRanks(await this.inner.evaluate(store instanceof DistStore ? store.local : store, yShift, which), this.o.collective);
  }

  async readState(): Promise<OptimState> {
    await this.settle();
    return this.inner.readState();
  }

  /** Restores state; after the last local step of an averaging period (--sync-every), starts the average. */
  writeState(s: OptimState): void {
    this.inner.writeState(s);
    if (this.o.syncEvery > 1 && this.lastT >= 0 && (this.lastT + 1) % this.o.syncEvery === 0) {
      const p = this.average();
      p.catch(() => undefined); // handled where it is awaited (settle)
      this.pending = p;
    }
  }

  async sync(): Promise<void> {
    await this.settle();
    await this.average();
    await this.inner.sync();
  }

  /** Waits for an average started by writeState. */
  private async settle(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    await p;
  }

  /** --sync-every: the ranks' mean model and optimizer state, on every rank. */
  private async average(): Promise<void> {
    if (this.averaged || this.o.syncEvery === 1) return;
    this.averaged = true;
    const c = this.o.collective;
    const p = await this.inner.readModel();
    const s = await this.inner.readState();
    const a = s.average;
    const v = concat(p.weights, p.bias, s.slots, a ? a.weights : [], a ? a.bias : []);
    const m = (await c.allreduce(v)).map((x) => x / c.size);
    const nw = p.weights.length;
    const nb = p.bias.length;
    const ns = s.slots.length;
    this.inner.writeModel({ weights: m.slice(0, nw), bias: m.slice(nw, nw + nb) });
    const avg = a && { weights: m.slice(nw + nb + ns, nw + nb + ns + nw), bias: m.slice(nw + nb + ns + nw) };
    this.inner.writeState({ slots: m.slice(nw + nb, nw + nb + ns), average: avg, averaged: s.averaged });
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
