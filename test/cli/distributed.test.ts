// Distributed runs through the built CLI, each rank its own process over loopback TCP: `downhill launch -n 1, 2, 4`
// and Open MPI's `mpirun -n 4` give the same model (full-batch gradient descent within 1e-6, the exact solver and
// Newton within 1e-10, shuffled mini-batch SGD within 1e-5); a rank killed (SIGKILL) or stalled (SIGSTOP) mid-run
// stops every other rank within seconds, exit 3, naming it; resuming from rank 0's checkpoint on the same number of
// ranks reaches the uninterrupted model exactly (f64 reference); a misconfigured launch is a usage error.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, parseJson, runCli, runCliOk, spawnCli, type CliExit } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-dist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'd.npy');
runCliOk(['gen', '-o', data, '--rows', '6000', '--features', '6', '--seed', '2']);
const base = [data, '--backend', 'reference', '--chunk-rows', '500', '--json'];

/** The largest relative difference between two runs' parameters. */
function relDiff(a: { weights: number[]; bias: number }, b: { weights: number[]; bias: number }): number {
  const x = [...a.weights, a.bias];
  const y = [...b.weights, b.bias];
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]) / Math.max(1, Math.abs(y[i]))));
}

const launch = (n: number, args: string[]) => {
  const r = runCli(['launch', '-n', String(n), '--', 'train', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return parseJson(r.stdout);
};

/** One rank's model for the arguments, run once for both the launch and the mpirun cases. */
const single = new Map<string, any>();
const oneRank = (args: string[]) => {
  const key = JSON.stringify(args);
  if (!single.has(key)) single.set(key, launch(1, args));
  return single.get(key);
};

describe('1, 2 and 4 ranks give the same model', () => {
  const cases: [string, string[], number][] = [
    ['full-batch gradient descent', ['--epochs', '20', '--batch', 'full', '--lr', '0.3'], 1e-6],
    ['the exact solver', ['--solver', 'exact', '--penalty', 'l2', '--alpha', '0.01'], 1e-10],
    ['shuffled mini-batch SGD (global batch 128: one stripe)', ['--epochs', '2', '--batch', '128', '--lr', '0.02', '--optimizer', 'adam', '--seed', '5'], 1e-5],
    ['shuffled mini-batch SGD (global batch 1024: two stripes)', ['--epochs', '6', '--batch', '1024', '--lr', '0.1', '--optimizer', 'adam', '--seed', '5'], 1e-5],
    ['Newton (the ranks\' Hessians summed)', ['--solver', 'newton', '--loss', 'huber', '--penalty', 'l2', '--alpha', '0.01'], 1e-10],
  ];
  it.each(cases)('%s', (_what, args, tol) => {
    const one = oneRank([...base, ...args]);
    for (const n of [2, 4]) {
      const r = launch(n, [...base, ...args]);
      expect(r.training.ranks).toBe(n);
      expect(relDiff(r, one)).toBeLessThan(tol);
      expect(r.rows).toBe(6000);
    }
  });

  it.each(cases)('under Open MPI, mpirun -n 4 downhill train …: %s', (_what, args, tol) => {
    const mpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
    expect(mpirun.error, 'mpirun is missing: install Debian\'s openmpi-bin (scripts/system-deps.sh does)').toBeUndefined();
    const root = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];
    const r = spawnSync('mpirun', [...root, '--oversubscribe', '-n', '4', process.execPath, CLI, 'train', ...base, ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = parseJson(r.stdout);
    expect(m.training).toMatchObject({ ranks: 4, launcher: 'openmpi' });
    expect(m.rows).toBe(6000);
    expect(relDiff(m, oneRank([...base, ...args]))).toBeLessThan(tol);
  });
});

describe('sample weights and offsets on ranks', () => {
  it('launch -n 2 with --weight and --offset columns of a CSV (its parts): one process\'s model within 1e-6', () => {
    const csv = join(dir, 'weighted.csv');
    const rows = Array.from({ length: 1200 }, (_, i) => {
      const a = Math.sin(i), b = Math.cos(3 * i), w = i % 4, o = (i % 7) / 28;
      return `${a},${b},${w},${o},${(2 * a - b + o + 0.1 * Math.sin(7 * i)).toFixed(6)}`;
    });
    writeFileSync(csv, `a,b,w,o,y\n${rows.join('\n')}\n`);
    const args = [csv, '--target', 'y', '--weight', 'w', '--offset', 'o', '--backend', 'reference', '--chunk-rows', '100', '--epochs', '20', '--batch', 'full', '--lr', '0.3', '--json'];
    const one = parseJson(runCliOk(['train', ...args]).stdout);
    const two = launch(2, args);
    expect(two.training).toMatchObject({ ranks: 2, weight: 'w' });
    expect(two.weights).toHaveLength(2);
    expect(relDiff(two, one)).toBeLessThan(1e-6);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** `n` ranks started as a launcher would, with short heartbeats; their exits and stderr. */
async function ranks(n: number, args: string[]) {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const stderr = Array.from({ length: n }, () => '');
  const runs = Array.from({ length: n }, (_, rank) => {
    const r = spawnCli(['train', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        DOWNHILL_RANK: String(rank), DOWNHILL_WORLD_SIZE: String(n), DOWNHILL_MASTER_ADDR: '127.0.0.1', DOWNHILL_MASTER_PORT: String(port),
        DOWNHILL_TOKEN: token, DOWNHILL_HEARTBEAT: '0.2', DOWNHILL_PEER_TIMEOUT: '2',
      },
    });
    r.child.stderr!.on('data', (b: Buffer) => (stderr[rank] += b.toString()));
    return r;
  });
  return { children: runs.map((r) => r.child), exited: Promise.all(runs.map((r) => r.exited)), stderr };
}

/** Waits until `file` exists and has been rewritten once (a checkpoint written twice). */
async function rewritten(file: string): Promise<void> {
  let seen = 0;
  for (let i = 0; i < 2400; i++) {
    await new Promise((r) => setTimeout(r, 25));
    if (!existsSync(file)) continue;
    const m = statSync(file).mtimeMs;
    if (seen && m !== seen) return;
    seen = m;
  }
  throw new Error(`${file} was not written twice`);
}

describe('a rank that dies or stalls', () => {
  const sgd = [...base, '--epochs', '12', '--batch', '32', '--lr', '0.01', '--optimizer', 'adam', '--seed', '3'];
  let uninterrupted: { weights: number[]; bias: number } | null = null;

  it.each([['killed (SIGKILL)', 'SIGKILL', /rank 1 closed its connection/], ['stalled (SIGSTOP)', 'SIGSTOP', /rank 1 sent nothing for [23] s/]] as const)(
    '%s stops every other rank within seconds, exit 3, naming it; the checkpoint resumes to the uninterrupted model',
    async (_what, signal, message) => {
      const ck = join(dir, `${signal}.ckpt`);
      const run = await ranks(3, [...sgd, '--checkpoint', ck, '--checkpoint-every', '40steps']);
      await rewritten(ck);
      const t0 = Date.now();
      run.children[1].kill(signal);
      const survivors = await Promise.all([0, 2].map((r) => new Promise<CliExit>((resolve) => run.children[r].once('exit', (code, sig) => resolve({ code, signal: sig })))));
      const seconds = (Date.now() - t0) / 1000;
      if (signal === 'SIGSTOP') run.children[1].kill('SIGKILL');
      await run.exited;
      expect(survivors.map((e) => e.code), run.stderr.join('\n')).toEqual([3, 3]);
      expect(seconds).toBeLessThan(8);
      for (const r of [0, 2]) expect(run.stderr[r]).toMatch(new RegExp(`^downhill: rank ${r} of 3: stopped: ${message.source}`, 'm'));
      const whole = (uninterrupted ??= launch(3, sgd));
      const resumed = launch(3, [...sgd, '--checkpoint', ck, '--resume', ck]);
      expect(resumed.weights).toEqual(whole.weights);
      expect(resumed.bias).toEqual(whole.bias);
      const other = runCli(['launch', '-n', '2', '--', 'train', ...sgd, '--resume', ck]);
      expect(other.code).toBe(1);
      expect(other.stderr).toMatch(/field "ranks.size" is 3: resume on 3 ranks, not 2/);
    },
  );
});

describe('launch', () => {
  it('bench --allreduce on 3 ranks: every size up to --max-bytes, checked sums, tree then ring', () => {
    const r = runCli(['launch', '-n', '3', '--', 'bench', '--allreduce', '--runs', '2', '--max-bytes', '1M', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout) as unknown as { ranks: number; allreduce: { bytes: number; algorithm: string; calls: number; medianUs: number; cpuUs: number }[] };
    expect(out.ranks).toBe(3);
    expect(out.allreduce.map((x) => x.bytes)).toEqual([8, 64, 512, 4096, 32_768, 65_536, 262_144, 1_048_576]);
    expect(out.allreduce.map((x) => x.algorithm)).toEqual(['tree', 'tree', 'tree', 'tree', 'tree', 'tree', 'ring', 'ring']);
    for (const x of out.allreduce) expect(x.calls >= 2 && x.medianUs > 0 && x.cpuUs >= 0).toBe(true);
  });

  it('a missing file: every rank says so, the launch fails with its code', () => {
    const r = runCli(['launch', '-n', '2', '--', 'train', join(dir, 'missing.npy'), '--target', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rank [01] of 2: .*missing\.npy/);
  });

  it('usage: -n and the command are required; launch variables must make sense', () => {
    expect(runCli(['launch', '--', 'train', data]).code).toBe(2);
    expect(runCli(['launch', '-n', '2']).stderr).toMatch(/after "--"/);
    const bad = runCli(['train', data, '--json'], { env: { DOWNHILL_RANK: '2', DOWNHILL_WORLD_SIZE: '2' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rank 2 is not below the world size 2/);
    const noToken = runCli(['train', data, '--json'], { env: { DOWNHILL_RANK: '0', DOWNHILL_WORLD_SIZE: '2', DOWNHILL_MASTER_ADDR: '127.0.0.1', DOWNHILL_MASTER_PORT: '1' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/needs a shared token/);
    expect(runCli(['train', data, '--sync-every', '4', '--json']).stderr).toMatch(/--sync-every .*one process/);
  });
});
