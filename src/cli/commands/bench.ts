// `downhill bench`: WebGPU and the fast CPU backend on the same synthetic data, per-epoch time, rows/s and GB/s of X
// read; `--peers` adds numpy, a plain JavaScript loop and a copy of X measured in the same run (bench_peers.ts).
import type { Backend, BackendKind } from '../../backend';
import type { LossKind } from '../../core/losses';
import type { OptimizerKind } from '../../core/optim';
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
import { copyPeer, jsLoopPeer, numpyPeer, type PeerResult } from './bench_peers';

export const BENCH_USAGE = `downhill bench [options]
  --rows N               synthetic rows (default 1000000)
  --features D           features (default 64)
  --batch list           batch sizes, comma-separated, "full" for full batch (default full,65536,4096)
  --backend list         of webgpu, cpu (f32 SIMD on every core), reference (the f64 oracle, slow) (default webgpu,cpu)
  --threads list         thread counts for the cpu backend, e.g. 1,2 for its scaling (default: every core)
  --runs R               timed runs; the median is reported (default 5)
  --loss list            one-output losses to time, comma-separated (default squared)
  --optimizer list       optimizers to time, comma-separated (default sgd)
  --no-shuffle           rows in storage order instead of the seeded shuffle training uses
  --peers                also time the same SGD in numpy (python3 with numpy: rows in storage order and shuffled),
                         in a plain single-thread JavaScript loop, and a plain copy of X (the bandwidth roofline)
  --gpu-time             also time the passes on the GPU (timestamp queries, unquantized in Node)
  --no-fuse              two dispatches per SGD step (gradient, update) instead of one fused dispatch
  --max-groups G         most workgroups per piece of rows (tuning; default 1024, 32 on software adapters)
  --fuse-groups G        steps needing ≤ G workgroups run fused (tuning; default 128)
  --stream FILE          instead: where a streamed epoch over FILE (.dh, .npy or .csv; --target for CSV) spends
                         its time: read, upload and compute alone, then pipelined (--chunk-rows, default 1M)
  --upload               instead: host→GPU upload GB/s, mapped staging ring vs queue.writeBuffer
  --upload-mb M          bytes to upload per run with --upload (default 1024 MB, in 64 MiB chunks)
  --json                 print every figure as one JSON object`;

/** A backend's result with the thread count it ran on (the cpu backend). */
type Row = BenchResult & { threads?: number };

const label = (r: { backend: string; threads?: number }) => (r.threads ? `${r.backend} ×${r.threads}` : r.backend);

/** Runs the bench command; returns the exit code. */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    rows: { type: 'string' }, features: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' },
    runs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, loss: { type: 'string' },
    upload: { type: 'boolean' }, 'upload-mb': { type: 'string' }, fuse: { type: 'boolean' }, 'gpu-time': { type: 'boolean' },
    'max-groups': { type: 'string' }, 'fuse-groups': { type: 'string' }, threads: { type: 'string' }, optimizer: { type: 'string' },
    shuffle: { type: 'boolean' }, peers: { type: 'boolean' },
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
  const kinds = (v.backend ?? 'webgpu,cpu').split(',').map((b) => parseBackend(b.trim()));
  const threadCounts = v.threads === undefined ? [undefined] : v.threads.split(',').map((t) => num('threads', t, 0, { integer: true, min: 1 }));
  const losses = (v.loss ?? 'squared').split(',').map((l) => parseOptionValue(trainOption('loss'), l) as LossKind);
  const optimizers = (v.optimizer ?? 'sgd').split(',').map((o) => parseOptionValue(trainOption('optimizer'), o) as OptimizerKind);
  const shuffle = v.shuffle !== false;
  const ds = linearDataset({ rows, features: d, seed: num('seed', v.seed, 0, { integer: true, min: 0 }) });
  const results: Row[] = [];
  const say = (s: string) => v.json || process.stderr.write(s);
  for (const kind of kinds as BackendKind[]) {
    for (const threads of kind === 'cpu' ? threadCounts : [undefined]) {
      const backend = await makeBackend(kind, v, threads);
      const t = kind === 'cpu' ? (backend as unknown as { threads: number }).threads : undefined;
      try {
        const data = await uploadDataset(backend, ds);
        try {
          for (const loss of losses) {
            for (const optimizer of optimizers) {
              for (const batch of batches) {
                const r: Row = { ...(await benchmark(backend, data, { batch, runs, loss, optimizer, shuffle })), ...(t ? { threads: t } : {}) };
                results.push(r);
                say(`${label(r)} ${loss} ${optimizer} batch ${Number.isFinite(batch) ? batch : 'full'}: ${(r.secondsPerEpoch * 1e3).toPrecision(4)} ms/epoch\n`);
              }
            }
          }
        } finally {
          data.dispose();
        }
      } finally {
        backend.dispose();
      }
    }
  }
  const peers: PeerResult[] = [];
  const peerNotes: string[] = [];
  if (v.peers) {
    const po = { rows, features: d, batches: batches.map((b) => Math.min(b, rows)), runs, loss: losses[0], lr: 1e-3 };
    say('peers: numpy …\n');
    const np = numpyPeer(po);
    if (typeof np === 'string') peerNotes.push(`numpy: not run: ${np}`);
    else peers.push(...np);
    if (losses[0] === 'squared') {
      say('peers: JavaScript loop …\n');
      peers.push(...jsLoopPeer(ds, po));
    }
    peers.push(copyPeer(ds, runs));
  }
  if (v.json) {
    const xBytes = rows * d * 4;
    const peerOut = peers.map((p) => ({
      ...p, msPerEpoch: p.secondsPerEpoch * 1e3, rowsPerSecond: p.peer === 'copy' ? null : rows / p.secondsPerEpoch,
      gbPerSecond: (p.peer === 'copy' ? 2 * xBytes : xBytes) / p.secondsPerEpoch / 1e9,
    }));
    process.stdout.write(JSON.stringify({ rows, features: d, runs, results, peers: peerOut, notes: peerNotes }) + '\n');
    return 0;
  }
  printTable(results, peers, rows, d, runs, losses, optimizers);
  for (const n of peerNotes) console.log(n);
  return 0;
}

/** Creates a backend from the command's options (threads for the cpu backend). */
function makeBackend(kind: BackendKind, v: Record<string, string | boolean | undefined>, threads?: number): Promise<Backend> {
  const profile = v['gpu-time'] === true;
  const tuning = {
    maxGroups: v['max-groups'] === undefined ? undefined : num('max-groups', v['max-groups'], 0, { integer: true, min: 1 }),
    fuseGroups: v['fuse-groups'] === undefined ? undefined : num('fuse-groups', v['fuse-groups'], 0, { integer: true, min: 0 }),
  };
  const dawnFlags = profile ? ['disable-dawn-features=timestamp_quantization'] : [];
  return createBackend(kind, { fuse: v.fuse !== false, profile, dawnFlags, ...tuning }, threads);
}

/** The results table, the peers beside them, and the ratios that matter. */
function printTable(results: Row[], peers: PeerResult[], rows: number, d: number, runs: number, losses: LossKind[], optimizers: OptimizerKind[]): void {
  const gpuCol = results.some((r) => r.gpuSecondsPerEpoch !== undefined);
  const lossCol = losses.length > 1;
  const optCol = optimizers.length > 1;
  const xBytes = rows * d * 4;
  const batchText = (b: number) => (b === rows ? `full (${b})` : b);
  const cpuCol = results.some((r) => r.cpuSecondsPerEpoch !== undefined) || peers.some((p) => p.cpuSecondsPerEpoch !== undefined);
  const cpuMs = (s?: number) => (s === undefined ? '—' : (s * 1e3).toPrecision(4));
  const head = ['backend', ...(lossCol ? ['loss'] : []), ...(optCol ? ['optimizer'] : []), 'order', 'batch', 'steps/epoch', 'ms/epoch', 'µs/step', 'rows/s', 'GB/s of X',
    ...(cpuCol ? ['CPU ms/epoch'] : []), ...(gpuCol ? ['GPU ms/epoch'] : [])];
  const body = results.map((r) => [
    label(r), ...(lossCol ? [r.loss] : []), ...(optCol ? [r.optimizer] : []), r.order, batchText(r.batch), r.stepsPerEpoch, (r.secondsPerEpoch * 1e3).toPrecision(4),
    ((r.secondsPerEpoch / r.stepsPerEpoch) * 1e6).toPrecision(4), si(r.rowsPerSecond), (r.xBytesPerSecond / 1e9).toPrecision(4),
    ...(cpuCol ? [cpuMs(r.cpuSecondsPerEpoch)] : []), ...(gpuCol ? [r.gpuSecondsPerEpoch !== undefined ? (r.gpuSecondsPerEpoch * 1e3).toPrecision(4) : '—'] : []),
  ]);
  const pad = (n: number) => new Array<string>(n).fill('');
  for (const p of peers) {
    const steps = p.peer === 'copy' ? '—' : Math.ceil(rows / p.batch);
    body.push([p.peer, ...pad(Number(lossCol) + Number(optCol)), p.order, p.peer === 'copy' ? '—' : batchText(p.batch), steps, (p.secondsPerEpoch * 1e3).toPrecision(4),
      p.peer === 'copy' ? '—' : ((p.secondsPerEpoch / Number(steps)) * 1e6).toPrecision(4), p.peer === 'copy' ? '—' : si(rows / p.secondsPerEpoch),
      ((p.peer === 'copy' ? 2 * xBytes : xBytes) / p.secondsPerEpoch / 1e9).toPrecision(4), ...(cpuCol ? [cpuMs(p.cpuSecondsPerEpoch)] : []), ...(gpuCol ? ['—'] : [])]);
  }
  console.log(`${rows} rows × ${d} features, f32, data resident; median of ${runs} runs after a warm-up${cpuCol ? '; CPU ms: every thread of the process added' : ''}`);
  for (const r of results.filter((x, i) => results.findIndex((y) => label(y) === label(x)) === i)) console.log(`${label(r)}: ${r.device}`);
  for (const p of peers.filter((x, i) => peers.findIndex((y) => y.peer === x.peer) === i)) console.log(`${p.peer}: ${p.device}${p.peer === 'copy' ? ' (GB/s: read + written)' : ''}`);
  console.log(table([head, ...body]));
  const first = (pred: (r: Row) => boolean) => results.find(pred);
  for (const loss of losses) {
    for (const batch of new Set(results.map((r) => r.batch))) {
      const g = first((r) => r.backend === 'webgpu' && r.loss === loss && r.batch === batch);
      const cpus = results.filter((r) => r.backend !== 'webgpu' && r.loss === loss && r.batch === batch && r.optimizer === optimizers[0]);
      const pre = `${lossCol ? `${loss}, ` : ''}batch ${batch}`;
      if (g) {
        const vs = cpus.map((c) => `${(c.secondsPerEpoch / g.secondsPerEpoch).toFixed(2)}× ${label(c)}`);
        if (vs.length) console.log(`${pre}: WebGPU runs at ${vs.join(', ')}`);
      }
      for (const c of cpus.filter((x) => x.backend === 'cpu')) {
        const same = peers.filter((p) => p.peer !== 'copy' && p.batch === batch && loss === losses[0]);
        const vs = same.map((p) => `${(p.secondsPerEpoch / c.secondsPerEpoch).toFixed(2)}× ${p.peer} (${p.order})`);
        if (vs.length) console.log(`${pre}: ${label(c)} (${c.order}) runs at ${vs.join(', ')}`);
      }
    }
  }
  for (const r of results) {
    const base = first((x) => x.backend === r.backend && x.threads === r.threads && x.batch === r.batch && x.loss === losses[0] && x.optimizer === optimizers[0]);
    if (base && base !== r) console.log(`${label(r)}, batch ${r.batch}: ${r.loss}/${r.optimizer} costs ${(r.secondsPerEpoch / base.secondsPerEpoch).toFixed(2)}× ${losses[0]}/${optimizers[0]}`);
  }
  const cpu = results.filter((r) => r.backend === 'cpu' && r.loss === losses[0] && r.optimizer === optimizers[0]);
  for (const r of cpu.filter((x) => (x.threads ?? 1) > 1)) {
    const one = cpu.find((x) => x.threads === 1 && x.batch === r.batch);
    if (one) console.log(`cpu, batch ${r.batch}: ${r.threads} threads run at ${(one.secondsPerEpoch / r.secondsPerEpoch).toFixed(2)}× one thread`);
  }
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
