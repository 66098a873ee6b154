// How the CLI ends: exit codes (0 done, 1 bad input or a failed run, 2 bad usage, 3 stopped because another rank of a
// distributed run failed, 141 output pipe closed, 128 + n on signal n), one readable message per error — clipped to
// a readable length, naming the rank in a distributed run, without a stack trace unless DOWNHILL_DEBUG=1 — and temp
// files removed on every way out.
import { removeLiveTemps, removeTempsOnExit } from '../data/atomic';
import { OptionError } from '../core/options';
import { RankError } from '../dist/tcp';
import { UsageError } from './args';

/** Longest message printed, in characters; longer ones keep their start and end. */
const MAX_MESSAGE = 2000;

const debug = (): boolean => process.env.DOWNHILL_DEBUG === '1';

/** A message cut in the middle to at most `max` characters. */
export function clipMessage(text: string, max = MAX_MESSAGE): string {
  if (text.length <= max) return text;
  const keep = Math.floor((max - 40) / 2);
  return `${text.slice(0, keep)} … (${text.length - 2 * keep} characters cut) … ${text.slice(-keep)}`;
}

/** Errors that are bugs in downhill rather than bad input: the JavaScript engine's own error types. */
function isInternal(e: unknown): boolean {
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || !(e instanceof Error);
}

let rankLabel = '';

/** Names this process's rank in every message from now on ("rank 2 of 4"). */
export function setRankLabel(label: string): void {
  rankLabel = `${label}: `;
}

/** Prints an error as the CLI reports it and returns its exit code; `command` names the help a usage error points to. */
export function report(e: unknown, command?: string): number {
  const usage = e instanceof UsageError || e instanceof OptionError;
  const message = e instanceof Error ? e.message : String(e);
  const text = isInternal(e) && !usage
    ? `internal error: ${message} (a bug in downhill; DOWNHILL_DEBUG=1 shows where)`
    : message;
  writeErr(`downhill: ${rankLabel}${clipMessage(text)}\n`);
  if (usage) writeErr(`run "downhill ${command ? `${command} --help` : 'help'}" for usage\n`);
  if (debug() && e instanceof Error && e.stack) writeErr(`${e.stack}\n`);
  return usage ? 2 : e instanceof RankError ? 3 : 1;
}

function writeErr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // stderr is gone (a closed pipe): nothing left to tell.
  }
}

/**
 * Installs the process-wide handlers: temp files removed on exit and signals; a closed stdout (`| head`) ends the
 * process quietly with 141, as a pipe's writer killed by SIGPIPE would; an error nobody caught is reported like any
 * other instead of as a stack trace.
 */
export function installExitHandlers(): void {
  removeTempsOnExit();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    removeLiveTemps();
    if (e.code === 'EPIPE') process.exit(141);
    process.exit(report(e));
  });
  process.stderr.on('error', () => undefined);
  process.on('uncaughtException', (e) => {
    removeLiveTemps();
    process.exit(report(e));
  });
  process.on('unhandledRejection', (e) => {
    removeLiveTemps();
    process.exit(report(e));
  });
}
