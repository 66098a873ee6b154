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
