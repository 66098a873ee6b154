// Buffer helpers: uploads through mapped-at-creation buffers, and readbacks through a fresh MAP_READ buffer.

/** Creates a buffer and fills it through its mapping (no queue.writeBuffer copy). */
export function createFilled(
  device: GPUDevice, label: string, size: number, usage: GPUBufferUsageFlags, fill: (bytes: ArrayBuffer) => void,
): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage, mappedAtCreation: true });
  fill(buffer.getMappedRange());
  buffer.unmap();
  return buffer;
}

/** Copies `size` bytes at `offset` of `src` back to the host. */
export async function readBuffer(device: GPUDevice, src: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> {
  const padded = Math.ceil(size / 4) * 4;
  const staging = device.createBuffer({ label: `${src.label}.readback`, size: padded, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: `${src.label}.readback` });
  enc.copyBufferToBuffer(src, offset, staging, 0, padded);
  device.queue.submit([enc.finish()]);
  try {
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0, size);
  } finally {
    staging.destroy();
  }
}

/**
 * A buffer kept between steps and grown (to the next power of two, 16 bytes at least) when a step needs more: a
 * step's inputs are written into it with queue.writeBuffer instead of a new mapped buffer each time (in a browser
 * every new mapped buffer is a shared-memory allocation). Writes are ordered with submits, so a step may overwrite
 * what the previous step's submit read.
 */
export class GrowingBuffer {
  private buffer: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice, private readonly label: string, private readonly usage: GPUBufferUsageFlags) {}

  /** The buffer, at least `bytes` long (a new one when it grew: bind it again). */
  get(bytes: number): GPUBuffer {
    if (!this.buffer || this.buffer.size < bytes) {
      this.buffer?.destroy();
      this.buffer = this.device.createBuffer({ label: this.label, size: Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, bytes)))), usage: this.usage | GPUBufferUsage.COPY_DST });
    }
    return this.buffer;
  }

  /** The buffer holding `data` (at least 16 bytes, the rest unspecified). */
  write(data: ArrayBufferView): GPUBuffer {
    const b = this.get(data.byteLength);
    if (data.byteLength) this.device.queue.writeBuffer(b, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return b;
  }

  destroy(): void {
    this.buffer?.destroy();
    this.buffer = null;
  }
}

/**
 * Readbacks through one MAP_READ buffer kept between them: `copy` encodes the copy into the caller's command encoder
 * (the submit of the work that wrote the source: one submit, not two) and returns the read to await after that
 * submit. One readback at a time uses the kept buffer; another while it is pending gets a buffer of its own.
 */
export class Readback {
  private readonly staging: GrowingBuffer;
  private busy = false;

  constructor(private readonly device: GPUDevice, private readonly label: string) {
    this.staging = new GrowingBuffer(device, `${label}.readback`, GPUBufferUsage.MAP_READ);
  }

  /** Encodes the copy of `size` bytes at `offset` of `src` into `enc`; call the result (once) after submitting `enc`. */
  copy(enc: GPUCommandEncoder, src: GPUBuffer, offset: number, size: number): () => Promise<ArrayBuffer> {
    const padded = Math.max(4, Math.ceil(size / 4) * 4);
    const own = this.busy;
    const buffer = own
      ? this.device.createBuffer({ label: `${this.label}.readback`, size: padded, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
      : this.staging.get(padded);
    this.busy = true;
    enc.copyBufferToBuffer(src, offset, buffer, 0, padded);
    return async () => {
      try {
        await buffer.mapAsync(GPUMapMode.READ, 0, padded);
        const out = buffer.getMappedRange(0, padded).slice(0, size);
        buffer.unmap();
        return out;
      } finally {
        if (own) buffer.destroy();
        else this.busy = false;
      }
    };
  }

  destroy(): void {
    this.staging.destroy();
  }
}
