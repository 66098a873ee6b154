// The optimizer registry: every update rule, once (see losses/index.ts for how registries are used).
import type { NumberOption } from '../options';
import { adagrad } from './adagrad';
import { adam } from './adam';
import { adamw } from './adamw';
import { ftrl } from './ftrl';
import { momentum } from './momentum';
import { nesterov } from './nesterov';
import type { OptimHp, OptimizerUnit, OptimParams } from './optimizer';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';

export type { OptimHp, OptimizerUnit, OptimParams, StepContext } from './optimizer';

/** Every optimizer, by its CLI name. */
export const OPTIMIZERS = { sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, ftrl } as const satisfies Record<string, OptimizerUnit>;

/** An optimizer name. */
export type OptimizerKind = keyof typeof OPTIMIZERS;

/** The optimizer names in registry order. */
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerKind[];

/** Each optimizer hyperparameter once, with the optimizers that read it. */
export const OPTIM_OPTIONS: readonly (NumberOption<keyof OptimParams> & { owners: OptimizerKind[] })[] = (() => {
  const byKey = new Map<string, NumberOption<keyof OptimParams> & { owners: OptimizerKind[] }>();
  for (const n of OPTIMIZER_NAMES) {
    for (const o of OPTIMIZERS[n].options) {
      const have = byKey.get(o.key);
      if (have) have.owners.push(n);
      else byKey.set(o.key, { ...o, owners: [n] });
    }
  }
  return [...byKey.values()];
})();

/** The optimizer settings at their defaults. */
export const OPTIM_DEFAULTS: OptimParams = Object.fromEntries(OPTIM_OPTIONS.map((o) => [o.key, o.default])) as unknown as OptimParams;

/** The kernels' hyperparameter slots of an optimizer under some settings. */
export function optimHp(kind: OptimizerKind, p: Partial<OptimParams> = {}): OptimHp {
  return OPTIMIZERS[kind].hp({ ...OPTIM_DEFAULTS, ...p });
}
