// The loss registry: every loss unit, once. The GPU shader table, the CPU backends, the CLI flags, the page's
// fields, the model file and the test matrix all take their losses from here.
import { epsilonInsensitive } from './epsilon_insensitive';
import { gamma } from './gamma';
import { hinge } from './hinge';
import { huber } from './huber';
import { logistic } from './logistic';
import type { LossHp, LossUnit } from './loss';
import { modifiedHuber } from './modified_huber';
import { poisson } from './poisson';
import { quantile } from './quantile';
import { softmax } from './softmax';
import { squared } from './squared';
import { tweedie } from './tweedie';

export type { LossHp, LossUnit, MultiLoss, ScalarLoss, Task } from './loss';

/** Every loss, by its CLI name. */
export const LOSSES = {
  squared, huber, 'epsilon-insensitive': epsilonInsensitive, quantile, poisson, tweedie, gamma,
  logistic, hinge, 'modified-huber': modifiedHuber,
  softmax,
} as const satisfies Record<string, LossUnit>;

/** A loss name. */
export type LossKind = keyof typeof LOSSES;

/** The option keys of a unit. */
type OptionKeys<U> = U extends { readonly options: readonly { key: infer K }[] } ? K & string : never;

/** The loss hyperparameters a spec carries, one per option key of the registered losses (each loss reads its own). */
export type LossParams = Record<OptionKeys<(typeof LOSSES)[LossKind]>, number>;

/** The loss names in registry order. */
export const LOSS_NAMES = Object.keys(LOSSES) as LossKind[];

/** Every loss hyperparameter's option descriptor (each owned by one loss). */
export const LOSS_OPTIONS = LOSS_NAMES.flatMap((n) => LOSSES[n].options.map((o) => ({ ...o, loss: n })));

/** The loss hyperparameters at their defaults. */
export const LOSS_DEFAULTS: LossParams = Object.fromEntries(LOSS_OPTIONS.map((o) => [o.key, o.default])) as unknown as LossParams;

/** Checks a loss name; older files' "mse" is the squared loss. */
export function lossKind(name: string): LossKind {
  const n = name === 'mse' ? 'squared' : name;
  if (!Object.hasOwn(LOSSES, n)) throw new Error(`unknown loss "${name}"; losses: ${LOSS_NAMES.join(', ')}`);
  return n as LossKind;
}

/** The unit of a loss name. */
export function lossUnit(name: string): LossUnit {
  return LOSSES[lossKind(name)];
}

/** The kernels' hyperparameter slots of a loss under some parameters. */
export function lossHp(kind: LossKind, p: Partial<LossParams> = {}): LossHp {
  return LOSSES[kind].hp({ ...LOSS_DEFAULTS, ...p });
}
