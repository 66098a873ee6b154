// A multi-threaded CPU backend for Node (worker_threads): the same f64 math as the reference backend, each
// step's rows split across threads that read the rows from shared memory and run the reference's row kernel
// (threads/grad_thread.ts, built from the same TypeScript); the main thread adds the threads' sums in a fixed
// order and takes the step, so results are deterministic.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Backend, ChunkStore, TrainSession } from '../backend';
import type { HostChunk } from '../core/dataset';
import { confusionClasses, type EvalSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import threadSource from './threads/grad_thread?thread';
import { CTL, CTL_WORDS, PIECE_INTS, resultStride, type ThreadMessage } from './threads/protocol';
import type { GradRange, GradSums } from './grad_rows';
import { CpuSessionBase } from './session';

const MAX_PIECES = 256;

/** Rows in shared memory, one SharedArrayBuffer pair per slot; every thread is told of each new slot. */
class SharedStore implements ChunkStore {
  readonly rowsIn: number[] = [];
  private readonly slots: { x: Float32Array; y: Float32Array; capacity: number }[] = [];
  readonly id: number;

  constructor(readonly d: number, readonly slotRows: number, private readonly exact: boolean, private readonly pool: ThreadPool) {
    this.id = pool.nextId();
  }

  async load(slot: number, chunk: HostChunk): Promise<void> {
    if (chunk.rows > this.slotRows) throw new Error(`a chunk of ${chunk.rows} rows does not fit a slot of ${this.slotRows}`);
    let s = this.slots[slot];
    if (!s || s.capacity < chunk.rows) {
      const capacity = this.exact ? chunk.rows : this.slotRows;
      s = { x: new Float32Array(new SharedArrayBuffer(Math.max(4, capacity * this.d * 4))), y: new Float32Array(new SharedArrayBuffer(Math.max(4, capacity * 4))), capacity };
      this.slots[slot] = s;
    }
    s.x.set(chunk.x.subarray(0, chunk.rows * this.d));
    s.y.set(chunk.y.subarray(0, chunk.rows));
    this.rowsIn[slot] = chunk.rows;
    this.pool.post({ type: 'slot', store: this.id, slot, x: s.x.buffer as SharedArrayBuffer, y: s.y.buffer as SharedArrayBuffer, rows: chunk.rows });
  }

  dispose(): void {
    this.slots.length = 0;
    this.rowsIn.length = 0;
  }
}

/** The worker threads and the shared words they wait on. */
class ThreadPool {
  readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  readonly pieces = new Int32Array(new SharedArrayBuffer(MAX_PIECES * PIECE_INTS * 4));
  private readonly ports: MessagePort[] = [];
  private ids = 0;

  constructor(readonly threads: number) {
    for (let id = 0; id < threads; id++) {
      const { port1, port2 } = new MessageChannel();
      const data = { id, threads, ctl: this.ctl, pieces: this.pieces, port: port2 };
      const w = new Worker(threadSource, { eval: true, workerData: data, transferList: [port2] });
      w.unref();
      this.ports.push(port1);
    }
  }

  nextId(): number {
    return this.ids++;
  }

  post(msg: ThreadMessage): void {
    for (const p of this.ports) p.postMessage(msg);
  }

  /** Runs one command of a session on every thread and blocks until all are done. */
  run(session: number, pieces: readonly number[][], withGrad: boolean): void {
    if (pieces.length > MAX_PIECES) throw new Error(`a step spans ${pieces.length} chunks; at most ${MAX_PIECES} are supported`);
    pieces.forEach((p, i) => this.pieces.set(p, i * PIECE_INTS));
    this.ctl[CTL.done] = 0;
    this.ctl[CTL.withGrad] = withGrad ? 1 : 0;
    this.ctl[CTL.pieces] = pieces.length;
    this.ctl[CTL.session] = session;
    Atomics.add(this.ctl, CTL.seq, 1);
    Atomics.notify(this.ctl, CTL.seq);
    for (let done = Atomics.load(this.ctl, CTL.done); done < this.threads; done = Atomics.load(this.ctl, CTL.done)) {
      Atomics.wait(this.ctl, CTL.done, done, 10_000);
    }
    if (Atomics.exchange(this.ctl, CTL.failed, 0) !== 0) throw new Error('a cpu-mt worker thread failed (its message is on stderr)');
  }

  dispose(): void {
    this.ctl[CTL.stop] = 1;
    Atomics.add(this.ctl, CTL.seq, 1);
    Atomics.notify(this.ctl, CTL.seq);
    for (const p of this.ports) p.close();
  }
}

/** A model trained with the thread pool: parameters and results live in memory the threads share. */
class ParallelSession extends CpuSessionBase {
  private readonly id: number;
  private readonly shared: Float64Array;
  private readonly results: Float64Array;
  private readonly classes: number;

  constructor(private readonly store: SharedStore, private readonly pool: ThreadPool, spec: ModelSpec, init?: ModelParams) {
    super(spec, init);
    const { d, outputs: k } = spec;
    this.classes = confusionClasses(spec.loss, k);
    this.id = pool.nextId();
    this.shared = new Float64Array(new SharedArrayBuffer((k * d + k + 1) * 8));
    this.results = new Float64Array(new SharedArrayBuffer(pool.threads * resultStride(d, k, this.classes) * 8));
    pool.post({ type: 'session', session: this.id, spec, params: this.shared.buffer as SharedArrayBuffer, results: this.results.buffer as SharedArrayBuffer });
  }

  /** Sums over pieces of rows of `store` at the current parameters, split over the threads. */
  private sums(store: SharedStore, pieces: readonly (GradRange & { chunk: number })[], withGrad: boolean, yShift: number): GradSums {
    const { d, outputs: k } = this.spec;
    this.shared.set(this.params.weights);
    this.shared.set(this.params.bias, k * d);
    this.shared[k * d + k] = yShift;
    this.results.fill(NaN); // a stripe a thread failed to write shows as NaN, never as stale sums
    this.pool.run(this.id, pieces.map((q) => [store.id, q.chunk, q.start, q.count, q.key | 0, q.shuffle ? 1 : 0]), withGrad);
    const out = this.emptySums();
    const stride = resultStride(d, k, this.classes);
    for (let t = 0; t < this.pool.threads; t++) {
      const r = this.results.subarray(t * stride, (t + 1) * stride);
      for (let i = 0; i < k * d; i++) out.grad[i] += r[i];
      for (let c = 0; c < k; c++) out.gradBias[c] += r[k * d + c];
      out.loss += r[k * d + k];
      for (let i = 0; i < 4; i++) out.m[i] += r[k * d + k + 1 + i];
      out.rows += r[k * d + k + 5];
      if (out.confusion) for (let i = 0; i < out.confusion.length; i++) out.confusion[i] += r[k * d + k + 6 + i];
    }
    return out;
  }

  protected stepSums(step: Step): GradSums {
    return this.sums(this.store, step.pieces, true, 0);
  }

  async evaluate(store: ChunkStore = this.store, yShift = 0): Promise<EvalSums> {
    if (!(store instanceof SharedStore)) throw new Error('ParallelCpuBackend: evaluate() was given another backend\'s store');
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, key: 0, shuffle: false }] : []));
    const out = this.emptySums();
    for (let i = 0; i < pieces.length; i += MAX_PIECES) {
      const s = this.sums(store, pieces.slice(i, i + MAX_PIECES), false, yShift);
      out.rows += s.rows;
      out.loss += s.loss;
      for (let j = 0; j < 4; j++) out.m[j] += s.m[j];
      if (out.confusion && s.confusion) for (let j = 0; j < out.confusion.length; j++) out.confusion[j] += s.confusion[j];
    }
    return { rows: out.rows, loss: out.loss, m: out.m, confusion: out.confusion };
  }

  override dispose(): void {
    this.pool.post({ type: 'end', session: this.id });
  }
}

/** The CPU backend on every core (Node only): f64 sums, rows split across worker threads. */
export class ParallelCpuBackend implements Backend {
  readonly kind = 'cpu-mt' as const;
  private poolInstance: ThreadPool | null = null;

  constructor(readonly threads = availableParallelism()) {}

  get device(): string {
    return `CPU (f64, ${this.threads} threads)`;
  }

  private get pool(): ThreadPool {
    return (this.poolInstance ??= new ThreadPool(this.threads));
  }

  maxChunkRows(d: number): number {
    return Math.max(1, Math.floor(2 ** 28 / Math.max(1, d)));
  }

  createStore(d: number, slotRows: number, exact = false): ChunkStore {
    return new SharedStore(d, slotRows, exact, this.pool);
  }

  async createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(store instanceof SharedStore)) throw new Error('ParallelCpuBackend: the store belongs to another backend');
    if (store.d !== spec.d) throw new Error(`the store holds ${store.d} features; the model has ${spec.d}`);
    return new ParallelSession(store, this.pool, spec, init);
  }

  dispose(): void {
    this.poolInstance?.dispose();
    this.poolInstance = null;
  }
}
