// The one training spec: every training setting declared once as an option descriptor (the registries' loss and
// penalty hyperparameters included), parsed from a flat record of options. The CLI's flags and help, the page's
// fields, the model file's `training` record and validation all come from TRAIN_OPTIONS.
import { LOSS_NAMES, LOSS_OPTIONS, LOSSES, type LossKind, type LossParams } from './losses';
import { modelSpec, type ModelSpec, type Standardization } from './model';
import { OptionError, parseOptionValue, type OptionDescriptor } from './options';
import { SCHEDULE_OPTIONS, SCHEDULES, type ScheduleParams } from './lr_schedule';
import { OPTIM_OPTIONS, OPTIMIZER_NAMES, type OptimizerKind, type OptimParams } from './optim';
import { PENALTY_NAMES, PENALTY_OPTIONS, type PenaltyKind, type PenaltyParams } from './penalties';
import { checkSolver, PATH_OPTIONS, SOLVER_OPTIONS, type SolverParams } from './solver/options';
import { ENCODING_OPTIONS, type EncodingParams } from './encoding_options';

/** Every training setting, typed. */
export interface TrainSpec extends LossParams, PenaltyParams, OptimParams, ScheduleParams, SolverParams, EncodingParams {
  loss: LossKind;
  penalty: PenaltyKind;
  optimizer: OptimizerKind;
  /** Clip the mean loss gradient to this norm (0: no clipping). */
  clipNorm: number;
  /** Report the Polyak–Ruppert average of the weights from step `averageStart`. */
  average: boolean;
  /** 1-based step where averaging starts (0: the first step of epoch 2). */
  averageStart: number;
  /** Stop when the validation loss has not improved for `patience` epochs; keep the best weights. */
  earlyStopping: boolean;
  epochs: number;
  /** Rows per step; Infinity means full-batch gradient descent. */
  batch: number;
  lr: number;
  seed: number;
  shuffle: boolean;
  fitBias: boolean;
  standardize: boolean;
  /** Fraction of rows held out by a seeded hash of the row index. */
  validation: number;
  /** Classification: 'balanced' weights each row by n / (K · n_class), times its sample weight (if any). */
  classWeight: 'none' | 'balanced';
  /** Read the gradient back every step and update in TypeScript (the literal loop, for teaching). */
  hostUpdate: boolean;
}

/** A training option: a descriptor, and when it applies (others are rejected when given, hidden on the page). */
export type TrainOption = OptionDescriptor<keyof TrainSpec> & {
  /** Whether it applies to a spec: its solvers (below) and its own condition. */
  appliesTo?: (s: TrainSpec) => boolean;
  /** The solvers that read it (absent: every solver). */
  solvers?: readonly TrainSpec['solver'][];
  /** Where the page shows it. */
  group: 'model' | 'training';
  /** Why it does not apply, when its own condition says so (the message's second half). */
  why?: string;
};

/** Options only gradient descent reads: the update rule, its steps and schedule. */
const GD: readonly TrainSpec['solver'][] = ['gd'];

/** Folds an option's solvers into its appliesTo, so one predicate (read by the CLI, the library and the page) says whether it applies. */
function withSolvers(o: TrainOption): TrainOption {
  if (!o.solvers) return o;
  const own = o.appliesTo;
  const solvers = o.solvers;
  return { ...o, appliesTo: (s) => solvers.includes(s.solver) && (!own || own(s)) };
}

/** Which schedule options apply to which schedules (patience and tol also to early stopping). */
const SCHEDULE_APPLIES: Record<(typeof SCHEDULE_OPTIONS)[number]['key'], (s: TrainSpec) => boolean> = {
  warmup: () => true,
  decay: (s) => ['step', 'exponential', 'plateau'].includes(s.lrSchedule),
  stepEvery: (s) => ['step', 'exponential'].includes(s.lrSchedule),
  power: (s) => s.lrSchedule === 'invscaling',
  patience: (s) => s.lrSchedule === 'plateau' || s.earlyStopping,
  tol: (s) => s.lrSchedule === 'plateau' || s.earlyStopping,
};

/** Every training option, in the order help and the page list them. */
export const TRAIN_OPTIONS: readonly TrainOption[] = ([
  { name: 'loss', key: 'loss', type: 'choice', choices: LOSS_NAMES, default: 'squared', group: 'model', help: 'the loss (see README: Losses)' },
  ...LOSS_OPTIONS.map(({ loss, ...o }): TrainOption => ({ ...o, group: 'model', appliesTo: (s) => s.loss === loss })),
  { name: 'penalty', key: 'penalty', type: 'choice', choices: PENALTY_NAMES, default: 'none', group: 'model', help: 'regularization of the weights (never the bias)' },
  ...PENALTY_OPTIONS.map((o): TrainOption => ({
    ...o, group: 'model', appliesTo: o.key === 'alpha' ? (s) => s.penalty !== 'none' : (s) => s.penalty === 'elasticnet',
  })),
  { name: 'optimizer', key: 'optimizer', type: 'choice', choices: OPTIMIZER_NAMES, default: 'sgd', group: 'training', solvers: GD, help: 'the update rule (see README: Optimizers)' },
  ...OPTIM_OPTIONS.map(({ owners, ...o }): TrainOption => ({ ...o, group: 'training', solvers: GD, appliesTo: (s) => owners.includes(s.optimizer) })),
  { name: 'clip-norm', key: 'clipNorm', type: 'number', default: 0, min: 0, metavar: 'c', label: 'Clip gradient norm (0 = off)', group: 'training', solvers: GD, help: 'clip the mean gradient to norm ≤ c (0: off)' },
  { name: 'lr-schedule', key: 'lrSchedule', type: 'choice', choices: SCHEDULES, default: 'constant', label: 'Learning-rate schedule', group: 'training', solvers: GD, help: 'how the learning rate changes with the step' },
  ...SCHEDULE_OPTIONS.map((o): TrainOption => ({ ...o, group: 'training', solvers: GD, appliesTo: SCHEDULE_APPLIES[o.key] })),
  { name: 'average', key: 'average', type: 'boolean', default: false, label: 'Average the weights (Polyak–Ruppert)', group: 'training', solvers: GD, help: 'report and save the running average of the weights (Polyak–Ruppert)' },
  {
    name: 'average-start', key: 'averageStart', type: 'integer', default: 0, min: 0, metavar: 'STEP', label: 'Average from step (0 = epoch 2)', group: 'training', solvers: GD,
    help: 'average from this 1-based step (0: the first step of epoch 2)', appliesTo: (s) => s.average,
  },
  {
    name: 'early-stopping', key: 'earlyStopping', type: 'boolean', default: false, label: 'Early stopping (needs a validation share)', group: 'training', solvers: GD,
    help: 'stop when the --validation loss stops improving (--patience, --tol); keep the best weights',
  },
  { name: 'epochs', key: 'epochs', type: 'integer', default: 10, min: 0, max: 1e7, group: 'training', solvers: GD, help: 'passes over the data' },
  {
    name: 'batch', key: 'batch', type: 'integer', default: 256, min: 1, infinity: 'full', metavar: 'B|full', group: 'training', solvers: GD,
    help: 'rows per step (full = full-batch gradient descent)',
  },
  { name: 'lr', key: 'lr', type: 'number', default: 0.01, min: 0, exclusive: { min: true }, metavar: 'α', label: 'Learning rate', group: 'training', solvers: GD, help: 'learning rate' },
  { name: 'seed', key: 'seed', type: 'integer', default: 0, min: 0, max: 2 ** 32 - 1, metavar: 'S', group: 'training', help: 'seed for the shuffle and the holdout' },
  { name: 'shuffle', key: 'shuffle', type: 'boolean', default: true, group: 'training', solvers: GD, help: 'visit rows in file order instead of a seeded shuffle' },
  {
    name: 'class-weight', key: 'classWeight', type: 'choice', choices: ['none', 'balanced'], default: 'none', group: 'model', label: 'Class weights',
    appliesTo: (s) => LOSSES[s.loss].task !== 'regression',
    why: `class weights are for the classification losses (${LOSS_NAMES.filter((n) => LOSSES[n].task !== 'regression').join(', ')}); a regression loss has no classes`,
    help: 'balanced: weight each row by n / (K · rows of its class), as scikit-learn (times --weight)',
  },
  { name: 'bias', key: 'fitBias', type: 'boolean', default: true, label: 'Fit an intercept (bias)', group: 'model', help: 'fit no intercept' },
  {
    name: 'standardize', key: 'standardize', type: 'boolean', default: false, label: 'Standardize features', group: 'training',
    help: 'train on standardized features (scaled only, without --bias); weights are reported in original units',
  },
  {
    name: 'validation', key: 'validation', type: 'number', default: 0, min: 0, max: 1, exclusive: { max: true }, metavar: 'F', group: 'training',
    label: 'Validation share (held out)',
    help: 'hold out a fraction F of rows (seeded hash of the row index) and report their metrics',
  },
  ...SOLVER_OPTIONS,
  ...PATH_OPTIONS,
  ...ENCODING_OPTIONS,
  { name: 'host-update', key: 'hostUpdate', type: 'boolean', default: false, group: 'training', solvers: GD, help: 'read the gradient back each step and update in TypeScript' },
] as TrainOption[]).map(withSolvers);

/** Names people type for training options (normalized: lower case, no dashes), and the option each means. */
export const TRAIN_ALIASES: Readonly<Record<string, string>> = {
  learningrate: 'lr', rate: 'lr', stepsize: 'lr', eta: 'lr', iterations: 'epochs', iters: 'epochs', maxiter: 'epochs', epoch: 'epochs',
  batchsize: 'batch', minibatch: 'batch', regularization: 'penalty', reg: 'penalty', lambda: 'alpha', l2: 'alpha',
  intercept: 'bias', fitintercept: 'bias', normalize: 'standardize', scale: 'standardize', holdout: 'validation',
  randomstate: 'seed', earlystop: 'early-stopping', patienceepochs: 'patience', clip: 'clip-norm', schedule: 'lr-schedule',
};

/** What each solver does instead of gradient descent's steps (messages for options it does not read). */
const SOLVER_READS: Record<TrainSpec['solver'], string> = {
  gd: 'takes gradient steps',
  exact: 'solves least squares in one streamed pass, without epochs, steps or an optimizer',
  newton: 'takes Newton steps from passes over all rows, without epochs, a batch, a learning rate or an optimizer',
  lbfgs: 'takes quasi-Newton steps from passes over all rows, without epochs, a batch, a learning rate or an optimizer',
  dcd: 'solves the dual by coordinate descent over rows in memory, without epochs, a batch, a learning rate or an optimizer',
  smoothing: 'solves by Newton steps on smoothings of the loss over rows in memory, without epochs, a batch, a learning rate or an optimizer',
};

/** Whether an option applies to a spec. */
export function applies(o: TrainOption, s: TrainSpec): boolean {
  return !o.appliesTo || o.appliesTo(s);
}

/** The settings of a spec that apply (typed values; specRecord's JSON-ready twin), to pass on where only those are wanted. */
export function applyingSettings(s: TrainSpec): Partial<TrainSpec> {
  return Object.fromEntries(TRAIN_OPTIONS.filter((o) => applies(o, s)).map((o) => [o.key, s[o.key]])) as Partial<TrainSpec>;
}

/** The message for an option given where it does not apply. */
export function notApplying(o: TrainOption, s: TrainSpec): OptionError {
  return new OptionError(o.name, `--${o.name} does not apply here: ${describeApplies(o, s)}`);
}

/** The option descriptor of a spec key. */
export function trainOption(key: keyof TrainSpec): TrainOption {
  return TRAIN_OPTIONS.find((o) => o.key === key)!;
}

/**
 * Parses a flat record of options (by spec key or CLI name; strings, numbers or booleans) into a spec, defaults
 * filled in. Bad values throw an OptionError naming the option; so do options that do not apply to the chosen loss or
 * penalty, unless `strict` is false (a spec passed on whole, every field present).
 */
export function parseTrainSpec(record: Partial<Record<string, unknown>> = {}, o: { strict?: boolean } = {}): TrainSpec {
  const known = new Set(TRAIN_OPTIONS.flatMap((o) => [o.key, o.name]));
  for (const k of Object.keys(record)) {
    if (record[k] !== undefined && !known.has(k)) throw new OptionError(k, `unknown training option "${k}"`);
  }
  const given = new Set<TrainOption>();
  const spec = {} as Record<string, unknown>;
  for (const o of TRAIN_OPTIONS) {
    const raw = record[o.key] ?? record[o.name];
    if (raw !== undefined && raw !== null) given.add(o);
    spec[o.key] = raw === undefined || raw === null ? o.default : parseOptionValue(o, raw);
  }
  const s = spec as unknown as TrainSpec;
  if (s.earlyStopping && !(s.validation > 0)) {
    throw new OptionError('early-stopping', '--early-stopping watches the held-out rows: give --validation F (a fraction, e.g. 0.1)');
  }
  checkSolver(s);
  for (const opt of given) if (o.strict !== false && !applies(opt, s)) throw notApplying(opt, s);
  return s;
}

/** Why an option does not apply to a spec (the second half of the message). */
function describeApplies(o: TrainOption, s: TrainSpec): string {
  if (o.solvers && !o.solvers.includes(s.solver)) {
    return `it is for --solver ${o.solvers.join(' or ')}${o.solvers.length === 1 && o.solvers[0] === 'gd' ? ' (gradient descent)' : ''}; --solver ${s.solver} ${SOLVER_READS[s.solver]}`;
  }
  if (o.why) return o.why;
  const owner = LOSS_NAMES.find((n) => LOSSES[n].options.some((x) => x.key === o.key));
  if (owner) return `it is a hyperparameter of --loss ${owner}`;
  const optimizers = OPTIM_OPTIONS.find((x) => x.key === o.key)?.owners;
  if (optimizers) return `it is a hyperparameter of --optimizer ${optimizers.join(', ')}`;
  const why: Record<string, string> = {
    alpha: 'it sets the strength of --penalty l2, l1 or elasticnet',
    l1Ratio: 'it is the L1 share of --penalty elasticnet',
    decay: 'it is the factor of --lr-schedule step, exponential or plateau',
    stepEvery: 'it is the period of --lr-schedule step or exponential',
    power: 'it is the exponent of --lr-schedule invscaling',
    patience: 'it is for --lr-schedule plateau or --early-stopping',
    tol: 'it is for --lr-schedule plateau or --early-stopping',
    averageStart: 'it is where --average starts',
  };
  return why[o.key] ?? 'its setting is not in use';
}

/** The settings that shaped a model (those that apply), for the model file and reports. */
export function specRecord(s: TrainSpec): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const o of TRAIN_OPTIONS) {
    if (!applies(o, s)) continue;
    const v = s[o.key];
    out[o.key] = typeof v === 'number' && !Number.isFinite(v) ? 'full' : v;
  }
  return out;
}

/** The model a spec trains on d features with k outputs (classes for a multiclass loss); meanWeight: see ModelSpec. */
export function modelSpecOf(s: TrainSpec, d: number, outputs: number, standardize?: Standardization, meanWeight?: number, sparse?: ModelSpec['sparse']): ModelSpec {
  return modelSpec({
    d, outputs, fitBias: s.fitBias, loss: s.loss, lossParams: s, penalty: s.penalty, penaltyParams: s,
    optimizer: s.optimizer, optimParams: s, clipNorm: s.clipNorm, standardize, meanWeight, sparse,
  });
}
