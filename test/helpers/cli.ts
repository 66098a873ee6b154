// The one way tests run the built CLI (dist/cli.js, made by `npm run build`, which `npm test` runs first):
// synchronously for its exit code and output, with the `--json` object parsed, or spawned for tests that send it
// signals. A synchronous run goes to a command server (cli_server.mjs: the same bundle's command line in one process
// that runs the test file's commands one after another, ~0.3 CPU-s a command less than a process each) unless it asks
// for a process of its own (`process: true`: what it measures belongs to a process, such as its peak memory).
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

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
  /** A process of its own instead of the command server (default false; always for `launch`). */
  process?: boolean;
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

/** DOWNHILL_TEST_CLI=process: every command in a process of its own (to compare, or to rule the server out). */
const EVERY_COMMAND_A_PROCESS = process.env.DOWNHILL_TEST_CLI === 'process';

function built(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it first)`);
  return CLI;
}

/** Runs `downhill …args` to completion. */
export function runCli(args: readonly string[], o: CliOptions = {}): CliResult {
  const t0 = performance.now();
  // launch's ranks are processes writing to the launcher's own stdout and stderr: the launcher needs a process.
  if (!o.process && args[0] !== 'launch' && !EVERY_COMMAND_A_PROCESS) return { ...viaServer(args, o), ms: performance.now() - t0 };
  const r = spawnSync(process.execPath, [built(), ...args], {
    cwd: o.cwd, encoding: 'utf8', timeout: o.timeout ?? 120_000, maxBuffer: 64 << 20, env: { ...process.env, ...o.env },
  });
  if (r.error && !r.signal) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

const SERVER = join(__dirname, 'cli_server.mjs');
let client: { worker: Worker; flag: Int32Array; port: MessagePort } | undefined;

/** One command on the test file's command server, through the thread that keeps it (cli_client.mjs). */
function viaServer(args: readonly string[], o: CliOptions): CliExit & { stdout: string; stderr: string } {
  if (!client) {
    built();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(join(__dirname, 'cli_client.mjs'), { workerData: { flag, port: port2, server: SERVER }, transferList: [port2] });
    worker.unref();
    client = { worker, flag, port: port1 };
  }
  const timeout = o.timeout ?? 120_000;
  Atomics.store(client.flag, 0, 0);
  client.worker.postMessage({ args, cwd: o.cwd, env: o.env, timeout });
  Atomics.wait(client.flag, 0, 0);
  const r = receiveMessageOnPort(client.port)!.message as { code: number; stdout: string; stderr: string; crashed?: string; died?: CliExit };
  if (r.crashed) throw new Error(`the CLI command server failed running downhill ${args.join(' ')}: ${r.crashed}`);
  if (r.died) {
    const why = r.died.signal === 'SIGKILL' ? `killed after ${timeout} ms` : `exit ${r.died.code ?? r.died.signal}`;
    return { ...r.died, stdout: '', stderr: `the CLI command server died running downhill ${args.join(' ')} (${why})` };
  }
  return { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
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
