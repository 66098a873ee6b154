// The fast CPU backend's threads: the owning thread runs share 0 of each job itself and `threads − 1` workers run
// the others, all on one shared arena. Control words at the start of the arena carry a sequence number (a new
// job), a count of finished workers, a stop flag, a failure flag and the job's address; waiting spins briefly
// before sleeping in Atomics.wait, since a step takes tens of microseconds and a wake-up about as long.
import { instantiate, viewsOf, type Arena } from './simd_arena';
import { runShare } from './simd_rows';

/** Indices of the control words (i32, at byte 0 of the arena). */
export const CTL = { seq: 0, done: 1, stop: 2, failed: 3, job: 4, ready: 5 } as const;

/** What a worker needs: the shared memory, the compiled kernels, its index and the number of threads. */
export interface ThreadInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  id: number;
  threads: number;
}

/** Starts a worker running `threadLoop(init)` (worker_threads in Node, a Web Worker in the browser). */
export type Spawner = (init: ThreadInit) => { terminate(): void };

const SPIN_MS = 0.3;

/** Waits while i32[at] === value: spins for up to SPIN_MS, then sleeps until notified. */
export function waitWhile(i32: Int32Array, at: number, value: number): void {
  const t0 = performance.now();
  for (let n = 1; Atomics.load(i32, at) === value; n++) {
    if ((n & 1023) === 0 && performance.now() - t0 > SPIN_MS) {
      Atomics.wait(i32, at, value, 50);
    }
  }
}

/** A worker's life: wait for a job, run its share, count itself done; until told to stop. */
export function threadLoop(init: ThreadInit): void {
  const { memory, id } = init;
  const kn = instantiate(init.module, memory);
  const i32 = new Int32Array(memory.buffer);
  let views = viewsOf(memory);
  let seen = 0; // the pool's first job may be posted before this worker starts: it is then seen at once
  Atomics.add(i32, CTL.ready, 1);
  Atomics.notify(i32, CTL.ready);
  for (;;) {
    waitWhile(i32, CTL.seq, seen);
    seen = Atomics.load(i32, CTL.seq);
    if (Atomics.load(i32, CTL.stop) === 1) return;
    if (views.f32.buffer.byteLength !== memory.buffer.byteLength) views = viewsOf(memory);
    try {
      runShare(kn, views, Atomics.load(i32, CTL.job), id);
    } catch (e) {
      Atomics.store(i32, CTL.failed, 1);
      console.error(`downhill cpu thread ${id}: ${(e as Error).stack ?? e}`);
    }
    Atomics.add(i32, CTL.done, 1);
    Atomics.notify(i32, CTL.done);
  }
}

/** The owning thread's side: starts the workers and runs jobs on all threads. */
export class ThreadPool {
  private readonly workers: { terminate(): void }[] = [];
  private started: boolean;

  constructor(private readonly arena: Arena, readonly threads: number, spawn: Spawner | null) {
    this.started = threads === 1;
    if (threads > 1 && !spawn) throw new Error('threads > 1 need a way to start workers');
    for (let id = 1; id < threads; id++) this.workers.push(spawn!({ memory: arena.memory, module: arena.module, id, threads }));
  }

  /** The control words (a fresh view: a plain memory's buffer is replaced when it grows). */
  private get i32(): Int32Array {
    return this.arena.views.i32;
  }

  /**
   * Runs the job at byte `job` on its first `active` threads (the job says how many; small jobs use fewer, since
   * waking a thread costs tens of microseconds); returns when all shares are done.
   */
  run(job: number, active: number): void {
    const { i32 } = this;
    if (!this.started) this.awaitWorkers();
    const wake = active > 1 && this.threads > 1;
    if (wake) {
      Atomics.store(i32, CTL.job, job);
      Atomics.store(i32, CTL.done, 0);
      Atomics.add(i32, CTL.seq, 1);
      Atomics.notify(i32, CTL.seq);
    }
    runShare(this.arena.kernels, this.arena.views, job, 0);
    for (let done = Atomics.load(i32, CTL.done); wake && done < this.threads - 1; done = Atomics.load(i32, CTL.done)) {
      waitWhile(i32, CTL.done, done);
    }
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
