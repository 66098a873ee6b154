// Fault loops on the built CLI, bounded in count: SIGKILL at random moments during `convert`, `gen` (both multi-file
// outputs: X.npy + X.y.npy + truth, and .dh + truth) and `train --save` never leaves a partial file or a set mixed
// from two runs — each destination is one run's complete file, or absent — and the next run removes the temp files
// the killed ones left; SIGINT and SIGTERM leave no temp file at all.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { runCliOk, spawnCli } from '../helpers/cli';

const root = mkdtempSync(join(tmpdir(), 'downhill-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const KILLS = 4;
const rng = new Rng(13);

/** Starts the CLI and sends `signal` after `ms` (or once a temp file exists, when `ms` is null); resolves on exit. */
function interrupted(cwd: string, args: string[], signal: NodeJS.Signals, ms: number | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const { child, exited } = spawnCli(args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  let timer: NodeJS.Timeout;
  const poll = () => {
    if (readdirSync(cwd).some((f) => f.endsWith('.tmp'))) child.kill(signal);
    else timer = setTimeout(poll, 5);
  };
  timer = setTimeout(ms === null ? poll : () => child.kill(signal), ms ?? 5);
  return exited.then(({ code, signal: sig }) => {
    clearTimeout(timer);
    return { code, signal: sig, stderr };
  });
}

const hash = (f: string) => (existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : null);
const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/**
 * One command's fault loop: outputs `names` (the main file first) of the run with `args(seed)`, reference copies for
 * seeds 1 and 2 made whole first; then runs alternating seeds killed at random moments, checking after each that the
 * main file is absent or that every file is the same seed's complete output.
 */
async function faultLoop(name: string, names: string[], args: (seed: number) => string[]) {
  const refs = new Map<number, (string | null)[]>();
  let full = 0;
  for (const seed of [1, 2]) {
    const dir = join(root, `${name}-ref${seed}`);
    mkdirSync(dir);
    full = Math.max(full, runCliOk(args(seed), { cwd: dir }).ms);
    refs.set(seed, names.map((n) => hash(join(dir, n))));
  }
  const dir = join(root, name);
  mkdirSync(dir);
  runCliOk(args(1), { cwd: dir });
  const outcomes: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    const seed = 2 - (k % 2);
    // Half the kills anywhere in the run, half near its end, where the files are put in place.
    const when = k % 2 === 0 ? rng.float() * 1.2 : 0.85 + 0.2 * rng.float();
    const r = await interrupted(dir, args(seed), 'SIGKILL', Math.floor(when * full));
    expect(r.signal === 'SIGKILL' || r.code === 0, r.stderr).toBe(true);
    const now = names.map((n) => hash(join(dir, n)));
    if (now[0] === null) {
      outcomes.push('absent');
      continue;
    }
    const match = [1, 2].find((s) => now.every((h, i) => h === refs.get(s)![i]));
    expect(match, `${name}: after kill ${k} the files are not one run's complete set: ${names.map((n, i) => `${n} ${now[i]?.slice(0, 8)}`).join(', ')}`).toBeDefined();
    outcomes.push(`seed ${match}`);
  }
  // Killed writers leave temp files; the next run in the directory removes them.
  runCliOk(args(1), { cwd: dir });
  expect(temps(dir)).toEqual([]);
  return outcomes;
}

describe('SIGKILL at random moments', () => {
  it('gen -o X.npy: X.npy, X.y.npy and the truth are one run\'s, or X.npy is absent', async () => {
    const o = await faultLoop('gen-npy', ['x.npy', 'x.y.npy', 'x.npy.truth.json'], (s) => ['gen', '-o', 'x.npy', '--rows', '100000', '--features', '4', '--seed', String(s)]);
    expect(o).toHaveLength(KILLS);
  });

  it('gen -o X.dh: the cache and its truth are one run\'s, or the cache is absent', async () => {
    await faultLoop('gen-dh', ['x.dh', 'x.dh.truth.json'], (s) => ['gen', '-o', 'x.dh', '--rows', '100000', '--features', '4', '--seed', String(s)]);
  });

  it('convert: the cache is one run\'s complete output', async () => {
    const inputs = join(root, 'inputs');
    mkdirSync(inputs);
    runCliOk(['gen', '-o', 'a1.csv', '--rows', '30000', '--features', '4', '--seed', '1'], { cwd: inputs });
    runCliOk(['gen', '-o', 'a2.csv', '--rows', '30000', '--features', '4', '--seed', '2'], { cwd: inputs });
    runCliOk(['gen', '-o', 'd.csv', '--rows', '5000', '--features', '4', '--seed', '1'], { cwd: inputs });
    await faultLoop('convert', ['c.dh'], (s) => ['convert', join(inputs, `a${s}.csv`), '-o', 'c.dh', '--target', 'y']);
  });

  it('train --save: the model file is one run\'s complete file', async () => {
    const data = join(root, 'inputs', 'd.csv');
    await faultLoop('train', ['m.json'], (s) => ['train', data, '--target', 'y', '--backend', 'reference', '--epochs', '2', '--seed', String(s), '--save', 'm.json']);
  });
});

describe('SIGINT and SIGTERM', () => {
  it.each([['SIGINT', 'gen'], ['SIGTERM', 'gen'], ['SIGINT', 'convert'], ['SIGTERM', 'convert']] as const)('%s during %s: ends by the signal, no temp file, the old output intact', async (signal, cmd) => {
    const dir = join(root, `signal-${signal}-${cmd}`);
    mkdirSync(dir);
    if (cmd === 'convert') runCliOk(['gen', '-o', 'in.csv', '--rows', '200000', '--features', '4', '--seed', '3'], { cwd: dir });
    const args = cmd === 'gen' ? ['gen', '-o', 'out.npy', '--rows', '3000000', '--features', '8'] : ['convert', 'in.csv', '-o', 'out.dh', '--target', 'y'];
    runCliOk(cmd === 'gen' ? ['gen', '-o', 'out.npy', '--rows', '10', '--features', '8'] : ['convert', 'in.csv', '-o', 'out.dh', '--target', 'y'], { cwd: dir });
    const before = readdirSync(dir).filter((f) => f.startsWith('out')).map((f) => [f, hash(join(dir, f))]);
    const r = await interrupted(dir, args, signal, null);
    expect(r.signal, r.stderr).toBe(signal);
    expect(temps(dir)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith('out')).map((f) => [f, hash(join(dir, f))])).toEqual(before);
  });
});
