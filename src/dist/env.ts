// A process's place in a distributed run, read from the variables its launcher sets: downhill's own
// (DOWNHILL_RANK, DOWNHILL_WORLD_SIZE, DOWNHILL_MASTER_ADDR, DOWNHILL_MASTER_PORT, as torchrun's env:// rendezvous),
// a Kubernetes Indexed Job (JOB_COMPLETION_INDEX; the completions count and rank 0's address through the headless
// Service go in DOWNHILL_WORLD_SIZE and DOWNHILL_MASTER_ADDR, deploy/k8s/), Slurm's srun (SLURM_PROCID,
// SLURM_STEP_NUM_TASKS, the step's first node) or Open MPI's mpirun (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE).
// DOWNHILL_* variables override what a launcher implies. Also the time limits (seconds) a run may change.
import type { RankPlace } from './rendezvous';
import { DEFAULT_TIMING, type Timing } from './tcp';

/** Who started the ranks. */
export type Launcher = 'downhill' | 'kubernetes' | 'slurm' | 'openmpi';

/** Where this process is in its job. */
export interface RankEnv extends RankPlace {
  launcher: Launcher;
  /** Its index among the ranks on its machine (one per adapter), when the launcher says. */
  localRank: number | null;
  /** How many ranks share its machine, when the launcher says (the CPU backend splits the cores among them). */
  localSize: number | null;
  /** A per-job secret the launcher already gave every rank (Open MPI's), used when no token is set. */
  jobKey: string | null;
}

/** A variable that is set but wrong, or one that is missing (exit 2: the launch is misconfigured). */
export class EnvError extends Error {
  override name = 'EnvError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, min: number, max = 2 ** 31 - 1): number {
  const v = env[name];
  if (v === undefined || !/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) {
    throw new EnvError(`${name} must be a whole number from ${min} to ${max}, got ${v === undefined ? 'nothing (it is not set)' : JSON.stringify(v)}`);
  }
  return Number(v);
}

/** Rank, size and launcher, or null when no launcher variable is set (one process). */
function who(env: Env): { rank: number; size: number; launcher: Launcher } | null {
  const size = (name: string, why: string) => {
    if (env.DOWNHILL_WORLD_SIZE !== undefined) return int(env, 'DOWNHILL_WORLD_SIZE', 1);
    if (env[name] !== undefined) return int(env, name, 1);
    throw new EnvError(`${why}: set DOWNHILL_WORLD_SIZE`);
  };
  if (env.DOWNHILL_RANK !== undefined) return { rank: int(env, 'DOWNHILL_RANK', 0), size: size('DOWNHILL_WORLD_SIZE', 'DOWNHILL_RANK is set but not the number of ranks'), launcher: 'downhill' };
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    return { rank: int(env, 'JOB_COMPLETION_INDEX', 0), size: size('DOWNHILL_WORLD_SIZE', 'a Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX but not .spec.completions'), launcher: 'kubernetes' };
  }
  if (env.SLURM_PROCID !== undefined && env.SLURM_STEP_NUM_TASKS !== undefined) {
    return { rank: int(env, 'SLURM_PROCID', 0), size: size('SLURM_STEP_NUM_TASKS', ''), launcher: 'slurm' };
  }
  if (env.OMPI_COMM_WORLD_RANK !== undefined) return { rank: int(env, 'OMPI_COMM_WORLD_RANK', 0), size: size('OMPI_COMM_WORLD_SIZE', 'OMPI_COMM_WORLD_RANK is set without OMPI_COMM_WORLD_SIZE'), launcher: 'openmpi' };
  return null;
}

/** The first host of a Slurm hostlist: "gpu[07-09,12],cpu1" → "gpu07"; "rack[1-2]-n[01-04]" → "rack1-n01". */
export function firstHost(list: string): string {
  let depth = 0;
  let end = list.length;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '[') depth++;
    else if (list[i] === ']') depth--;
    else if (list[i] === ',' && depth === 0) {
      end = i;
      break;
    }
  }
  return list.slice(0, end).replace(/\[([^\]]*)\]/g, (_m, inner: string) => inner.split(',')[0].split('-')[0]);
}

/** A port from a job id, 20000–31999 (below Linux's ephemeral ports), the same on every rank of the job. */
const portOf = (id: string) => 20000 + (Number.parseInt(id.replace(/\D/g, '').slice(-9) || '0', 10) % 12000);

function master(env: Env, launcher: Launcher, size: number): { addr: string; port: number } {
  let addr = env.DOWNHILL_MASTER_ADDR ?? null;
  let port = env.DOWNHILL_MASTER_PORT !== undefined ? int(env, 'DOWNHILL_MASTER_PORT', 1, 65535) : null;
  if (launcher === 'slurm') {
    const nodes = env.SLURM_STEP_NODELIST ?? env.SLURM_JOB_NODELIST;
    addr ??= nodes ? firstHost(nodes) : null;
    port ??= env.SLURM_JOB_ID ? portOf(`${env.SLURM_JOB_ID}${env.SLURM_STEP_ID ?? ''}`) : null;
  }
  if (launcher === 'openmpi') {
    if (addr === null && env.OMPI_COMM_WORLD_LOCAL_SIZE === String(size)) addr = '127.0.0.1';
    port ??= env.OMPI_MCA_ess_base_jobid ? portOf(env.OMPI_MCA_ess_base_jobid) : null;
  }
  if (addr === null) {
    throw new EnvError(launcher === 'openmpi'
      ? 'mpirun placed ranks on several machines: set DOWNHILL_MASTER_ADDR to the address of rank 0\'s machine (mpirun -x DOWNHILL_MASTER_ADDR=host …)'
      : `set DOWNHILL_MASTER_ADDR to the address rank 0 listens at (${launcher === 'kubernetes' ? 'the Job\'s index-0 pod through its headless Service, deploy/k8s/' : 'a host name or IP'})`);
  }
  if (port === null) throw new EnvError('set DOWNHILL_MASTER_PORT to the port rank 0 listens at');
  return { addr, port };
}

/** This process's place in a distributed run, or null when no launcher started it. */
export function rankEnv(env: Env): RankEnv | null {
  const w = who(env);
  if (!w) return null;
  if (w.rank >= w.size) throw new EnvError(`rank ${w.rank} is not below the world size ${w.size}`);
  const m = w.size > 1 ? master(env, w.launcher, w.size) : { addr: '127.0.0.1', port: 0 };
  const count = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    ...w, masterAddr: m.addr, masterPort: m.port, bindAddr: env.DOWNHILL_BIND_ADDR ?? null,
    localRank: count(env.DOWNHILL_LOCAL_RANK ?? env.SLURM_LOCALID ?? env.OMPI_COMM_WORLD_LOCAL_RANK),
    localSize: count(env.DOWNHILL_LOCAL_WORLD_SIZE ?? env.SLURM_NTASKS_PER_NODE ?? env.OMPI_COMM_WORLD_LOCAL_SIZE),
    jobKey: w.launcher === 'openmpi' ? env.OMPI_MCA_orte_precondition_transports ?? null : null,
  };
}

/** The time limits, from DOWNHILL_HEARTBEAT, DOWNHILL_PEER_TIMEOUT and DOWNHILL_COLLECTIVE_TIMEOUT (seconds). */
export function timingOf(env: Env): Timing {
  const secs = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined) return fallback;
    const s = Number(v);
    if (!(s > 0 && s <= 86400)) throw new EnvError(`${name} must be a number of seconds above 0 (at most 86400), got ${JSON.stringify(v)}`);
    return s * 1000;
  };
  const t = { heartbeat: secs('DOWNHILL_HEARTBEAT', DEFAULT_TIMING.heartbeat), peerTimeout: secs('DOWNHILL_PEER_TIMEOUT', DEFAULT_TIMING.peerTimeout), opTimeout: secs('DOWNHILL_COLLECTIVE_TIMEOUT', DEFAULT_TIMING.opTimeout) };
  if (t.peerTimeout < 2 * t.heartbeat) throw new EnvError(`DOWNHILL_PEER_TIMEOUT (${t.peerTimeout / 1000} s) must be at least twice DOWNHILL_HEARTBEAT (${t.heartbeat / 1000} s)`);
  return t;
}

/** How long ranks wait for each other to start (DOWNHILL_RENDEZVOUS_TIMEOUT seconds, default 600). */
export function rendezvousTimeout(env: Env): number {
  const v = env.DOWNHILL_RENDEZVOUS_TIMEOUT;
  if (v === undefined) return 600_000;
  const s = Number(v);
  if (!(s > 0 && s <= 86400)) throw new EnvError(`DOWNHILL_RENDEZVOUS_TIMEOUT must be a number of seconds above 0, got ${JSON.stringify(v)}`);
  return s * 1000;
}
