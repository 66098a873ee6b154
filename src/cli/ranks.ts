// The command line's side of a distributed run: join the ranks a launcher started (src/dist/env.ts), label every
// message with the rank, end the process promptly when another rank fails (exit 3), and watch the parent a
// `downhill launch` rank was started by, so no rank outlives its launcher.
import { EnvError, rankEnv, rendezvousTimeout, timingOf } from '../dist/env';
import type { RankError } from '../dist/tcp';
import type { Collective } from '../train/collective';
import { UsageError } from './args';
import { report, setRankLabel } from './errors';

/** How long a busy rank may take to notice a fault itself before the process ends anyway. */
const FAULT_GRACE_MS = 2000;

/** A joined distributed run. */
export interface Ranks {
  collective: Collective;
  rank: number;
  size: number;
  launcher: string;
  /** Ranks on this machine, when the launcher says. */
  localSize: number | null;
}

/** Joins the ranks this process belongs to (null: not started by a launcher). Misconfiguration is a usage error. */
export async function joinRanks(env: NodeJS.ProcessEnv = process.env): Promise<Ranks | null> {
  let place;
  try {
    place = rankEnv(env);
  } catch (e) {
    throw e instanceof EnvError ? new UsageError(e.message) : e;
  }
  if (!place) return null;
  // Sockets and the job token's HMAC (node:net, node:crypto) load only in a rank, not in every train's start.
  const [{ jobToken, TokenError }, { connectRanks }] = await Promise.all([import('../dist/auth'), import('../dist/rendezvous')]);
  try {
    setRankLabel(`rank ${place.rank} of ${place.size}`);
    const token = place.size > 1 ? jobToken(env, place.jobKey) : Buffer.alloc(0);
    const collective = await connectRanks(place, {
      token, timing: timingOf(env), rendezvousTimeout: rendezvousTimeout(env),
      warn: (m) => process.stderr.write(`downhill: rank ${place!.rank} of ${place!.size}: warning: ${m}\n`),
      onFault: (e) => endSoon(e),
    });
    watchParent(env, collective);
    return { collective, rank: place.rank, size: place.size, launcher: place.launcher, localSize: place.localSize };
  } catch (e) {
    if (e instanceof EnvError || e instanceof TokenError) throw new UsageError(e.message);
    throw e;
  }
}

/** After a fault, ends the process unless the run reports it first (a rank busy computing notices late). */
function endSoon(e: RankError): void {
  setTimeout(() => process.exit(report(e)), FAULT_GRACE_MS).unref();
}

/** A rank of `downhill launch` stops the run when its launcher is gone (killed with SIGKILL, say). */
function watchParent(env: NodeJS.ProcessEnv, c: Collective): void {
  const parent = Number(env.DOWNHILL_LAUNCHER_PID);
  if (!parent) return;
  setInterval(() => {
    if (process.ppid !== parent) c.abort(`its launcher (process ${parent}) exited`);
  }, 1000).unref();
}

/** Runs fn with the ranks; an error on this rank stops the others with its message. */
export async function withRanks<T>(ranks: Ranks | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    ranks?.collective.abort(e instanceof Error ? e.message : String(e));
    throw e;
  }
}
