// The fast CPU backend's memory: one WebAssembly.Memory — shared between threads when the platform allows it —
// holding every slot of rows, each session's f32 parameters and every thread's scratch and results, carved out
// by a first-fit allocator; and the SIMD kernels (simd/kernels.ts) instantiated on it, once per thread. (The
// compiled kernels come from the owner, simd_backend.ts: the worker scripts import this file without them.)

/** The kernels' exports (simd/kernels.ts); pointers are byte offsets into the arena. */
export interface Kernels {
  rowIndices(out: number, start: number, count: number, n: number, key: number, hb: number, shuffle: number): void;
  touch(x: number, y: number, rb: number, xs: number, ys: number, idx: number, count: number): number;
  gather(xb: number, yb: number, x: number, y: number, rb: number, xs: number, ys: number, idx: number, count: number, norm: number): void;
  outputs(z: number, xb: number, count: number, rb: number, w: number, b: number, k: number): void;
  accumulate(g64: number, g: number, xb: number, count: number, rb: number, k: number): void;
  gatherColumn(dst: number, src: number, idx: number, count: number): void;
  addColumn(z: number, o: number, count: number): void;
  allFinite(p: number, count: number): number;
  sparseOutputs(
    z: number, rows: number, count: number, ptr: number, idx: number, val: number, rs: number, blk: number, stride: number, k: number,
    decay: number, p: number, q: number, base: number, upTo: number,
  ): void;
  sparseTouch(rows: number, count: number, ptr: number, idx: number, val: number, rs: number, blk: number, stride: number): number;
  sparseScatter(
    blk: number, stride: number, list: number, n: number, stamp: number, g: number, rows: number, count: number,
    ptr: number, idx: number, val: number, rs: number, k: number, decay: number, p: number, q: number, base: number,
  ): number;
  sparseSquares(blk: number, stride: number, list: number, n: number, k: number): number;
  sparseUpdate(
    rule: number, blk: number, stride: number, nslots: number, list: number, n: number, k: number,
    scale: number, lr: number, l2: number, l1: number, prox: number, beta: number, eps: number,
  ): void;
  sparseCatchUpAll(blk: number, stride: number, width: number, k: number, p: number, q: number, base: number, to: number): void;
  sparseStampAll(blk: number, stride: number, width: number, to: number): void;
  csrRecords(
    blk: number, n: number, d: number, kind: number, width: number, from: number, to: number, sel: number, out: number, stride: number, yAt: number, nAt: number, S: number,
  ): number;
  recordStats(step: number, at: number, rows: number, stride: number, offs: number, cols: number, out: number): void;
  /** exp, log and log1p of n floats at x (n a multiple of 4) into out, as the loss parts compute them. */
  exp_rows(x: number, out: number, n: number): void;
  log_rows(x: number, out: number, n: number): void;
  log1p_rows(x: number, out: number, n: number): void;
  sparseStepSgd(
    blk: number, stride: number, eta: number, g: number, rows: number, count: number, ptr: number, idx: number, val: number, rs: number,
    k: number, stamp: number, decay: number, c: number, p: number, q: number, base: number,
  ): void;
}

/** A loss part's training rows (simd/losses/<stem>.ts): dL/dz into g, Σ loss and Σ dL/dz (K for softmax) at out. */
export type LossRows = (z: number, y: number, g: number, count: number, hpOrK: number, out: number) => void;

/** A loss part's training rows with sample weights at w (`<stem>_rows_w`): each row's loss and dL/dz times its weight. */
export type LossRowsWeighted = (z: number, y: number, g: number, count: number, hpOrK: number, out: number, w: number) => void;

/** The loss part of a unit's file stem, or null when the kernels have none. */
export function lossRows(kn: Kernels, stem: string): LossRows | null {
  const f = (kn as unknown as Record<string, unknown>)[`${stem}_rows`];
  return typeof f === 'function' ? (f as LossRows) : null;
}

/** The weighted loss part of a unit's file stem, or null when the kernels have none. */
export function lossRowsWeighted(kn: Kernels, stem: string): LossRowsWeighted | null {
  const f = (kn as unknown as Record<string, unknown>)[`${stem}_rows_w`];
  return typeof f === 'function' ? (f as LossRowsWeighted) : null;
}

/** Typed views of an arena's memory (rebuilt when it grows). */
export interface Views {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  u32: Uint32Array;
}

const PAGE = 65536;
/** The most pages a wasm32 memory may have (4 GiB). */
const MAX_PAGES = 65536;
/**
 * Allocations start past the first 64 KiB — the control words (bytes 0…63) and the kernels' static data (1024…,
 * which every instantiation writes again: vite.plugins.ts keeps it below 64 KiB) — and are 64-byte aligned.
 */
const BASE = 65536;
const ALIGN = 64;

/** Instantiates the kernels on a memory. */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
}

/** Typed views over the memory's current buffer. */
export function viewsOf(memory: WebAssembly.Memory): Views {
  const b = memory.buffer;
  return { f32: new Float32Array(b), f64: new Float64Array(b), i32: new Int32Array(b), u32: new Uint32Array(b) };
}

/** Whether this platform can share a memory between threads (SharedArrayBuffer: Node, or a cross-origin isolated page). */
export function canShare(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && (typeof crossOriginIsolated === 'undefined' || crossOriginIsolated);
}

/** The memory and its allocator (used from the owning thread only). */
export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: Kernels;
  private v: Views;
  /** Free blocks [at, at + size), sorted by address. */
  private free: { at: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  /** Bytes from here on have never been handed out: still the zeros the memory grew with. */
  private clean = BASE;

  /** `module`: the kernels compiled for a shared memory when `shared`, else for a plain one. */
  constructor(readonly shared: boolean, readonly module: WebAssembly.Module) {
    const initial = 16;
    this.memory = new WebAssembly.Memory(shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES });
    this.free.push({ at: BASE, size: initial * PAGE - BASE });
    this.kernels = instantiate(this.module, this.memory);
    this.v = viewsOf(this.memory);
  }

  /** Views of the memory as it is now. */
  get views(): Views {
    if (this.v.f32.buffer.byteLength !== this.memory.buffer.byteLength) this.v = viewsOf(this.memory);
    return this.v;
  }

  /** Bytes of memory in use by allocations. */
  get used(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** A block of at least `bytes`, zeroed unless `zero` is false (bytes the caller overwrites whole); grows the memory when no free block fits. */
  alloc(bytes: number, zero = true): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.free.findIndex((f) => f.size >= size);
    if (i < 0) i = this.grow(size);
    const f = this.free[i];
    const at = f.at;
    if (f.size === size) this.free.splice(i, 1);
    else this.free[i] = { at: at + size, size: f.size - size };
    this.sizes.set(at, size);
    // Only reused bytes need zeroing (touching fresh pages would also fault them all in twice).
    if (zero && at < this.clean) new Uint8Array(this.memory.buffer, at, Math.min(size, this.clean - at)).fill(0);
    this.clean = Math.max(this.clean, at + size);
    return at;
  }

  /** Returns a block to the free list (merging neighbours). */
  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) return;
    this.sizes.delete(at);
    let i = this.free.findIndex((f) => f.at > at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at, size });
    for (let j = Math.min(i + 1, this.free.length - 1); j > 0; j--) {
      const [a, b] = [this.free[j - 1], this.free[j]];
      if (a.at + a.size === b.at) this.free.splice(j - 1, 2, { at: a.at, size: a.size + b.size });
    }
  }

  private grow(size: number): number {
    const end = this.memory.buffer.byteLength;
    const last = this.free.at(-1);
    const tail = last && last.at + last.size === end ? last.size : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    const want = Math.max(pages, Math.ceil(end / PAGE / 4)); // grow by ≥ 25% to limit the number of grows
    const have = end / PAGE;
    const add = have + want <= MAX_PAGES ? want : pages;
    if (have + add > MAX_PAGES) {
      throw new Error(`the CPU backend's memory (WebAssembly, at most 4 GiB) cannot hold ${(size / 2 ** 20).toFixed(0)} MiB more `
        + `(${(this.used / 2 ** 30).toFixed(2)} GiB in use); stream the data with a smaller --memory-budget`);
    }
    try {
      this.memory.grow(add);
    } catch (e) {
      throw new Error(`the CPU backend could not grow its memory to ${((have + add) * PAGE / 2 ** 30).toFixed(2)} GiB: ${(e as Error).message}`);
    }
    if (tail) last!.size += add * PAGE;
    else this.free.push({ at: end, size: add * PAGE });
    return this.free.length - 1;
  }
}
