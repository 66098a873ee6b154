// The fast CPU backend's threads: the owning thread and `threads − 1` workers claim the chunks of each job from a
// shared counter (simd_rows.ts runChunks), all on one shared arena. A worker that wakes late finds the chunks taken
// and goes back to sleep, so a busy machine slows a job down to one thread's speed, never below it. Control words at
// the start of the arena (CTL) carry a sequence number (a new job), the next chunk, the chunks done, how many workers
// are inside a job, a stop flag, a failure flag and the job's address. Waiting spins briefly before Atomics.wait,
// since a step takes tens of microseconds and a wake-up about as long. Whether a job wakes the workers at all is
// chosen per job size by measurement (simd_threads.ts), unless the pool is pinned to every thread.
import { instantiate, viewsOf, type Arena } from './simd_arena';
import { CLOSED, CTL, JOB, registerSparsePass, runChunks } from './simd_rows';
import { runSparseChunks } from './simd_sparse_rows';

registerSparsePass(runSparseChunks);
import type { ThreadChooser } from './simd_threads';

/** What a worker needs: the shared memory, the compiled kernels, its index and the number of threads. */
export interface ThreadInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  id: number;
  threads: number;
}

/** Starts a worker running `threadLoop(init)` (worker_threads in Node, a Web Worker in the browser). */
export type Spawner = (init: ThreadInit) => { terminate(): void };

const SPIN_MS = 0.1;

/** Waits while i32[at] === value: spins for up to SPIN_MS, then sleeps until notified (or `sleepMs` passes). */
export function waitWhile(i32: Int32Array, at: number, value: number, sleepMs = 50): void {
  const t0 = performance.now();
  for (let n = 1; Atomics.load(i32, at) === value; n++) {
    if ((n & 1023) === 0 && performance.now() - t0 > SPIN_MS) Atomics.wait(i32, at, value, sleepMs);
  }
}

/** A worker's life: wait for a job, claim and run its chunks, leave; until told to stop. */
export function threadLoop(init: ThreadInit): void {
  const { memory, id } = init;
  const kn = instantiate(init.module, memory);
  const i32 = new Int32Array(memory.buffer);
  let v = viewsOf(memory);
  const views = () => (v.f32.buffer.byteLength === memory.buffer.byteLength ? v : (v = viewsOf(memory)));
  let seen = 0; // the pool's first job may be posted before this worker starts: it is then seen at once
  Atomics.add(i32, CTL.ready, 1);
  Atomics.notify(i32, CTL.ready);
  for (;;) {
    waitWhile(i32, CTL.seq, seen);
    // Enter before reading the job: the owner rewrites a job record only when no worker is inside.
    Atomics.add(i32, CTL.active, 1);
    seen = Atomics.load(i32, CTL.seq);
    if (Atomics.load(i32, CTL.stop) === 1) return;
    try {
      runChunks(kn, views, id);
    } catch (e) {
      Atomics.store(i32, CTL.failed, 1);
      console.error(`downhill cpu thread ${id}: ${(e as Error).stack ?? e}`);
    }
    Atomics.sub(i32, CTL.active, 1);
    Atomics.notify(i32, CTL.active);
  }
}

/** The owning thread's side: starts the workers and runs jobs on all threads. */
export class ThreadPool {
  private readonly workers: { terminate(): void }[] = [];
  private started: boolean;

  /** `chooser`: null runs every job of several chunks on every thread. */
  constructor(private readonly arena: Arena, readonly threads: number, spawn: Spawner | null, readonly chooser: ThreadChooser | null = null) {
    this.started = threads === 1;
    Atomics.store(this.i32, CTL.next, CLOSED);
    if (threads > 1 && !spawn) throw new Error('threads > 1 need a way to start workers');
    for (let id = 1; id < threads; id++) this.workers.push(spawn!({ memory: arena.memory, module: arena.module, id, threads }));
  }

  /** The control words (a fresh view: a plain memory's buffer is replaced when it grows). */
  private get i32(): Int32Array {
    return this.arena.views.i32;
  }

  /** Runs the job at byte `job` (its record says how many chunks); returns when every chunk is done and no worker is inside it. */
  run(job: number): void {
    const { i32 } = this;
    if (!this.started) this.awaitWorkers();
    const chunks = i32[job / 4 + JOB.chunks];
    const { chooser } = this;
    const choose = chooser !== null && chunks > 1 && this.threads > 1;
    const all = choose ? chooser.pick(i32[job / 4 + JOB.rows] * (i32[job / 4 + JOB.rb] + 4), i32[job / 4 + JOB.train] === 1) : true;
    const t0 = choose ? performance.now() : 0;
    this.open(job, all);
    this.join();
    if (choose) chooser.done((performance.now() - t0) / 1000);
  }

  /**
   * Opens the job at byte `job` to the workers (`all`: wakes them; else only a worker already awake takes part) and
   * returns at once: the owning thread may do other work (read the next rows) before join().
   */
  open(job: number, all = true): void {
    const { i32 } = this;
    if (!this.started) this.awaitWorkers();
    const chunks = i32[job / 4 + JOB.chunks];
    Atomics.store(i32, CTL.job, job);
    Atomics.store(i32, CTL.chunksDone, 0);
    Atomics.store(i32, CTL.next, 0); // opens the job: a claim from here on reads the record as written above
    if (chunks > 1 && this.threads > 1 && all) {
      Atomics.add(i32, CTL.seq, 1);
      Atomics.notify(i32, CTL.seq);
    }
  }

  /** Runs the open job's chunks that are left on this thread; returns when every chunk is done and no worker is inside it. */
  join(): void {
    const { i32 } = this;
    const chunks = i32[(Atomics.load(i32, CTL.job) >>> 0) / 4 + JOB.chunks];
    let failure: unknown = null;
    try {
      runChunks(this.arena.kernels, () => this.arena.views, 0);
    } catch (e) {
      failure = e;
    }
    // Wait for chunks other threads took, then for every worker to leave (a late one may still be reading the job).
    for (let d = Atomics.load(i32, CTL.chunksDone); d < chunks && !failure && Atomics.load(i32, CTL.failed) === 0; d = Atomics.load(i32, CTL.chunksDone)) {
      waitWhile(i32, CTL.chunksDone, d, 1);
    }
    Atomics.store(i32, CTL.next, CLOSED);
    for (let a = Atomics.load(i32, CTL.active); a > 0; a = Atomics.load(i32, CTL.active)) waitWhile(i32, CTL.active, a);
    if (failure) throw failure;
    if (Atomics.exchange(i32, CTL.failed, 0) !== 0) throw new Error('a CPU worker thread failed (its message is on stderr)');
  }

  /** Resolves when every worker has started (polling, so the owning thread's event loop keeps turning). */
  async whenReady(): Promise<void> {
    const t0 = performance.now();
    while (!this.started && Atomics.load(this.i32, CTL.ready) < this.threads - 1) {
      if (performance.now() - t0 > 60_000) break; // run() then reports it
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Blocks until every worker has started: a worker that never starts would otherwise hang the first job. */
  private awaitWorkers(): void {
    const t0 = performance.now();
    for (let ready = Atomics.load(this.i32, CTL.ready); ready < this.threads - 1; ready = Atomics.load(this.i32, CTL.ready)) {
      if (performance.now() - t0 > 60_000) throw new Error(`only ${ready} of ${this.threads - 1} CPU worker threads started within 60 s`);
      Atomics.wait(this.i32, CTL.ready, ready, 100);
    }
    this.started = true;
  }

  dispose(): void {
    Atomics.store(this.i32, CTL.stop, 1);
    Atomics.add(this.i32, CTL.seq, 1);
    Atomics.notify(this.i32, CTL.seq);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
