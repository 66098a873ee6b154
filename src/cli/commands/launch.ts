// `downhill launch -n N -- train …`: N ranks of one distributed run on this machine (tests; a machine with several
// GPUs, one rank per adapter with --gpus). Each child gets DOWNHILL_RANK, DOWNHILL_WORLD_SIZE, DOWNHILL_LOCAL_RANK, the master
// address and a free port, and a fresh token in its environment (not on any command line). Signals are passed on
// once to every rank; when a rank fails the others stop by themselves (exit 3) and, should one hang, are killed
// after a grace period. The launch ends with the code of the rank that failed first for its own reasons.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { newToken } from '../../dist/auth';
import { adapterList } from '../../gpu/adapters';
import { dawnAdapters } from '../adapter';
import { num, parse, UsageError } from '../args';

export const LAUNCH_USAGE = `downhill launch -n N [--gpus] [--host ADDR] [--port P] -- train <data> [train options]
downhill launch -n N -- bench --allreduce [--runs R] [--max-bytes SIZE] [--json]   the collective's cost by vector size
  Runs N ranks of one data-parallel run on this machine: each reads its share of the rows, the ranks sum their
  gradients every step, rank 0 prints and writes the model and checkpoints. For other launchers set in each rank's
  environment DOWNHILL_RANK, DOWNHILL_WORLD_SIZE, DOWNHILL_MASTER_ADDR, DOWNHILL_MASTER_PORT and a shared token
  (DOWNHILL_TOKEN_FILE or DOWNHILL_TOKEN), or run under a Kubernetes Indexed Job, Slurm's srun or Open MPI's mpirun
  (see README, deploy/).
  -n N                     ranks to start (1 to 256)
  --gpus                   one WebGPU adapter per rank: rank i trains on adapter i (DOWNHILL_ADAPTER=local-rank;
                           downhill info --adapters lists them); fails at once when there are fewer adapters than
                           ranks, or for ranks on a CPU backend. Without it every rank takes Dawn's first adapter.
                           Under mpirun or srun, set DOWNHILL_ADAPTER=local-rank (or train --adapter local-rank)
                           for the same placement
  --host ADDR              where rank 0 listens (default 127.0.0.1)
  --port P                 rank 0's port (default: a free one)`;

const OPTIONS = { n: { type: 'string', short: 'n' }, host: { type: 'string' }, port: { type: 'string' }, gpus: { type: 'boolean' } } as const;

/** Seconds the other ranks get to stop by themselves after one has failed. */
const GRACE_MS = 60_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, host, resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs the launch command; returns the exit code. */
export async function launchCommand(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  if (split < 0 || split === argv.length - 1) throw new UsageError('launch needs the command to run after "--", e.g. downhill launch -n 2 -- train data.npy');
  const { values: v } = parse(argv.slice(0, split), OPTIONS, 0);
  if (v.n === undefined) throw new UsageError('launch needs -n N, the number of ranks');
  const n = num('n', v.n, 0, { integer: true, min: 1, max: 256 });
  const command = argv.slice(split + 1);
  if (command[0] !== 'train' && command[0] !== 'bench') throw new UsageError(`launch runs "train" (or "bench --allreduce") on every rank, not ${JSON.stringify(command[0])}`);
  const host = (v.host as string | undefined) ?? '127.0.0.1';
  const port = v.port === undefined ? await freePort(host) : num('port', v.port, 0, { integer: true, min: 1, max: 65535 });
  const token = process.env.DOWNHILL_TOKEN_FILE || process.env.DOWNHILL_TOKEN ? {} : { DOWNHILL_TOKEN: newToken() };
  const gpus = v.gpus === true ? await adapterPerRank(n, command) : {};
  const children = Array.from({ length: n }, (_, rank) => spawn(process.execPath, [process.argv[1], ...command], {
    stdio: 'inherit', detached: true,
    env: {
      ...process.env, ...token, DOWNHILL_RANK: String(rank), DOWNHILL_WORLD_SIZE: String(n), DOWNHILL_LOCAL_RANK: String(rank), DOWNHILL_LOCAL_WORLD_SIZE: String(n),
      DOWNHILL_MASTER_ADDR: host, DOWNHILL_MASTER_PORT: String(port), DOWNHILL_LAUNCHER_PID: String(process.pid), ...gpus,
    },
  }));
  return supervise(children);
}

/** --gpus: every rank takes the adapter of its local rank; refused before any rank starts when there are fewer adapters. */
async function adapterPerRank(n: number, command: readonly string[]): Promise<Record<string, string>> {
  // The rank's own --backend (webgpu unless named): an adapter per rank means nothing to the CPU backends.
  let backend = 'webgpu';
  command.forEach((a, i) => {
    if (a === '--backend' && i + 1 < command.length) backend = command[i + 1];
    else if (a.startsWith('--backend=')) backend = a.slice('--backend='.length);
  });
  if (backend !== 'webgpu') throw new UsageError(`launch --gpus gives each rank a WebGPU adapter; the ranks train with --backend ${backend}: drop --gpus or use --backend webgpu`);
  const adapters = await dawnAdapters();
  if (adapters.length < n) throw new UsageError(`launch -n ${n} --gpus needs ${n} WebGPU adapters; ${adapterList(adapters)}`);
  return { DOWNHILL_ADAPTER: 'local-rank' };
}

/** How one rank ended. */
interface Ended {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Passes signals on, waits for every rank, kills stragglers after a failure; returns the launch's exit code. */
async function supervise(children: ChildProcess[]): Promise<number> {
  const forward = (s: NodeJS.Signals) => () => children.forEach((c) => c.exitCode === null && c.kill(s));
  const handlers = SIGNALS.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  let straggling: NodeJS.Timeout | null = null;
  try {
    const ended = await Promise.all(children.map((c, rank) => new Promise<Ended>((resolve) => {
      c.on('exit', (code, signal) => {
        if ((code !== 0 || signal) && !straggling) {
          straggling = setTimeout(() => children.forEach((x) => x.exitCode === null && x.signalCode === null && x.kill('SIGKILL')), GRACE_MS);
        }
        resolve({ rank, code, signal });
      });
    })));
    return verdict(ended);
  } finally {
    if (straggling) clearTimeout(straggling);
    for (const [s, h] of handlers) process.off(s, h);
  }
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGKILL: 137, SIGTERM: 143 };

/** 0 when every rank finished; else the first failure that was not "stopped because of another rank" (exit 3). */
function verdict(ended: Ended[]): number {
  const failed = ended.filter((e) => e.code !== 0);
  if (!failed.length) return 0;
  const primary = failed.find((e) => e.signal !== null || e.code !== 3) ?? failed[0];
  if (primary.signal) {
    process.stderr.write(`downhill: launch: rank ${primary.rank} was ended by ${primary.signal}; ${failed.length - 1} other rank(s) stopped\n`);
    return SIGNAL_CODES[primary.signal] ?? 1;
  }
  return primary.code ?? 1;
}
