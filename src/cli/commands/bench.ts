// `downhill bench`: WebGPU and the fast CPU backend on the same synthetic data, per-epoch time, rows/s and GB/s of X
// read; `--peers` adds numpy, a plain JavaScript loop and a copy of X measured in the same run (bench_peers.ts);
// `--to-gap g` times whole training processes to an objective gap instead (bench_gap.ts).
import type { Backend, BackendKind } from '../../backend';
import type { LossKind } from '../../core/losses';
import type { OptimizerKind } from '../../core/optim';
import type { PenaltyKind } from '../../core/penalties';
import { parseOptionValue } from '../../core/options';
import { trainOption } from '../../core/spec';
import { LOSSES } from '../../core/losses';
import { parseDtype } from '../../data/cache_f16';
import { linearDataset } from '../../data/synthetic';
import { classesDataset } from '../../data/synthetic_classes';
import { SimdCpuBackend } from '../../cpu/simd_backend';
import { WebGpuBackend } from '../../gpu/backend';
import { createBackend, parseBackend } from '../../train/backends';
import { benchmark, type BenchResult } from '../../train/bench';
import { uploadDataset, type ResidentData } from '../../train/train';
import { bytes, num, parse, UsageError } from '../args';
import { allreduceCommand } from './bench_allreduce';
import { ceilingCommand, streamCommand, uploadCommand } from './bench_modes';
import { table } from '../output';
import { si } from '../progress';
import { copyPeer, jsLoopPeer, numpyPeer, sklearnPeer, type PeerResult } from './bench_peers';
import { gapCommand, GAP_USAGE } from './bench_gap';
import { cacheSource } from '../../data/cache';
import type { DataSource } from '../../data/source';

export const BENCH_USAGE = `downhill bench [options]
  --rows N               synthetic rows (default 1000000)
  --features D           features (default 64)
  --batch list           batch sizes, comma-separated, "full" for full batch (default full,65536,4096)
  --backend list         of webgpu, cpu (f32 SIMD on every core), reference (the f64 oracle, slow) (default webgpu,cpu)
  --threads list         thread counts for the cpu backend, each pinned, e.g. 1,2 for its scaling; "auto": up to
                         every core, how many per job size chosen by measurement, as training does (default: auto)
  --runs R               timed runs; the median is reported (default 5)
  --loss list            losses to time, comma-separated (default squared); softmax times class data (--classes)
  --classes K            classes of the synthetic data for softmax (default 10)
  --dtype f32|f16        how the GPU keeps X (default f32; f16: packed halves, GB/s of X counts 2 bytes a value)
  --optimizer list       optimizers to time, comma-separated (default sgd)
  --penalty P            the penalty of the timed steps (default none), at strength --alpha (default 1e-4)
  --no-shuffle           rows in storage order instead of the seeded shuffle training uses
  --peers                also time the same SGD in numpy (python3 with numpy: rows in storage order and shuffled),
                         in a plain single-thread JavaScript loop, and a plain copy of X (the bandwidth roofline)
  --gpu-time             also time the passes on the GPU (timestamp queries, unquantized in Node)
  --no-fuse              two dispatches per SGD step (gradient, update) instead of one fused dispatch
  --max-groups G         most workgroups per piece of rows (default: the adapter's entry in src/gpu/tuning.ts)
  --fuse-groups G        steps needing ≤ G workgroups run fused (default: the adapter's tuning entry)
  --stream FILE          instead: where a streamed epoch over FILE (.dh, .npy or .csv; --target for CSV) spends
                         its time: read, upload and compute alone, then pipelined (--chunk-rows, default 1M)
  --ceiling              instead: the GPU's own bandwidth ceilings over a buffer the size of X: a plain vec4
                         read-reduction (GPU timestamps where available) and a buffer copy
  --upload               instead: host→GPU upload GB/s, mapped staging ring vs queue.writeBuffer
  --upload-mb M          bytes to upload per run with --upload (default 1024 MB, in 64 MiB chunks)
  --data FILE            time a .dh cache instead of synthetic rows (with a sparse block: \`gen --task ctr -o ctr.dh\`);
                         --peers then times scikit-learn's SGDClassifier on the same rows as one CSR matrix; the
                         load (read, decode, into the backend's memory) is timed too, wall and CPU, and with one epoch
  --lr r                 learning rate of the timed steps (default 0.001)
  --allreduce            instead, on the ranks of a distributed run: one allreduce's time by vector size
                         (downhill launch -n 2 -- bench --allreduce; at least --runs calls a size, default 20;
                         --max-bytes SIZE: the largest vector, default 64M)
  --json                 print every figure as one JSON object

${GAP_USAGE}`;

/** A backend's result with the thread count it ran on (the cpu backend; adaptive: at most, and the jobs each way). */
type Row = BenchResult & { threads?: number; adaptive?: boolean; threadJobs?: { all: number; alone: number } };

const label = (r: { backend: string; threads?: number; adaptive?: boolean }) =>
  r.threads ? `${r.backend} ${r.adaptive ? '≤' : '×'}${r.threads}` : r.backend;

/** Runs the bench command; returns the exit code. */
export async function benchCommand(argv: string[]): Promise<number> {
  if (argv.some((a) => a === '--to-gap' || a.startsWith('--to-gap='))) return gapCommand(argv);
  const { values: v } = parse(argv, {
    rows: { type: 'string' }, features: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' },
    runs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, loss: { type: 'string' },
    upload: { type: 'boolean' }, 'upload-mb': { type: 'string' }, fuse: { type: 'boolean' }, 'gpu-time': { type: 'boolean' },
    'max-groups': { type: 'string' }, 'fuse-groups': { type: 'string' }, threads: { type: 'string' }, optimizer: { type: 'string' }, penalty: { type: 'string' }, alpha: { type: 'string' },
    shuffle: { type: 'boolean' }, peers: { type: 'boolean' },
    stream: { type: 'string' }, target: { type: 'string' }, 'chunk-rows': { type: 'string' },
    ceiling: { type: 'boolean' }, dtype: { type: 'string' }, classes: { type: 'string' }, data: { type: 'string' }, lr: { type: 'string' },
    allreduce: { type: 'boolean' }, 'max-bytes': { type: 'string' },
  });
  if (v.allreduce) return allreduceCommand(num('runs', v.runs, 20, { integer: true, min: 1 }), !!v.json, bytes('max-bytes', v['max-bytes'], 64 << 20));
  if (v.stream) {
    const chunkRows = num('chunk-rows', v['chunk-rows'], 1 << 20, { integer: true, min: 1 });
    return streamCommand(v.stream, v.target, chunkRows, num('batch', v.batch, 4096, { integer: true, min: 1 }), !!v.json);
  }
  if (v.upload) return uploadCommand(num('features', v.features, 64, { integer: true, min: 1 }), num('upload-mb', v['upload-mb'], 1024, { positive: true }), num('runs', v.runs, 3, { integer: true, min: 1 }), !!v.json);
  const file: DataSource | null = v.data ? await cacheSource(v.data) : null;
  if (file && (v.rows !== undefined || v.features !== undefined)) throw new UsageError('--data times the file\'s rows: leave out --rows and --features');
  const rows = file ? (file as { rows: number }).rows : num('rows', v.rows, 1_000_000, { integer: true, min: 1 });
  const d = file ? file.features.length : num('features', v.features, 64, { integer: true, min: 1 });
  const lr = num('lr', v.lr, 1e-3, { positive: true });
  const runs = num('runs', v.runs, 5, { integer: true, min: 1 });
  if (v.ceiling) return ceilingCommand(rows, d, runs, !!v.json);
  const batches = (v.batch ?? 'full,65536,4096').split(',').map((b) => num('batch', b, 0, { integer: true, min: 1, allowFull: true }));
  const kinds = (v.backend ?? 'webgpu,cpu').split(',').map((b) => parseBackend(b.trim()));
  const threadCounts = (v.threads ?? 'auto').split(',').map((t) => (t.trim() === 'auto' ? 'auto' as const : num('threads', t, 0, { integer: true, min: 1 })));
  const losses = (v.loss ?? 'squared').split(',').map((l) => parseOptionValue(trainOption('loss'), l) as LossKind);
  const optimizers = (v.optimizer ?? 'sgd').split(',').map((o) => parseOptionValue(trainOption('optimizer'), o) as OptimizerKind);
  const shuffle = v.shuffle !== false;
  const penalty = parseOptionValue(trainOption('penalty'), v.penalty ?? 'none') as PenaltyKind;
  const alpha = num('alpha', v.alpha, 1e-4, { min: 0 });
  const seed = num('seed', v.seed, 0, { integer: true, min: 0 });
  const classes = num('classes', v.classes, 10, { integer: true, min: 2 });
  const ds = linearDataset({ rows: file ? 1 : rows, features: d, seed });
  // Regression values for one-output losses; class data (generated only when asked for) for multiclass losses.
  const multi = (l: LossKind) => LOSSES[l].task === 'multiclass';
  const classData = losses.some(multi) && !file ? classesDataset({ rows, features: d, classes, seed }) : null;
  const results: Row[] = [];
  const loads: LoadTime[] = [];
  const say = (s: string) => v.json || process.stderr.write(s);
  for (const kind of kinds as BackendKind[]) {
    for (const threads of kind === 'cpu' ? threadCounts : ['auto' as const]) {
      const backend = await makeBackend(kind, v, threads);
      const t = backend instanceof SimdCpuBackend ? backend.threads : undefined;
      const chooser = backend instanceof SimdCpuBackend && backend.adaptive ? backend.pool.chooser : null;
      const tuning = backend instanceof WebGpuBackend
        ? { tuning: { entry: backend.tuning.name, basis: backend.tuning.basis, maxGroups: backend.maxGroups, fuseGroups: backend.fuseGroups } } : {};
      const loaded = new Map<boolean, ResidentData>();
      try {
        for (const loss of losses) {
          const m = multi(loss);
          if (!loaded.has(m)) {
            const [t0, c0] = [performance.now(), process.cpuUsage()];
            loaded.set(m, await uploadDataset(backend, file ?? (m ? classData! : ds), m || file ? { loss } : {}));
            const c = process.cpuUsage(c0);
            const load: LoadTime = { backend: kind, ...(t ? { threads: t } : {}), loss, wallSeconds: (performance.now() - t0) / 1e3, cpuSeconds: (c.user + c.system) / 1e6 };
            loads.push(load);
            if (file) say(`${label(load)} load of ${rows} rows: ${(load.wallSeconds * 1e3).toPrecision(4)} ms wall, ${(load.cpuSeconds * 1e3).toPrecision(4)} ms CPU\n`);
          }
          const data = loaded.get(m)!;
          for (const optimizer of optimizers) {
            for (const batch of batches) {
              const [all0, alone0] = [chooser?.jobsAll ?? 0, chooser?.jobsAlone ?? 0];
              const r: Row = { ...(await benchmark(backend, data, { batch, runs, loss, optimizer, penalty, alpha, shuffle, lr })), ...(t ? { threads: t } : {}), ...tuning };
              if (chooser) Object.assign(r, { adaptive: true, threadJobs: { all: chooser.jobsAll - all0, alone: chooser.jobsAlone - alone0 } });
              results.push(r);
              say(`${label(r)} ${loss} ${optimizer} batch ${Number.isFinite(batch) ? batch : 'full'}: ${(r.secondsPerEpoch * 1e3).toPrecision(4)} ms/epoch, `
                + `host ${r.hostUsPerStep?.toPrecision(3)} µs/step${r.gpuUsPerStep !== undefined ? `, GPU ${r.gpuUsPerStep.toPrecision(3)} µs/step` : ''}\n`);
            }
          }
        }
      } finally {
        for (const data of loaded.values()) data.dispose();
        backend.dispose();
      }
    }
  }
  const peers: PeerResult[] = [];
  const peerNotes: string[] = [];
  if (v.peers && file) {
    say('peers: scikit-learn …\n');
    const sk = await sklearnPeer(file, { runs, lr });
    if (typeof sk === 'string') peerNotes.push(`sklearn: not run: ${sk}`);
    else peers.push(sk);
  } else if (v.peers) {
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
  await file?.close?.(); // its random-access handle (Node warns when a FileHandle is left to the garbage collector)
  if (v.json) {
    const xBytes = rows * d * 4;
    const peerOut = peers.map((p) => ({
      ...p, msPerEpoch: p.secondsPerEpoch * 1e3, rowsPerSecond: p.peer === 'copy' ? null : rows / p.secondsPerEpoch,
      gbPerSecond: (p.peer === 'copy' ? 2 * xBytes : xBytes) / p.secondsPerEpoch / 1e9,
    }));
    process.stdout.write(JSON.stringify({ rows, features: d, runs, results, peers: peerOut, notes: peerNotes, ...(file ? { loads } : {}) }) + '\n');
    return 0;
  }
  printTable(results, peers, rows, d, runs, losses, optimizers);
  if (file) printLoads(loads, results, rows);
  if (penalty !== 'none' && !v.json) console.log(`every timed step under --penalty ${penalty} --alpha ${alpha}`);
  for (const n of peerNotes) console.log(n);
  return 0;
}

/** Creates a backend from the command's options (threads for the cpu backend). */
function makeBackend(kind: BackendKind, v: Record<string, string | boolean | undefined>, threads: number | 'auto'): Promise<Backend> {
  const profile = v['gpu-time'] === true;
  const tuning = {
    maxGroups: v['max-groups'] === undefined ? undefined : num('max-groups', v['max-groups'], 0, { integer: true, min: 1 }),
    fuseGroups: v['fuse-groups'] === undefined ? undefined : num('fuse-groups', v['fuse-groups'], 0, { integer: true, min: 0 }),
  };
  const dawnFlags = profile ? ['disable-dawn-features=timestamp_quantization'] : [];
  const dtype = parseDtype(v.dtype as string | undefined, (m) => new UsageError(m)) ?? 'f32';
  return createBackend(kind, { fuse: v.fuse !== false, profile, dawnFlags, dtype, ...tuning }, threads === 'auto' ? {} : { threads, adapt: false });
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
    'host µs/step', ...(cpuCol ? ['CPU ms/epoch'] : []), ...(gpuCol ? ['GPU ms/epoch', 'GPU µs/step'] : [])];
  const body = results.map((r) => [
    label(r), ...(lossCol ? [r.loss] : []), ...(optCol ? [r.optimizer] : []), r.order, batchText(r.batch), r.stepsPerEpoch, (r.secondsPerEpoch * 1e3).toPrecision(4),
    ((r.secondsPerEpoch / r.stepsPerEpoch) * 1e6).toPrecision(4), si(r.rowsPerSecond), (r.xBytesPerSecond / 1e9).toPrecision(4),
    r.hostUsPerStep !== undefined ? r.hostUsPerStep.toPrecision(4) : '—', ...(cpuCol ? [cpuMs(r.cpuSecondsPerEpoch)] : []),
    ...(gpuCol ? [r.gpuSecondsPerEpoch !== undefined ? (r.gpuSecondsPerEpoch * 1e3).toPrecision(4) : '—', r.gpuUsPerStep?.toPrecision(4) ?? '—'] : []),
  ]);
  const pad = (n: number) => new Array<string>(n).fill('');
  for (const p of peers) {
    const steps = p.peer === 'copy' ? '—' : Math.ceil(rows / p.batch);
    body.push([p.peer, ...pad(Number(lossCol) + Number(optCol)), p.order, p.peer === 'copy' ? '—' : batchText(p.batch), steps, (p.secondsPerEpoch * 1e3).toPrecision(4),
      p.peer === 'copy' ? '—' : ((p.secondsPerEpoch / Number(steps)) * 1e6).toPrecision(4), p.peer === 'copy' ? '—' : si(rows / p.secondsPerEpoch),
      ((p.peer === 'copy' ? 2 * xBytes : xBytes) / p.secondsPerEpoch / 1e9).toPrecision(4), '—', ...(cpuCol ? [cpuMs(p.cpuSecondsPerEpoch)] : []), ...(gpuCol ? ['—', '—'] : [])]);
  }
  console.log(`${rows} rows × ${d} features, ${results[0]?.dtype ?? 'f32'} X, data resident; median of ${runs} runs after a warm-up; host µs: inside runSteps`
    + `${cpuCol ? '; CPU ms: every thread of the process added' : ''}`);
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
    const jobs = r.threadJobs ? ` (${r.threadJobs.all} of ${r.threadJobs.all + r.threadJobs.alone} jobs on every thread)` : '';
    if (one) console.log(`cpu, batch ${r.batch}: ${r.adaptive ? 'up to ' : ''}${r.threads} threads run at ${(one.secondsPerEpoch / r.secondsPerEpoch).toFixed(2)}× one thread${jobs}`);
  }
}

/** How long loading the file's rows into a backend took (wall and CPU of the whole process), once per backend. */
interface LoadTime {
  backend: BackendKind;
  threads?: number;
  loss: LossKind;
  wallSeconds: number;
  cpuSeconds: number;
}

/** Each load's time, and the load plus one epoch as rows per second and per CPU-second (read, decode and train from the file). */
function printLoads(loads: LoadTime[], results: Row[], rows: number): void {
  for (const l of loads) {
    const who = `${l.backend}${l.threads ? ` ×${l.threads}` : ''}`;
    console.log(`${who} load: ${(l.wallSeconds * 1e3).toPrecision(4)} ms wall, ${(l.cpuSeconds * 1e3).toPrecision(4)} ms CPU `
      + `(${((l.cpuSeconds / rows) * 1e6).toPrecision(3)} µs CPU a row)`);
    for (const r of results.filter((x) => x.backend === l.backend && x.threads === l.threads && x.loss === l.loss)) {
      const wall = l.wallSeconds + r.secondsPerEpoch;
      const cpu = r.cpuSecondsPerEpoch === undefined ? null : l.cpuSeconds + r.cpuSecondsPerEpoch;
      console.log(`${who} load + one epoch (batch ${r.batch}, ${r.optimizer}): ${si(rows / wall)} rows/s${cpu === null ? '' : `, ${si(rows / cpu)} rows per CPU-second`}`);
    }
  }
}
