// Rows on the GPU: a store of slot buffers (x padded to vec4 rows, y) filled through a ring of mapped
// staging buffers (mapAsync → fill → unmap → copyBufferToBuffer), or through queue.writeBuffer. Reloading a
// slot is safe while earlier steps are queued: the copies run in queue order, after the work that reads it.
// Features are stored as f32 or as packed halves (dtype f16: 8 bytes per vec4, what shaders/parts/x_f16.wgsl reads;
// the chunk's values are rounded to the nearest half, exactly the values an f16 cache holds). Rows with sample weights
// or offsets keep them beside their target in y: YS floats per row (shaders/parts/row_values.wgsl).
import type { ChunkStore } from '../backend';
import { sliceCsr, type Csr } from '../core/csr';
import { checkExtras, NO_EXTRAS, type HostChunk, type RowExtras } from '../core/dataset';
import { f16Bits, type DType } from '../core/f16';
import type { GpuContext } from './device';
import { gradLayout } from './linear_grad';
import { packY, yStride } from './row_values';
import { uploadCsr, type SparseSlot } from './sparse_grad';

/** How rows reach the GPU. */
export type UploadMode = 'staging' | 'writeBuffer';

const STAGING_BYTES = 64 * 2 ** 20;
const STAGING_COUNT = 4;
const MAX_INFLIGHT = 2;
const { STORAGE, COPY_DST, COPY_SRC, MAP_WRITE } = { STORAGE: 0x80, COPY_DST: 0x8, COPY_SRC: 0x4, MAP_WRITE: 0x2 };

/** A ring of MAP_WRITE buffers; each is re-mapped right after its copy is submitted. */
export class StagingRing {
  private readonly ring: { buffer: GPUBuffer; ready: Promise<void> }[] = [];
  private next = 0;
  /** Bytes uploaded so far. */
  bytes = 0;

  /** Bytes per staging buffer: fixed by the first write (so small chunks do not pin 4 × 64 MiB), at most 64 MiB. */
  private size = 0;

  constructor(private readonly device: GPUDevice, readonly maxSize = STAGING_BYTES, readonly count = STAGING_COUNT) {}

  /** Copies `bytes` bytes produced by `fill(target, byteOffset)` into dst at dstOffset, in pieces of ≤ size. */
  async write(dst: GPUBuffer, dstOffset: number, bytes: number, fill: (target: ArrayBuffer, from: number) => void): Promise<void> {
    this.size ||= Math.min(this.maxSize, Math.max(1 << 20, Math.ceil(bytes / 16) * 16));
    for (let done = 0; done < bytes; done += this.size) {
      const n = Math.min(this.size, bytes - done);
      if (this.ring.length < this.count && this.next === this.ring.length) {
        const buffer = this.device.createBuffer({ label: 'staging', size: this.size, usage: MAP_WRITE | COPY_SRC, mappedAtCreation: true });
        this.ring.push({ buffer, ready: Promise.resolve() });
      }
      const slot = this.ring[this.next];
      this.next = (this.next + 1) % this.count;
      // Each use of a slot queues behind the previous one (writes may run concurrently: more pieces in flight than
      // slots would otherwise fill a buffer another write has just unmapped); this piece's copy is submitted when
      // its turn comes, and the slot is ready again once it is mapped anew.
      const from = done;
      let copied!: () => void;
      let failed!: (e: unknown) => void;
      const submitted = new Promise<void>((resolve, reject) => ([copied, failed] = [resolve, reject]));
      slot.ready = slot.ready.then(() => {
        try {
          fill(slot.buffer.getMappedRange(0, n), from);
          slot.buffer.unmap();
          const enc = this.device.createCommandEncoder({ label: 'staging' });
          enc.copyBufferToBuffer(slot.buffer, 0, dst, dstOffset + from, n);
          this.device.queue.submit([enc.finish()]);
        } catch (e) {
          failed(e);
          throw e;
        }
        copied();
        return slot.buffer.mapAsync(GPUMapMode.WRITE);
      });
      slot.ready.catch(failed);
      await submitted;
      this.bytes += n;
    }
  }

  /** Waits for outstanding copies and frees the ring. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.ring.map((s) => s.ready));
    for (const s of this.ring) s.buffer.destroy();
    this.ring.length = 0;
  }
}

/** One slot's buffers. */
export interface GpuSlot {
  x: GPUBuffer;
  y: GPUBuffer;
  capacity: number;
}

/** Fills `target` with rows of `chunk`, x padded from d to dp4·4 floats, starting at padded byte `from`. */
function fillPadded(chunk: HostChunk, d: number, dp: number, target: ArrayBuffer, from: number): void {
  const dst = new Float32Array(target);
  const firstFloat = from / 4;
  if (dp === d) {
    dst.set(chunk.x.subarray(firstFloat, firstFloat + dst.length));
    return;
  }
  dst.fill(0);
  const r0 = Math.floor(firstFloat / dp);
  const r1 = Math.min(chunk.rows, Math.ceil((firstFloat + dst.length) / dp));
  const x = chunk.x;
  for (let r = r0; r < r1; r++) {
    const at = r * dp - firstFloat;
    // A short row by a loop: its view (subarray, then set) would cost more than its copy.
    if (at >= 0 && at + d <= dst.length && d < 64) for (let j = 0, i = r * d; j < d; j++, i++) dst[at + j] = x[i];
    else if (at >= 0 && at + d <= dst.length) dst.set(x.subarray(r * d, (r + 1) * d), at);
    else for (let j = 0; j < d; j++) if (at + j >= 0 && at + j < dst.length) dst[at + j] = x[r * d + j];
  }
}

/** Like fillPadded, but as halves (2 bytes each): `from` and the target's length count padded half bytes. */
function fillPaddedHalves(chunk: HostChunk, d: number, dp: number, target: ArrayBuffer, from: number): void {
  const dst = new Uint16Array(target);
  const first = from / 2;
  if (dp !== d) dst.fill(0);
  const r0 = Math.floor(first / dp);
  const r1 = Math.min(chunk.rows, Math.ceil((first + dst.length) / dp));
  const x = chunk.x;
  for (let r = r0; r < r1; r++) {
    const at = r * dp - first;
    const j0 = Math.max(0, -at);
    const j1 = Math.min(d, dst.length - at);
    for (let j = j0, i = r * d + j0; j < j1; j++, i++) dst[at + j] = f16Bits(x[i]);
  }
}

/** Bytes of one stored row of x: dp4 vec4s of f32 (16 bytes) or of packed halves (8 bytes). */
export function xRowBytes(d: number, dtype: DType): number {
  return gradLayout(Math.max(1, d)).dp4 * (dtype === 'f16' ? 8 : 16);
}

/** The WebGPU chunk store. */
export class GpuStore implements ChunkStore {
  readonly slots: GpuSlot[] = [];
  readonly rowsIn: number[] = [];
  /** Each slot's sparse block, when its chunk has one: kept on the host (the backward pass sorts its runs by column) and on the device. */
  readonly sparse: (SparseSlot | undefined)[] = [];
  private readonly dp: number;
  /** Work a load waits for before it replaces a slot's rows: sessions whose steps are queued on the host (sparse ones). */
  private readonly holds = new Set<() => Promise<void>>();
  /** Completion of the work queued up to each recent load: the host waits on the oldest before running ahead. */
  private readonly inflight: Promise<void>[] = [];

  constructor(
    readonly ctx: GpuContext, readonly d: number, readonly slotRows: number, private readonly exact: boolean,
    private readonly staging: StagingRing, private readonly mode: UploadMode = 'staging', readonly dtype: DType = 'f32',
    readonly extras: RowExtras = NO_EXTRAS,
  ) {
    this.dp = gradLayout(Math.max(1, d)).dp4 * 4;
  }

  /** Fills `target` (padded row bytes from `from`) with rows of x in the store's encoding. */
  private fill(chunk: HostChunk, target: ArrayBuffer, from: number): void {
    if (this.dtype === 'f16') fillPaddedHalves(chunk, this.d, this.dp, target, from);
    else fillPadded(chunk, this.d, this.dp, target, from);
  }

  private ensure(slot: number, rows: number): GpuSlot {
    const have = this.slots[slot];
    if (have && have.capacity >= rows) return have;
    if (have) throw new Error(`slot ${slot} holds ${have.capacity} rows; a chunk of ${rows} does not fit`);
    const capacity = this.exact ? rows : this.slotRows;
    const device = this.ctx.device;
    const x = device.createBuffer({ label: `x.${this.dtype}`, size: Math.max(16, capacity * xRowBytes(this.d, this.dtype)), usage: STORAGE | COPY_DST });
    const y = device.createBuffer({ label: 'y', size: Math.max(16, Math.ceil((capacity * yStride(this.extras)) / 4) * 16), usage: STORAGE | COPY_DST });
    return (this.slots[slot] = { x, y, capacity });
  }

  /** Makes every later load wait for `until()` first (steps still queued on the host read the old rows); returns the release. */
  holdLoads(until: () => Promise<void>): () => void {
    this.holds.add(until);
    return () => this.holds.delete(until);
  }

  async load(slot: number, chunk: HostChunk): Promise<void> {
    if (chunk.rows > this.slotRows) throw new Error(`a chunk of ${chunk.rows} rows does not fit a slot of ${this.slotRows}`);
    checkExtras(chunk, this.extras);
    for (const until of this.holds) await until();
    const s = this.ensure(slot, chunk.rows);
    const { d } = this;
    const y = packY(chunk, this.extras);
    // Backpressure: writeBuffer returns at once, so without this the host would queue (and Dawn stage) every
    // chunk of a stream long before the GPU reaches it. Keep at most MAX_INFLIGHT loads ahead of the GPU.
    while (this.inflight.length >= MAX_INFLIGHT) await this.inflight.shift();
    const xBytes = chunk.rows * xRowBytes(d, this.dtype);
    if (this.mode === 'writeBuffer') {
      let x: Float32Array | Uint8Array = chunk.x.subarray(0, chunk.rows * d);
      if (this.dp !== d || this.dtype !== 'f32') {
        const bytes = new Uint8Array(xBytes);
        this.fill(chunk, bytes.buffer, 0);
        x = bytes;
      }
      this.ctx.device.queue.writeBuffer(s.x, 0, x as Uint8Array<ArrayBuffer>);
      this.ctx.device.queue.writeBuffer(s.y, 0, y);
    } else {
      await this.staging.write(s.x, 0, xBytes, (t, from) => this.fill(chunk, t, from));
      await this.staging.write(s.y, 0, y.byteLength, (t, from) => new Float32Array(t).set(y.subarray(from / 4, from / 4 + t.byteLength / 4)));
    }
    this.loadSparse(slot, chunk);
    this.rowsIn[slot] = chunk.rows;
    this.inflight.push(this.ctx.device.queue.onSubmittedWorkDone());
    this.ctx.check();
  }

  /**
   * Keeps a chunk's sparse block (a copy, unless the chunk's arrays are its own: the caller may reuse them) and uploads
   * it; work already queued keeps the old buffers.
   */
  private loadSparse(slot: number, chunk: HostChunk): void {
    const old = this.sparse[slot];
    if (old) for (const b of [old.ptr, old.idx, old.val]) b.destroy();
    this.sparse[slot] = undefined;
    if (!chunk.sparse) return;
    const view = sliceCsr(chunk.sparse, 0, chunk.rows);
    const csr: Csr = chunk.owned ? view : { ptr: view.ptr, idx: view.idx.slice(), val: view.val ? view.val.slice() : null };
    this.sparse[slot] = { csr, ...uploadCsr(this.ctx.device, csr) };
  }

  dispose(): void {
    for (const s of this.slots) {
      s?.x.destroy();
      s?.y.destroy();
    }
    for (const s of this.sparse) if (s) for (const b of [s.ptr, s.idx, s.val]) b.destroy();
    this.sparse.length = 0;
    this.slots.length = 0;
    this.rowsIn.length = 0;
  }
}
