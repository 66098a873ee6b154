// The "Why the variants exist" view without the DOM: its fields as option descriptors (the learning rate is
// TRAIN_OPTIONS' own, the optimizers' hyperparameters come from the optimizer registry), reading them into the
// settings of the engine's quadratic examples (src/train/quadratic.ts) with every bad value an error beside its
// field, and the frame of the valley's picture: the box around the contour through the start and the paths, and
// the contour levels drawn.
import { OPTIM_OPTIONS, type OptimizerKind, type OptimParams } from '../../core/optim';
import { optionLabel, parseOptionValue, type NumberOption } from '../../core/options';
import { trainOption } from '../../core/spec';
import type { Point2 } from '../../train/quadratic';
import type { Box } from '../charts/chart_math';
import { checkField, type Parsed } from '../form/settings';

const LR = trainOption('lr') as NumberOption;
const steps = (name: string, value: number): NumberOption => ({
  name, key: 'steps', type: 'integer', default: value, min: 1, max: 500, label: 'Steps', help: 'steps each optimizer takes',
});
const coordinate = (name: string, key: string, value: number, help: string): NumberOption => ({
  name, key, type: 'number', default: value, min: -1000, max: 1000, label: `Start ${key}`, help,
});

/** The fields of J(w) = w² from w = 20: the learning rate and the steps. */
export const LINE_FIELDS: readonly NumberOption[] = [{ ...LR, name: 'line-lr', default: 0.1 }, steps('line-steps', 20)];

/** The fields of the narrow valley: the start, the learning rate, the condition number and the steps. */
export const VALLEY_FIELDS: readonly NumberOption[] = [
  coordinate('valley-w1', 'w1', -8, 'w1 before the first step (along the valley)'),
  coordinate('valley-w2', 'w2', 2, 'w2 before the first step (across the valley)'),
  { ...LR, name: 'valley-lr', default: 0.05 },
  {
    name: 'valley-kappa', key: 'kappa', type: 'number', default: 25, min: 1, max: 10_000, metavar: 'κ', label: 'Condition number',
    help: 'b/a: how much more steeply J rises across the valley (w2) than along it (w1)',
  },
  steps('valley-steps', 60),
];

/** The optimizers' hyperparameters (momentum, β1, β2, ρ, ε, weight decay) from the registry, with their owners. */
export const HYPER_FIELDS: readonly (NumberOption & { owners: OptimizerKind[] })[] = OPTIM_OPTIONS.map((o) => ({
  ...o, name: `why-${o.name}`, label: optionLabel(o), // the label of the registry's name, not of the page's id
}));

/** The fields' values as typed, by field name. */
export type FieldValues = Readonly<Record<string, string | undefined>>;

/** Reads fields into numbers by descriptor key, or one message per bad field (by field name). */
export function parseFields(fields: readonly NumberOption[], values: FieldValues): Parsed<Record<string, number>> {
  const errors: Record<string, string> = {};
  const out: Record<string, number> = {};
  for (const o of fields) {
    const raw = values[o.name] ?? String(o.default);
    const message = checkField(o, raw);
    if (message) errors[o.name] = message;
    else out[o.key] = parseOptionValue(o, raw) as number;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: out };
}

/** The optimizers' settings the hyperparameter fields hold (every field valid). */
export function hyperSpec(values: Record<string, number>): Partial<OptimParams> {
  return Object.fromEntries(HYPER_FIELDS.map((o) => [o.key, values[o.key]]));
}

/** What the valley's picture shows: the range of w1 and w2, the contour levels, and the level through the start. */
export interface ValleyFrame {
  box: Box;
  levels: number[];
  startLevel: number;
}

/**
 * The valley's frame: the box around the contour through the start, grown (up to 1.5× each way) to hold the
 * paths, so that an overshoot stays in view while a diverging path leaves it, with 8% to spare; contour levels at
 * powers of two times J(start), which space the ellipses by √2 in size.
 */
export function valleyFrame(curvature: readonly [number, number], start: Point2, paths: readonly (readonly Point2[])[]): ValleyFrame {
  const [a, b] = curvature;
  const j0 = (a * start[0] ** 2 + b * start[1] ** 2) / 2;
  const startLevel = j0 > 0 ? j0 : Math.min(a, b) / 2;
  const r = [Math.sqrt((2 * startLevel) / a), Math.sqrt((2 * startLevel) / b)];
  const lo = [-r[0], -r[1]];
  const hi = [r[0], r[1]];
  for (const p of paths) {
    for (const w of p) {
      for (const i of [0, 1]) {
        if (!Number.isFinite(w[i]) || Math.abs(w[i]) > 1.5 * r[i]) continue;
        lo[i] = Math.min(lo[i], w[i]);
        hi[i] = Math.max(hi[i], w[i]);
      }
    }
  }
  const pad = (i: number): [number, number] => [lo[i] - 0.08 * (hi[i] - lo[i]), hi[i] + 0.08 * (hi[i] - lo[i])];
  const levels = Array.from({ length: 22 }, (_, k) => startLevel * 2 ** (k - 14));
  return { box: { x: pad(0), y: pad(1) }, levels, startLevel };
}
