// Host wrapper of shaders/read_ceiling.wgsl and the device's bandwidth ceilings for a buffer the size of X: the
// read-reduction (bytes read per second, wall clock and, where the device has timestamp queries, GPU time) and a
// buffer-to-buffer copy (wall clock; bytes read + written). CPU twin: src/cpu/read_ceiling.ts.
import type { GpuContext } from './device';
import { PassProfiler } from './profiler';
import { computePipelineAsync } from './shaders';
import { defineParams } from './params';

/** The Params record of shaders/read_ceiling.wgsl. */
export const CEILING_PARAMS = defineParams('read_ceiling', [['n4', 'u32'], ['span', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32']]);

const WG = 256;
const { STORAGE, COPY_DST, COPY_SRC, UNIFORM } = { STORAGE: 0x80, COPY_DST: 0x8, COPY_SRC: 0x4, UNIFORM: 0x40 };

/** Workgroups for n4 vec4s: ≥ 16 vec4s per invocation, at most `maxGroups` (default the dimension limit). */
export function ceilingGroups(n4: number, maxGroups = 65535): { span: number; groups: number } {
  const groups = Math.max(1, Math.min(maxGroups, Math.ceil(n4 / (WG * 16))));
  const span = Math.ceil(n4 / groups);
  return { span, groups: Math.ceil(n4 / span) };
}

/** The read-reduction pass over one buffer (x must have STORAGE usage; COPY_SRC for the copy). */
export class ReadCeiling {
  private constructor(
    private readonly ctx: GpuContext, readonly x: GPUBuffer, readonly n4: number, readonly span: number, readonly groups: number,
    private readonly pipeline: GPUComputePipeline, private readonly bind: GPUBindGroup, readonly partials: GPUBuffer, private readonly params: GPUBuffer,
  ) {}

  /** The pass over the first n4 vec4s of x. */
  static async create(ctx: GpuContext, x: GPUBuffer, n4: number, maxGroups?: number): Promise<ReadCeiling> {
    const { device } = ctx;
    const { span, groups } = ceilingGroups(n4, Math.min(maxGroups ?? Infinity, ctx.limits.maxComputeWorkgroupsPerDimension ?? 65535));
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const layout = device.createBindGroupLayout({ label: 'read_ceiling', entries: [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'storage')] });
    const pl = device.createPipelineLayout({ label: 'read_ceiling', bindGroupLayouts: [layout] });
    const pipeline = await computePipelineAsync(device, 'read_ceiling', {}, pl, { WG });
    const partials = device.createBuffer({ label: 'read_ceiling.partials', size: 16 * groups, usage: STORAGE | COPY_SRC | COPY_DST });
    const params = device.createBuffer({ label: 'read_ceiling.params', size: CEILING_PARAMS.bytes, usage: UNIFORM | COPY_DST });
    device.queue.writeBuffer(params, 0, CEILING_PARAMS.pack({ n4, span }));
    const bind = device.createBindGroup({
      label: 'read_ceiling', layout,
      entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: x, size: n4 * 16 } }, { binding: 2, resource: { buffer: partials } }],
    });
    return new ReadCeiling(ctx, x, n4, span, groups, pipeline, bind, partials, params);
  }

  /** Encodes `reps` passes, each reading x once (timed by `profiler` when given). */
  encode(enc: GPUCommandEncoder, reps: number, profiler?: PassProfiler): void {
    for (let r = 0; r < reps; r++) {
      const pass = enc.beginComputePass({ label: 'read_ceiling', timestampWrites: profiler?.next() });
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.bind);
      pass.dispatchWorkgroups(this.groups);
      pass.end();
    }
  }

  dispose(): void {
    this.partials.destroy();
    this.params.destroy();
  }
}

/** What the ceilings measured over a buffer of `bytes`. */
export interface CeilingResult {
  bytes: number;
  groups: number;
  /** Median wall seconds per read pass (reps queued back to back, one wait), and per copy of the buffer. */
  readSeconds: number;
  copySeconds: number;
  /** Median GPU seconds per read pass from timestamp queries, when the device has them. */
  readGpuSeconds?: number;
  /** Bytes read per second by the read pass (GPU time where measured, else wall); copy: bytes read + written. */
  readBytesPerSecond: number;
  copyBytesPerSecond: number;
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times the read pass and a copy over a buffer of `bytes` (rounded down to vec4s) filled with a pattern. */
export async function measureCeiling(ctx: GpuContext, bytes: number, o: { runs?: number; profile?: boolean; maxGroups?: number } = {}): Promise<CeilingResult> {
  const { device } = ctx;
  const n4 = Math.max(1, Math.floor(bytes / 16));
  const size = n4 * 16;
  const x = device.createBuffer({ label: 'read_ceiling.x', size, usage: STORAGE | COPY_SRC | COPY_DST });
  const copy = device.createBuffer({ label: 'read_ceiling.copy', size, usage: STORAGE | COPY_DST });
  const block = new Float32Array(Math.min(n4 * 4, 1 << 24)).map((_, i) => ((i % 97) - 48) / 97);
  for (let at = 0; at < size; at += block.byteLength) device.queue.writeBuffer(x, at, block, 0, Math.min(block.length, (size - at) / 4));
  const pass = await ReadCeiling.create(ctx, x, n4, o.maxGroups);
  const profiler = o.profile !== false && ctx.hasTimestamps ? new PassProfiler(device) : null;
  const time = async (reps: number, what: 'read' | 'copy'): Promise<number> => {
    const enc = device.createCommandEncoder({ label: 'read_ceiling' });
    if (what === 'read') pass.encode(enc, reps, profiler ?? undefined);
    else for (let r = 0; r < reps; r++) enc.copyBufferToBuffer(x, 0, copy, 0, size);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000 / reps;
  };
  try {
    await ctx.scoped('read_ceiling', async () => {
      await time(1, 'read');
      await time(1, 'copy');
    });
    await profiler?.take();
    const probe = Math.max(await time(1, 'read'), 1e-6);
    await profiler?.take();
    // Enough back-to-back passes to amortize the submit and the wait (~0.1 s), at most the profiler's 2048 pairs.
    const reps = Math.max(1, Math.min(1000, Math.ceil(0.1 / probe)));
    const reads: number[] = [];
    const gpu: number[] = [];
    const copies: number[] = [];
    for (let r = 0; r < (o.runs ?? 5); r++) {
      reads.push(await time(reps, 'read'));
      if (profiler) gpu.push((await profiler.take()) / reps);
      copies.push(await time(reps, 'copy'));
    }
    ctx.check();
    const readSeconds = median(reads);
    const copySeconds = median(copies);
    const readGpuSeconds = gpu.length ? median(gpu) : undefined;
    return {
      bytes: size, groups: pass.groups, readSeconds, copySeconds, ...(readGpuSeconds !== undefined ? { readGpuSeconds } : {}),
      readBytesPerSecond: size / (readGpuSeconds ?? readSeconds), copyBytesPerSecond: (2 * size) / copySeconds,
    };
  } finally {
    profiler?.destroy();
    pass.dispose();
    x.destroy();
    copy.destroy();
  }
}
