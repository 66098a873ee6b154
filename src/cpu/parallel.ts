// A multi-threaded CPU backend for Node (worker_threads): the same f64 math as the reference backend, each
// step's rows split across threads that read the rows from shared memory (threads/linear_grad_thread.js); the
// main thread adds the threads' sums in a fixed order and takes the step, so results are deterministic.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Backend, ChunkStore, TrainSession } from '../backend';
import type { HostChunk } from '../core/dataset';
import type { MetricSums } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import type { Step } from '../core/schedule';
import threadSource from './threads/linear_grad_thread.js?raw';
import { emptyGradSums, type GradSums } from './linear_grad';
import { CpuSessionBase } from './session';

const MAX_PIECES = 256;

/** Rows in shared memory, one SharedArrayBuffer pair per slot; every thread is told of each new slot. */
class SharedStore implements ChunkStore {
  readonly rowsIn: number[] = [];
  private readonly slots: { x: Float32Array; y: Float32Array; capacity: number }[] = [];

  constructor(readonly d: number, readonly slotRows: number, private readonly exact: boolean, private readonly pool: ThreadPool) {}

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
    this.pool.post({ store: this.pool.storeId(this), slot, x: s.x.buffer, y: s.y.buffer, rows: chunk.rows });
  }

  dispose(): void {
    this.slots.length = 0;
    this.rowsIn.length = 0;
  }
}

/** The worker threads and the shared words they wait on. */
class ThreadPool {
  readonly ctl = new Int32Array(new SharedArrayBuffer(5 * 4));
  readonly pieces = new Int32Array(new SharedArrayBuffer(MAX_PIECES * 6 * 4));
  readonly params: Float64Array;
  readonly results: Float64Array;
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private readonly stores = new WeakMap<SharedStore, number>();
  private nextStore = 0;

  constructor(readonly threads: number, readonly d: number) {
    this.params = new Float64Array(new SharedArrayBuffer((3 * d + 3) * 8));
    this.results = new Float64Array(new SharedArrayBuffer(threads * (d + 6) * 8));
    for (let id = 0; id < threads; id++) {
      const { port1, port2 } = new MessageChannel();
      const data = { id, threads, d, ctl: this.ctl, params: this.params, pieces: this.pieces, results: this.results, port: port2 };
      const w = new Worker(threadSource, { eval: true, workerData: data, transferList: [port2] });
      w.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
  }

  storeId(s: SharedStore): number {
    let id = this.stores.get(s);
    if (id === undefined) this.stores.set(s, (id = this.nextStore++));
    return id;
  }

  post(msg: Record<string, unknown>): void {
    for (const p of this.ports) p.postMessage(msg);
  }

  /** Runs one command on every thread and blocks until all are done. */
  run(pieces: readonly number[][], withGrad: boolean): void {
    if (pieces.length > MAX_PIECES) throw new Error(`a step spans ${pieces.length} chunks; at most ${MAX_PIECES} are supported`);
    pieces.forEach((p, i) => this.pieces.set(p, i * 6));
    this.ctl[1] = 0;
    this.ctl[2] = withGrad ? 1 : 0;
    this.ctl[3] = pieces.length;
    Atomics.add(this.ctl, 0, 1);
    Atomics.notify(this.ctl, 0);
    for (let done = Atomics.load(this.ctl, 1); done < this.threads; done = Atomics.load(this.ctl, 1)) Atomics.wait(this.ctl, 1, done, 10_000);
  }

  dispose(): void {
    this.ctl[4] = 1;
    Atomics.add(this.ctl, 0, 1);
    Atomics.notify(this.ctl, 0);
    for (const p of this.ports) p.close();
  }
}

/** A model trained with the thread pool; small steps run on the calling thread (threads cost ~tens of µs). */
class ParallelSession extends CpuSessionBase {
  constructor(private readonly store: SharedStore, private readonly pool: ThreadPool, spec: ModelSpec, init?: ModelParams) {
    super(spec, init);
  }

  /** Sums over pieces of rows of `store` at the current parameters, split over the threads. */
  private sums(store: SharedStore, pieces: readonly { chunk: number; start: number; count: number; key: number; shuffle: boolean }[], withGrad: boolean, yShift: number): GradSums {
    const { d } = this.spec;
    const p = this.pool.params;
    p.set(this.params.weights);
    p[d] = this.params.bias;
    p[d + 1] = yShift;
    p[d + 2] = this.spec.standardize ? 1 : 0;
    if (this.spec.standardize) {
      p.set(this.spec.standardize.mean, d + 3);
      p.set(this.spec.standardize.invStd, 2 * d + 3);
    }
    const id = this.pool.storeId(store);
    this.pool.run(pieces.map((q) => [id, q.chunk, q.start, q.count, q.key | 0, q.shuffle ? 1 : 0]), withGrad);
    const out = emptyGradSums(d);
    const stride = d + 6;
    for (let t = 0; t < this.pool.threads; t++) {
      const r = this.pool.results.subarray(t * stride, (t + 1) * stride);
      for (let j = 0; j < d; j++) out.grad[j] += r[j];
      out.gradBias += r[d];
      out.loss += r[d + 1];
      out.sae += r[d + 2];
      out.sy += r[d + 3];
      out.syy += r[d + 4];
      out.rows += r[d + 5];
    }
    return out;
  }

  protected stepSums(step: Step): GradSums {
    return this.sums(this.store, step.pieces, true, 0);
  }

  async evaluate(store: ChunkStore = this.store, yShift = 0): Promise<MetricSums> {
    if (!(store instanceof SharedStore)) throw new Error('ParallelCpuBackend: evaluate() was given another backend\'s store');
    const pieces = store.rowsIn.flatMap((count, chunk) => (count > 0 ? [{ chunk, start: 0, count, key: 0, shuffle: false }] : []));
    const out: MetricSums = { rows: 0, sse: 0, sae: 0, sy: 0, syy: 0 };
    for (let i = 0; i < pieces.length; i += MAX_PIECES) {
      const s = this.sums(store, pieces.slice(i, i + MAX_PIECES), false, yShift);
      out.rows += s.rows;
      out.sse += s.loss;
      out.sae += s.sae;
      out.sy += s.sy;
      out.syy += s.syy;
    }
    return out;
  }
}

/** The CPU backend on every core (Node only): f64 sums, rows split across worker threads. */
export class ParallelCpuBackend implements Backend {
  readonly kind = 'cpu-mt' as const;
  private readonly pools = new Map<number, ThreadPool>();

  constructor(readonly threads = availableParallelism()) {}

  get device(): string {
    return `CPU (f64, ${this.threads} threads)`;
  }

  private pool(d: number): ThreadPool {
    let p = this.pools.get(d);
    if (!p) this.pools.set(d, (p = new ThreadPool(this.threads, d)));
    return p;
  }

  maxChunkRows(d: number): number {
    return Math.max(1, Math.floor(2 ** 28 / Math.max(1, d)));
  }

  createStore(d: number, slotRows: number, exact = false): ChunkStore {
    return new SharedStore(d, slotRows, exact, this.pool(d));
  }

  async createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (!(store instanceof SharedStore)) throw new Error('ParallelCpuBackend: the store belongs to another backend');
    return new ParallelSession(store, this.pool(spec.d), spec, init);
  }

  dispose(): void {
    for (const p of this.pools.values()) p.dispose();
    this.pools.clear();
  }
}
