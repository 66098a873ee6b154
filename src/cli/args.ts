// Option parsing helpers: every bad value names its option and what was expected.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A usage error (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv for one command; unknown options are usage errors. */
export function parse<const O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true, allowNegative: true });
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument "${r.positionals[positionals]}"`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

/** Reads a numeric option: integer and minimum checks; `full`/`all` maps to Infinity where allowed. */
export function num(
  name: string, value: unknown, fallback: number, o: { integer?: boolean; min?: number; positive?: boolean; allowFull?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const s = String(value).trim();
  if (o.allowFull && (s === 'full' || s === 'all')) return Infinity;
  const v = Number(s.replace(/_/g, ''));
  const want = `${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.positive ? ' > 0' : ''}${o.allowFull ? ' or "full"' : ''}`;
  if (s === '' || !Number.isFinite(v) || (o.integer && !Number.isInteger(v)) || (o.min !== undefined && v < o.min) || (o.positive && !(v > 0))) {
    throw new UsageError(`--${name} expects ${want}, got "${s}"`);
  }
  return v;
}

/** Reads a byte size such as 512M, 4G or 1500000 (K, M, G, T are powers of 1024). */
export function bytes(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const s = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s);
  if (!m) throw new UsageError(`--${name} expects a size such as 512M or 4G, got "${s}"`);
  const v = Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  if (!(v >= 1)) throw new UsageError(`--${name} expects a size such as 512M or 4G, got "${s}"`);
  return Math.floor(v);
}
