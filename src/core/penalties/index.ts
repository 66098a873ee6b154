// The penalty registry: every penalty unit, once (see losses/index.ts for how registries are used).
import { elasticnet } from './elasticnet';
import { l1 } from './l1';
import { l2 } from './l2';
import { none } from './none';
import type { PenaltyHp, PenaltyParams, PenaltyUnit } from './penalty';
import type { NumberOption } from '../options';

export { penaltyValue, softThreshold } from './penalty';
export type { PenaltyHp, PenaltyParams, PenaltyUnit } from './penalty';

/** Every penalty, by its CLI name. */
export const PENALTIES = { none, l2, l1, elasticnet } as const satisfies Record<string, PenaltyUnit>;

/** A penalty name. */
export type PenaltyKind = keyof typeof PENALTIES;

/** The penalty names in registry order. */
export const PENALTY_NAMES = Object.keys(PENALTIES) as PenaltyKind[];

/** The strength every penalty but none reads. */
export const ALPHA_OPTION: NumberOption<'alpha'> = {
  name: 'alpha', key: 'alpha', type: 'number', default: 1e-4, min: 0, metavar: 'λ', help: 'strength of the penalty',
};

/** Every penalty option: alpha, then those of single penalties. */
export const PENALTY_OPTIONS: readonly NumberOption<keyof PenaltyParams>[] = [ALPHA_OPTION, ...PENALTY_NAMES.flatMap((n) => PENALTIES[n].options)];

/** The penalty settings at their defaults. */
export const PENALTY_DEFAULTS: PenaltyParams = Object.fromEntries(PENALTY_OPTIONS.map((o) => [o.key, o.default])) as unknown as PenaltyParams;

/** The kernels' strength slots of a penalty under some settings. */
export function penaltyHp(kind: PenaltyKind, p: Partial<PenaltyParams> = {}): PenaltyHp {
  return PENALTIES[kind].hp({ ...PENALTY_DEFAULTS, ...p });
}
