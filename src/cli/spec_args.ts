// Training flags from the spec's option descriptors (core/spec.ts): the parseArgs table, the help lines and the
// parsed spec. A new hyperparameter declared in its unit appears here without an edit.
import { helpLine } from '../core/options';
import { parseTrainSpec, TRAIN_OPTIONS, type TrainSpec } from '../core/spec';
import { ENCODING_OPTIONS } from '../core/encoding_options';

/** parseArgs entries for every training option (booleans negate with --no-<name>). */
export const SPEC_FLAGS = Object.fromEntries(
  TRAIN_OPTIONS.map((o) => [o.name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
) as Record<string, { type: 'boolean' | 'string' }>;

/** parseArgs entries for the encoding options alone (convert takes them: the cache stores rows encoded). */
export const ENCODING_FLAGS = Object.fromEntries(ENCODING_OPTIONS.map((o) => [o.name, SPEC_FLAGS[o.name]]));

/** The help lines of the training options. */
export const SPEC_HELP = TRAIN_OPTIONS.map(helpLine).join('\n');

/** The training spec from parsed flag values (by CLI name); bad values throw an OptionError naming the flag. */
export function specFromFlags(values: Record<string, unknown>): TrainSpec {
  const record: Record<string, unknown> = {};
  for (const o of TRAIN_OPTIONS) if (values[o.name] !== undefined) record[o.name] = values[o.name];
  return parseTrainSpec(record);
}

/**
 * `--average [START]`: a bare `--average` turns averaging on; followed by a whole number it also sets the step it
 * starts from (`--average 500` = `--average --average-start 500`). Other arguments pass through.
 */
export function expandOptionalValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    if (argv[i] === '--average' && i + 1 < argv.length && /^\d+$/.test(argv[i + 1])) out.push(`--average-start=${argv[++i]}`);
  }
  return out;
}

/** Repeated `--name X` flags (e.g. `--cross a:b --cross c:d`) joined into one comma-separated value. */
export function joinRepeated(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  const at = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
    const name = m?.[1];
    if (!m || !name || !names.includes(name)) {
      out.push(argv[i]);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      out.push(argv[i - 1]);
      continue;
    }
    const prev = at.get(name);
    if (prev === undefined) {
      at.set(name, out.length);
      out.push(`--${name}=${value}`);
    } else out[prev] += `,${value}`;
  }
  return out;
}
