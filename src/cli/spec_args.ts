// Training flags from the spec's option descriptors (core/spec.ts): the parseArgs table, the help lines and the
// parsed spec. A new hyperparameter declared in its unit appears here without an edit.
import { helpLine } from '../core/options';
import { parseTrainSpec, TRAIN_OPTIONS, type TrainSpec } from '../core/spec';

/** parseArgs entries for every training option (booleans negate with --no-<name>). */
export const SPEC_FLAGS = Object.fromEntries(
  TRAIN_OPTIONS.map((o) => [o.name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
) as Record<string, { type: 'boolean' | 'string' }>;

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
