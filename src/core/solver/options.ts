// The solvers as a registry — what each fits (which losses and penalties) and why not otherwise — and their settings
// as option descriptors, spread into TRAIN_OPTIONS (core/spec.ts): --solver, its iteration limits and tolerance,
// L-BFGS's history, the regularization path and cross-validation, --precondition, --gap. The checks that involve other
// settings (loss, penalty) live here, so the CLI, the library and the page say the same.
import { LOSSES, type LossKind, type LossUnit } from '../losses';
import { OptionError, type OptionDescriptor } from '../options';

/** How a model is fitted. */
export type SolverKind = 'gd' | 'exact' | 'newton' | 'lbfgs' | 'dcd' | 'smoothing';

/** The solver's fields of a TrainSpec. */
export interface SolverParams {
  solver: SolverKind;
  /** Most iterations of an iterative solver (newton, lbfgs, dcd, smoothing). */
  maxIter: number;
  /** The relative gap (Newton's decrement, L-BFGS's decrease, the dual or duality gap) a solver stops at. */
  solverTol: number;
  /** L-BFGS: correction pairs kept. */
  history: number;
  /** Precondition gradient descent with the data's Gram matrix (one extra pass; steps read the gradient back). */
  precondition: boolean;
  /** Compute the exact optimum once and report the optimality gap after every epoch. */
  gap: boolean;
  /** Solve a path of this many penalties from α_max down (0: one fit at --alpha). */
  alphaPath: number;
  /** The path's last α over its first (α_max). */
  alphaMinRatio: number;
  /** k-fold cross-validation over the path (0: none). */
  cv: number;
  /** How cross-validation picks α: the least mean held-out loss, or the largest α within one standard error of it. */
  cvRule: 'min' | '1se';
}

/** What the solver's checks read of a spec (core/spec.ts's TrainSpec has these and more). */
export interface SolverView extends SolverParams {
  loss: string;
  penalty: string;
}

/** Whether a loss is smooth enough for Newton and quasi-Newton steps (it has d²L/dz², or is softmax). */
export const isSmooth = (u: LossUnit): boolean => u.task === 'multiclass' || 'd2z' in u;

/** A solver: what it is, and why it cannot fit a loss and penalty (null when it can). */
interface SolverUnit {
  title: string;
  /** Help text: what it fits and how. */
  fits: string;
  cannot(loss: LossKind, penalty: string): string | null;
}

const NONE_OR_L2 = (penalty: string) => (penalty === 'none' || penalty === 'l2' ? null : `--penalty ${penalty} is not smooth (use none or l2)`);

/** Every solver, by its --solver name. */
export const SOLVERS: Record<SolverKind, SolverUnit> = {
  gd: { title: 'gradient descent', fits: 'any loss and penalty, by steps of the chosen optimizer', cannot: () => null },
  exact: {
    title: 'exact least squares', fits: 'squared loss with --penalty none or l2, in one streamed pass (QR)',
    cannot: (loss, penalty) => (loss !== 'squared' ? `--loss ${loss} has no closed form (least squares only)` : NONE_OR_L2(penalty)),
  },
  newton: {
    title: 'Newton (IRLS; proximal with L1)', fits: 'smooth losses (squared, huber, poisson, tweedie, gamma, logistic, modified-huber, softmax) with any penalty: one pass per iteration for the gradient and Hessian (L1 and elastic net by coordinate descent on the quadratic model, as glmnet); needs a (K·(D+1))² matrix',
    cannot: (loss) => (!isSmooth(LOSSES[loss]) ? `--loss ${loss} has kinks in dL/dz (no Hessian)` : null),
  },
  lbfgs: {
    title: 'L-BFGS (OWL-QN with L1)', fits: 'smooth losses with any penalty (L1 and elastic net by OWL-QN): one pass per evaluation, memory linear in D',
    cannot: (loss) => (!isSmooth(LOSSES[loss]) ? `--loss ${loss} has kinks in dL/dz` : null),
  },
  dcd: {
    title: 'dual coordinate descent', fits: 'hinge and epsilon-insensitive with --penalty l2 (the linear SVM and SVR; data held in memory)',
    cannot: (loss, penalty) => (loss !== 'hinge' && loss !== 'epsilon-insensitive' ? `it solves the SVM and SVR duals (hinge, epsilon-insensitive), not --loss ${loss}`
      : penalty !== 'l2' ? `the dual needs --penalty l2 (got ${penalty})` : null),
  },
  smoothing: {
    title: 'smoothing continuation', fits: 'quantile regression with --penalty none or l2 (Newton on ever narrower smoothings of the pinball loss, then the exact vertex; data held in memory)',
    cannot: (loss, penalty) => (loss !== 'quantile' ? `it solves quantile regression, not --loss ${loss}` : NONE_OR_L2(penalty)),
  },
};

export const SOLVER_NAMES = Object.keys(SOLVERS) as SolverKind[];

/** The solvers sparse rows train with: gradient descent, and L-BFGS/OWL-QN (a pass is a sum of gradients, no D × D matrix). */
export const SPARSE_SOLVERS: readonly SolverKind[] = ['gd', 'lbfgs'];

/**
 * The option of a spec that needs dense columns (a solver that builds a D × D matrix or holds the rows densely, the
 * preconditioner, the gap), or null: what sparse rows refuse.
 */
export function denseOnlyOption(spec: Pick<SolverParams, 'solver' | 'precondition' | 'gap'>): 'solver' | 'precondition' | 'gap' | null {
  return !SPARSE_SOLVERS.includes(spec.solver) ? 'solver' : spec.precondition ? 'precondition' : spec.gap ? 'gap' : null;
}

/** The solvers that can fit a loss and penalty. */
export function solversFor(loss: LossKind, penalty: string): SolverKind[] {
  return SOLVER_NAMES.filter((s) => SOLVERS[s].cannot(loss, penalty) === null);
}

/** A solver option: a descriptor, when it applies, and `why`: the message when it is given where it does not. */
export type SolverOption = OptionDescriptor<keyof SolverParams> & {
  appliesTo?: (s: SolverView) => boolean; solvers?: readonly SolverKind[]; group: 'training'; why?: string;
};

/** Penalties with a closed-form least-squares solution (and a quadratic Hessian for the preconditioner). */
const QUADRATIC = (s: Pick<SolverView, 'penalty'>) => s.penalty === 'none' || s.penalty === 'l2';

/** The iterative solvers (those with iterations and a tolerance). */
export const ITERATIVE: readonly SolverKind[] = ['newton', 'lbfgs', 'dcd', 'smoothing'];

/** The solver's options. */
export const SOLVER_OPTIONS: readonly SolverOption[] = [
  {
    name: 'solver', key: 'solver', type: 'choice', choices: SOLVER_NAMES, default: 'gd', group: 'training',
    help: `how to fit: ${SOLVER_NAMES.map((n) => `${n} (${SOLVERS[n].fits})`).join('; ')}`,
  },
  {
    name: 'max-iter', key: 'maxIter', type: 'integer', default: 200, min: 1, max: 1e6, metavar: 'N', group: 'training', solvers: ITERATIVE,
    label: 'Most solver iterations', help: 'newton, lbfgs, dcd, smoothing: the most iterations (each one or a few passes over the data)',
  },
  {
    name: 'solver-tol', key: 'solverTol', type: 'number', default: 1e-10, min: 0, exclusive: { min: true }, max: 1, metavar: 'ε', group: 'training',
    solvers: ITERATIVE, label: 'Solver tolerance (relative gap)',
    help: 'newton, lbfgs, dcd, smoothing: stop when the estimated relative gap to the optimum (or the relative decrease) falls below ε',
  },
  {
    name: 'history', key: 'history', type: 'integer', default: 10, min: 1, max: 1000, metavar: 'm', group: 'training', solvers: ['lbfgs'],
    label: 'L-BFGS history', help: 'lbfgs: correction pairs kept',
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

/** Solvers that warm-start along a regularization path. */
export const PATH_SOLVERS: readonly SolverKind[] = ['newton', 'lbfgs'];

const ON_PATH = (s: SolverView) => s.alphaPath > 0;

/** The regularization path's and cross-validation's options. */
export const PATH_OPTIONS: readonly SolverOption[] = [
  {
    name: 'alpha-path', key: 'alphaPath', type: 'integer', default: 0, min: 0, max: 10000, metavar: 'n', group: 'training', label: 'Regularization path (steps)',
    appliesTo: (s) => PATH_SOLVERS.includes(s.solver) && s.penalty !== 'none',
    why: `a path needs --solver ${PATH_SOLVERS.join(' or ')} and a penalty (l1, elasticnet or l2)`,
    help: 'solve n penalties from α_max (the smallest α with every weight zero; for l2 as glmnet, as if --l1-ratio were 0.001) down to ' +
      'α_max·--alpha-min-ratio, geometrically, each warm-started from the last; reports α, nonzeros, objective and validation per step',
  },
  {
    name: 'alpha-min-ratio', key: 'alphaMinRatio', type: 'number', default: 1e-3, min: 0, max: 1, exclusive: { min: true, max: true }, metavar: 'r', group: 'training',
    label: 'Path: last α / α_max', appliesTo: ON_PATH, why: 'it sets where --alpha-path ends', help: 'the path\'s last α over α_max (glmnet\'s lambda.min.ratio)',
  },
  {
    name: 'cv', key: 'cv', type: 'integer', default: 0, min: 0, max: 1000, metavar: 'k', group: 'training', label: 'Cross-validation folds',
    appliesTo: ON_PATH, why: 'cross-validation picks α along a path: add --alpha-path n',
    help: 'k-fold cross-validation over the path (folds by a seeded hash of the row index, streamed): picks α by --cv-rule, then keeps the model fitted on all rows at that α',
  },
  {
    name: 'cv-rule', key: 'cvRule', type: 'choice', choices: ['min', '1se'], default: 'min', group: 'training', label: 'Cross-validation rule',
    appliesTo: (s) => s.cv > 0, why: 'it says how --cv picks α', help: 'min: the α with the least mean held-out loss; 1se: the largest α within one standard error of it',
  },
];

/** Throws an OptionError when the chosen solver cannot fit the loss and penalty, naming the solvers that can. */
export function checkSolver(s: SolverView): void {
  const loss = s.loss as LossKind;
  const why = SOLVERS[s.solver].cannot(loss, s.penalty);
  if (s.cv === 1) throw new OptionError('cv', '--cv needs at least 2 folds (or 0 for none)');
  if (why === null) return;
  throw new OptionError('solver', `--solver ${s.solver} cannot fit this: ${why}; for --loss ${loss} with --penalty ${s.penalty} use ` +
    `--solver ${solversFor(loss, s.penalty).join(', ')}`);
}
