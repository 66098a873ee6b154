// The one way tests run the built CLI (dist/cli.js, made by `npm run build`, which `npm test` runs first) as a child
// process: synchronously for its exit code and output, with the `--json` object parsed, or spawned for tests that
// send it signals.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI. */
export const CLI = join(__dirname, '../../dist/cli.js');

/** How to run the CLI. */
export interface CliOptions {
  /** Working directory (default: the test's). */
  cwd?: string;
  /** Variables added to the test's environment. */
  env?: Record<string, string>;
  /** Milliseconds before the child is killed (default 120 s). */
  timeout?: number;
}

/** How a run ended: its exit code, or the signal that ended it. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a finished run left: how it ended, its output, and its wall time. */
export interface CliResult extends CliExit {
  stdout: string;
  stderr: string;
  ms: number;
}

function built(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it first)`);
  return CLI;
}

/** Runs `downhill …args` to completion. */
export function runCli(args: readonly string[], o: CliOptions = {}): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [built(), ...args], {
    cwd: o.cwd, encoding: 'utf8', timeout: o.timeout ?? 120_000, maxBuffer: 64 << 20, env: { ...process.env, ...o.env },
  });
  if (r.error && !r.signal) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** `downhill …args` as a user types it, with the default options. */
export function downhill(...args: string[]): CliResult {
  return runCli(args);
}

/** Runs `downhill …args` for a test's setup: throws with its stderr unless it exits 0. */
export function runCliOk(args: readonly string[], o: CliOptions = {}): CliResult {
  const r = runCli(args, o);
  if (r.code !== 0) throw new Error(`downhill ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  return r;
}

/** The one JSON object a `--json` run prints on stdout (one line); throws, showing the output, otherwise. */
export function parseJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`--json printed ${lines.length} lines, not one object:\n${stdout.slice(0, 2000)}`);
  try {
    return JSON.parse(lines[0]);
  } catch (e) {
    throw new Error(`--json printed something that is not JSON (${(e as Error).message}):\n${stdout.slice(0, 2000)}`);
  }
}

/** Starts `downhill …args` without waiting, for tests that send it signals; `exited` resolves when it ends. */
export function spawnCli(args: readonly string[], o: { cwd?: string; stdio?: StdioOptions; env?: Record<string, string> } = {}): { child: ChildProcess; exited: Promise<CliExit> } {
  const child = spawn(process.execPath, [built(), ...args], { cwd: o.cwd, stdio: o.stdio ?? 'ignore', env: { ...process.env, ...o.env } });
  const exited = new Promise<CliExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}
