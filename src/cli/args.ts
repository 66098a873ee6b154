// Option parsing helpers: every bad value names its option and what was expected.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendKind } from '../backend';
import { quoteValue } from '../data/csv';
import { didYouMean } from '../core/options';
import { TRAIN_ALIASES } from '../core/spec';
import { parseBackend } from '../train/backends';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A usage error (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv for one command; unknown options are usage errors that suggest the nearest option. */
export function parse<const O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true, allowNegative: true });
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument ${quoteValue(r.positionals[positionals])}`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(parseArgsMessage(e as Error & { code?: string }, Object.keys(options)));
  }
}

/** Node's parseArgs errors in this CLI's words: "unknown option --learning-rate; did you mean --lr?", "--target needs a value". */
function parseArgsMessage(e: Error & { code?: string }, names: readonly string[]): string {
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(e.message);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const name = unknown[2].replace(/=.*$/, '');
    const hint = unknown[1] === '--' ? didYouMean(name.replace(/^no-/, ''), names, TRAIN_ALIASES, '--') : '';
    return `unknown option ${unknown[1]}${name}${hint}${hint ? '' : `; see downhill <command> --help`}`;
  }
  const missing = /^Option '(-{1,2}[^ ']+)(?: <value>)?' argument missing/.exec(e.message);
  if (missing) return `${missing[1]} needs a value`;
  const extra = /^Option '(-{1,2}[^']+)' does not take an argument/.exec(e.message);
  if (extra) return `${extra[1]} is a switch and takes no value`;
  return e.message;
}

/** Reads a numeric option: integer (exact: at most 2^53) and range checks; `full`/`all` maps to Infinity where allowed. */
export function num(
  name: string, value: unknown, fallback: number,
  o: { integer?: boolean; min?: number; max?: number; positive?: boolean; allowFull?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const s = String(value).trim();
  if (o.allowFull && (s === 'full' || s === 'all')) return Infinity;
  const v = Number(s.replace(/_/g, ''));
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}`
    : `${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}`;
  const want = `${o.integer ? 'an integer' : 'a number'}${range}${o.positive ? ' > 0' : ''}${o.allowFull ? ' or "full"' : ''}`;
  const bad = s === '' || !Number.isFinite(v) || (o.integer && !Number.isSafeInteger(v)) ||
    (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) || (o.positive && !(v > 0));
  if (bad) throw new UsageError(`--${name} expects ${want}, got ${quoteValue(s)}`);
  return v;
}

/** A byte count for messages: 1.5 GB, 68 PB (powers of 1000). */
export function bytesText(n: number): string {
  if (!Number.isFinite(n)) return 'unknown';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : Number(n.toPrecision(3))} ${units[i]}`;
}

/** Reads a byte size such as 512M, 4G or 1500000 (K, M, G, T are powers of 1024). */
export function bytes(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const s = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s);
  if (!m) throw new UsageError(`--${name} expects a size such as 512M or 4G, got ${quoteValue(s)}`);
  const v = Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  if (!(v >= 1)) throw new UsageError(`--${name} expects a size such as 512M or 4G, got ${quoteValue(s)}`);
  return Math.floor(v);
}

/** The --backend value (default webgpu); an unknown name is a usage error (exit 2). */
export function backendFlag(value: unknown, fallback = 'webgpu'): BackendKind {
  try {
    return parseBackend(String(value ?? fallback));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
