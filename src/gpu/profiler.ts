// GPU time of compute passes from timestamp queries (the `timestamp-query` feature): each pass writes a begin
// and an end timestamp; the differences are summed when read. For benchmarks: reading waits for the GPU.
// In Node, Dawn quantizes timestamps unless created with 'disable-dawn-features=timestamp_quantization'.

const PAIRS = 2048;

/** Sums the GPU time of the passes it is attached to. */
export class PassProfiler {
  private readonly set: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private used = 0;
  private nanos = 0;

  constructor(private readonly device: GPUDevice) {
    this.set = device.createQuerySet({ label: 'profiler', type: 'timestamp', count: 2 * PAIRS });
    this.resolved = device.createBuffer({ label: 'profiler.resolved', size: 16 * PAIRS, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** Timestamp writes for the next pass, or undefined when the query set is full (call `collect` first). */
  next(): GPUComputePassTimestampWrites | undefined {
    if (this.used === PAIRS) return undefined;
    const i = this.used++;
    return { querySet: this.set, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Whether the query set has no free pairs. */
  get full(): boolean {
    return this.used === PAIRS;
  }

  /** Reads the timestamps written so far into the running total and frees the query set. */
  async collect(): Promise<void> {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    const staging = this.device.createBuffer({ label: 'profiler.read', size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder({ label: 'profiler' });
    enc.resolveQuerySet(this.set, 0, 2 * n, this.resolved, 0);
    enc.copyBufferToBuffer(this.resolved, 0, staging, 0, 16 * n);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(staging.getMappedRange());
    for (let i = 0; i < n; i++) this.nanos += Number(t[2 * i + 1] - t[2 * i]);
    staging.destroy();
  }

  /** GPU seconds since the last call (collects first). */
  async take(): Promise<number> {
    await this.collect();
    const s = this.nanos / 1e9;
    this.nanos = 0;
    return s;
  }

  destroy(): void {
    this.set.destroy();
    this.resolved.destroy();
  }
}
