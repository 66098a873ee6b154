// `downhill bench`: CPU and GPU on the same synthetic data, per-epoch time, rows/s and GB/s of X read.
import type { BackendKind } from '../../backend';
import type { LossKind } from '../../core/losses';
import { parseOptionValue } from '../../core/options';
import { trainOption } from '../../core/spec';
import { linearDataset } from '../../data/synthetic';
import { createBackend, parseBackend } from '../../train/backends';
import { streamBenchmark } from '../../train/stream_bench';
import { openInput } from '../sources';
import { benchmark, uploadBenchmark, type BenchResult, type UploadBenchResult } from '../../train/bench';
import { uploadDataset } from '../../train/train';
import { num, parse } from '../args';
import { table } from '../output';
import { si } from '../progress';

export const BENCH_USAGE = `downhill bench [options]
  --rows N               synthetic rows (default 1000000)
  --features D           features (default 64)
  --batch list           batch sizes, comma-separated, "full" for full batch (default full,65536,4096)
  --backend list         of webgpu, cpu-mt (every core), cpu (the f64 reference) (default all three)
  --runs R               timed runs; the median is reported (default 5)
  --loss list            one-output losses to time, comma-separated (default squared)
  --gpu-time             also time the passes on the GPU (timestamp queries, unquantized in Node)
  --no-fuse              two dispatches per SGD step (gradient, update) instead of one fused dispatch
  --max-groups G         most workgroups per piece of rows (tuning; default 1024, 32 on software adapters)
  --fuse-groups G        steps needing ≤ G workgroups run fused (tuning; default 128)
  --stream FILE          instead: where a streamed epoch over FILE (.dh, .npy or .csv; --target for CSV) spends
                         its time: read, upload and compute alone, then pipelined (--chunk-rows, default 1M)
  --upload               instead: host→GPU upload GB/s, mapped staging ring vs queue.writeBuffer
  --upload-mb M          bytes to upload per run with --upload (default 1024 MB, in 64 MiB chunks)
  --json                 print the results as JSON`;

/** Runs the bench command; returns the exit code. */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    rows: { type: 'string' }, features: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' },
    runs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, loss: { type: 'string' },
    upload: { type: 'boolean' }, 'upload-mb': { type: 'string' }, fuse: { type: 'boolean' }, 'gpu-time': { type: 'boolean' },
    'max-groups': { type: 'string' }, 'fuse-groups': { type: 'string' },
    stream: { type: 'string' }, target: { type: 'string' }, 'chunk-rows': { type: 'string' },
  });
  if (v.stream) {
    const chunkRows = num('chunk-rows', v['chunk-rows'], 1 << 20, { integer: true, min: 1 });
    return streamCommand(v.stream, v.target, chunkRows, num('batch', v.batch, 4096, { integer: true, min: 1 }), !!v.json);
  }
  if (v.upload) return uploadCommand(num('features', v.features, 64, { integer: true, min: 1 }), num('upload-mb', v['upload-mb'], 1024, { positive: true }), num('runs', v.runs, 3, { integer: true, min: 1 }), !!v.json);
  const rows = num('rows', v.rows, 1_000_000, { integer: true, min: 1 });
  const d = num('features', v.features, 64, { integer: true, min: 1 });
  const runs = num('runs', v.runs, 5, { integer: true, min: 1 });
  const batches = (v.batch ?? 'full,65536,4096').split(',').map((b) => num('batch', b, 0, { integer: true, min: 1, allowFull: true }));
  const kinds = (v.backend ?? 'webgpu,cpu-mt,cpu').split(',').map((b) => parseBackend(b.trim()));
  const losses = (v.loss ?? 'squared').split(',').map((l) => parseOptionValue(trainOption('loss'), l) as LossKind);
  const ds = linearDataset({ rows, features: d, seed: num('seed', v.seed, 0, { integer: true, min: 0 }) });
  const results: BenchResult[] = [];
  for (const kind of kinds as BackendKind[]) {
    const profile = v['gpu-time'] === true;
    const dawnFlags = profile ? ['disable-dawn-features=timestamp_quantization'] : [];
    const tuning = {
      maxGroups: v['max-groups'] === undefined ? undefined : num('max-groups', v['max-groups'], 0, { integer: true, min: 1 }),
      fuseGroups: v['fuse-groups'] === undefined ? undefined : num('fuse-groups', v['fuse-groups'], 0, { integer: true, min: 0 }),
    };
    const backend = await createBackend(kind, { fuse: v.fuse !== false, profile, dawnFlags, ...tuning });
    try {
      const data = await uploadDataset(backend, ds);
      try {
        for (const loss of losses) {
          for (const batch of batches) {
            const r = await benchmark(backend, data, { batch, runs, loss });
            results.push(r);
            if (!v.json) process.stderr.write(`${kind} ${loss} batch ${Number.isFinite(batch) ? batch : 'full'}: ${(r.secondsPerEpoch * 1e3).toPrecision(4)} ms/epoch\n`);
          }
        }
      } finally {
        data.dispose();
      }
    } finally {
      backend.dispose();
    }
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({ rows, features: d, runs, results }) + '\n');
    return 0;
  }
  const gpuCol = results.some((r) => r.gpuSecondsPerEpoch !== undefined);
  const lossCol = losses.length > 1;
  const head = ['backend', ...(lossCol ? ['loss'] : []), 'batch', 'steps/epoch', 'ms/epoch', 'µs/step', 'rows/s', 'GB/s of X', ...(gpuCol ? ['GPU ms/epoch'] : [])];
  const body = results.map((r) => [
    r.backend, ...(lossCol ? [r.loss] : []), r.batch === rows ? `full (${r.batch})` : r.batch, r.stepsPerEpoch, (r.secondsPerEpoch * 1e3).toPrecision(4),
    ((r.secondsPerEpoch / r.stepsPerEpoch) * 1e6).toPrecision(4), si(r.rowsPerSecond), (r.xBytesPerSecond / 1e9).toPrecision(4),
    ...(gpuCol ? [r.gpuSecondsPerEpoch !== undefined ? (r.gpuSecondsPerEpoch * 1e3).toPrecision(4) : '—'] : []),
  ]);
  console.log(`${rows} rows × ${d} features, f32, data resident; median of ${runs} runs after a warm-up`);
  for (const kind of kinds) {
    const r = results.find((x) => x.backend === kind);
    if (r) console.log(`${kind}: ${r.device}`);
  }
  console.log(table([head, ...body]));
  for (const loss of losses) {
    for (const batch of batches) {
      const at = (kind: string) => results.find((r) => r.backend === kind && r.loss === loss && r.batch === Math.min(batch, rows));
      const g = at('webgpu');
      const vs = (['cpu-mt', 'cpu'] as const).flatMap((k) => (g && at(k) ? [`${(at(k)!.secondsPerEpoch / g.secondsPerEpoch).toFixed(1)}× ${k}`] : []));
      if (vs.length) console.log(`${lossCol ? `${loss}, ` : ''}batch ${g!.batch}: WebGPU runs at ${vs.join(', ')}`);
    }
  }
  for (const loss of losses.slice(1)) {
    for (const r of results.filter((x) => x.loss === loss)) {
      const base = results.find((x) => x.loss === losses[0] && x.backend === r.backend && x.batch === r.batch);
      if (base) console.log(`${r.backend}, batch ${r.batch}: ${loss} costs ${(r.secondsPerEpoch / base.secondsPerEpoch).toFixed(2)}× ${losses[0]}`);
    }
  }
  return 0;
}

/** Measures upload throughput with both upload paths on the same data. */
async function uploadCommand(d: number, mb: number, runs: number, json: boolean): Promise<number> {
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
async function streamCommand(file: string, target: string | undefined, slotRows: number, batch: number, json: boolean): Promise<number> {
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
