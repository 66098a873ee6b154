// `downhill bench`'s other modes: the device's bandwidth ceilings (--ceiling), host→GPU upload paths (--upload) and
// the stages of a streamed epoch over a file (--stream).
import { measureCeiling } from '../../gpu/read_ceiling';
import { WebGpuBackend } from '../../gpu/backend';
import { xRowBytes } from '../../gpu/store';
import { createBackend } from '../../train/backends';
import { uploadBenchmark, type UploadBenchResult } from '../../train/bench';
import { streamBenchmark } from '../../train/stream_bench';
import { table } from '../output';
import { openInput } from '../sources';

/** Times a plain vec4 read-reduction and a copy of a buffer the size of X (rows × D f32), on the GPU clock where it can. */
export async function ceilingCommand(rows: number, d: number, runs: number, json: boolean): Promise<number> {
  const backend = await WebGpuBackend.create({ dawnFlags: ['disable-dawn-features=timestamp_quantization'] });
  try {
    const { ctx } = backend;
    const want = rows * xRowBytes(d, 'f32');
    const limit = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
    const r = await measureCeiling(ctx, Math.min(want, limit - (limit % 16)), { runs });
    const out = { device: backend.device, rows, features: d, runs, capped: r.bytes < want, ...r, readGbPerSecond: r.readBytesPerSecond / 1e9, copyGbPerSecond: r.copyBytesPerSecond / 1e9 };
    if (json) {
      process.stdout.write(JSON.stringify(out) + '\n');
      return 0;
    }
    console.log(`ceilings over ${(r.bytes / 2 ** 20).toFixed(1)} MiB (X of ${rows} rows × ${d} features${out.capped ? ', capped at the binding limit' : ''}), median of ${runs}; ${backend.device}`);
    console.log(table([['pass', 'ms', 'GB/s', 'clock'],
      ['vec4 read-reduction', ((r.readGpuSeconds ?? r.readSeconds) * 1e3).toPrecision(4), out.readGbPerSecond.toPrecision(4), r.readGpuSeconds !== undefined ? 'GPU timestamps' : 'wall'],
      ['vec4 read-reduction (wall)', (r.readSeconds * 1e3).toPrecision(4), (r.bytes / r.readSeconds / 1e9).toPrecision(4), 'wall'],
      ['buffer copy (read + written)', (r.copySeconds * 1e3).toPrecision(4), out.copyGbPerSecond.toPrecision(4), 'wall']]));
    return 0;
  } finally {
    backend.dispose();
  }
}

/** Measures upload throughput with both upload paths on the same data. */
export async function uploadCommand(d: number, mb: number, runs: number, json: boolean): Promise<number> {
  const chunkRows = Math.floor((64 * 2 ** 20) / (Math.ceil(d / 4) * 16 + 4));
  const results: (UploadBenchResult & { mode: string; device: string })[] = [];
  for (const mode of ['staging', 'writeBuffer'] as const) {
    const backend = await createBackend('webgpu', { upload: mode });
    try {
      results.push({ mode, device: backend.device, ...(await uploadBenchmark(backend, d, chunkRows, mb * 1e6, runs)) });
    } finally {
      backend.dispose();
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify({ features: d, chunkRows, results }) + '\n');
    return 0;
  }
  console.log(`upload of ${mb} MB per run in 64 MiB chunks (${d} features), median of ${runs}; ${results[0].device}`);
  console.log(table([['path', 'GB/s', 'seconds'], ...results.map((r) => [r.mode, (r.bytesPerSecond / 1e9).toPrecision(4), r.seconds.toPrecision(4)])]));
  return 0;
}

/** Times the stages of a streamed epoch over a file. */
export async function streamCommand(file: string, target: string | undefined, slotRows: number, batch: number, json: boolean): Promise<number> {
  const source = await openInput(file, { target });
  const backend = await createBackend('webgpu');
  try {
    const r = await streamBenchmark(backend, source, { batch, slotRows });
    if (json) {
      process.stdout.write(JSON.stringify({ file, device: backend.device, batch, ...r }) + '\n');
      return 0;
    }
    const gbps = (s: number) => (r.bytes / s / 1e9).toPrecision(3);
    console.log(`${file}: ${r.rows} rows, ${(r.bytes / 1e9).toPrecision(3)} GB of rows, chunks of ${r.slotRows}, batch ${batch}; ${backend.device}`);
    console.log(table([['stage', 'seconds', 'GB/s'],
      ['read (source → float32 rows)', r.readSeconds.toPrecision(3), gbps(r.readSeconds)],
      ['upload (host → GPU)', r.uploadSeconds.toPrecision(3), gbps(r.uploadSeconds)],
      ['compute (SGD steps)', r.computeSeconds.toPrecision(3), gbps(r.computeSeconds)],
      ['epoch (pipelined)', r.epochSeconds.toPrecision(3), gbps(r.epochSeconds)]]));
    console.log(`overlap efficiency: epoch ÷ slowest stage = ${r.overlap.toFixed(2)} (1.00 is perfect overlap)`);
    return 0;
  } finally {
    backend.dispose();
    await source.close?.();
  }
}
