// The exact solver's settings as option descriptors, spread into TRAIN_OPTIONS (core/spec.ts): --solver, --precondition,
// --gap. The checks that involve other settings (loss, penalty) live here too, so the CLI and the page say the same.
import { OptionError, type OptionDescriptor } from '../options';

/** The solver's fields of a TrainSpec. */
export interface SolverParams {
  /** gd: gradient descent (any loss); exact: least squares in one pass (squared loss, penalty none or l2). */
  solver: 'gd' | 'exact';
  /** Precondition gradient descent with the data's Gram matrix (one extra pass; steps read the gradient back). */
  precondition: boolean;
  /** Compute the exact optimum once and report the optimality gap after every epoch. */
  gap: boolean;
}

/** What the solver's checks read of a spec (core/spec.ts's TrainSpec has these and more). */
export interface SolverView extends SolverParams {
  loss: string;
  penalty: string;
}

/** A solver option: a descriptor, when it applies, and `why`: the message when it is given where it does not. */
export type SolverOption = OptionDescriptor<keyof SolverParams> & {
  appliesTo?: (s: SolverView) => boolean; solvers?: readonly SolverParams['solver'][]; group: 'training'; why?: string;
};

/** Penalties with a closed-form least-squares solution (and a quadratic Hessian for the preconditioner). */
const QUADRATIC = (s: Pick<SolverView, 'penalty'>) => s.penalty === 'none' || s.penalty === 'l2';

/** The solver's options. */
export const SOLVER_OPTIONS: readonly SolverOption[] = [
  {
    name: 'solver', key: 'solver', type: 'choice', choices: ['gd', 'exact'], default: 'gd', group: 'training',
    help: 'gd (gradient descent) or exact: least squares in one streamed pass (squared loss; --penalty none or l2)',
  },
  {
    name: 'precondition', key: 'precondition', type: 'boolean', default: false, group: 'training', label: 'Precondition (Gram / Newton)',
    appliesTo: (s) => s.solver === 'gd' && QUADRATIC(s), why: 'it preconditions gradient descent (--solver gd) with --penalty none or l2',
    help: 'precondition gradient descent with the data\'s Gram matrix (one extra pass); for squared loss --lr 1 is Newton',
  },
  {
    name: 'gap', key: 'gap', type: 'boolean', default: false, group: 'training', label: 'Report the optimality gap',
    appliesTo: (s) => s.solver === 'gd' && s.loss === 'squared' && QUADRATIC(s),
    why: 'the gap to the exact optimum needs gradient descent on the squared loss with --penalty none or l2',
    help: 'solve exactly once (one extra pass) and report (loss − loss*)/loss* after every epoch',
  },
];

/** Throws an OptionError when --solver exact is asked for a problem without a closed form. */
export function checkExact(s: SolverView): void {
  if (s.solver !== 'exact') return;
  if (s.loss !== 'squared') {
    throw new OptionError('solver', `--solver exact fits least squares (--loss squared); --loss ${s.loss} has no closed form: use --solver gd`);
  }
  if (!QUADRATIC(s)) {
    throw new OptionError('solver', `--solver exact takes --penalty none or l2 (ridge); --penalty ${s.penalty} has no closed form: use --solver gd`);
  }
}
