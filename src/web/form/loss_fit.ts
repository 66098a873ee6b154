// Whether a loss can fit the data the page already knows, without the DOM: a loss of another task for a built-in
// dataset, a binary loss on three classes, a regression loss on a text target, all found before Start; and the
// loss a new file's target needs when the chosen one cannot fit it (the page switches to it, saying so); and the
// options that hashed text columns (a sparse block) cannot train with, refused before Start as the engine would.
import { LOSSES, type LossKind } from '../../core/losses';
import { OPTIMIZERS } from '../../core/optim';
import { TRAIN_OPTIONS, type TrainSpec } from '../../core/spec';
import { sparseModelBytes } from '../../train/plan';
import { denseOnlyOption } from '../../core/solver/options';
import { DATASETS, fieldLabel, type DataKind } from './settings';

/**
 * Why a loss cannot train a built-in dataset, or null: a regression dataset has real-valued targets that a
 * classification loss would take as thousands of classes. (Classification datasets carry class labels, so the
 * engine itself refuses a regression loss on them, and a binary loss on more than two classes.)
 */
export function lossMismatch(kind: DataKind, loss: LossKind): string | null {
  const task = kind === 'file' ? null : kind === 'flights' ? 'regression' : DATASETS[kind].task;
  if (task !== 'regression' || LOSSES[loss].task === 'regression') return null;
  return `the ${kind} dataset has a real-valued target: choose a regression loss, or a classification dataset for the ${loss} loss`;
}

/** What a target column holds, as far as the page knows: text or numbers, and its distinct values (null: many). */
export interface TargetKind {
  text: boolean;
  classes: number | null;
}

/** Distinct numbers above which a numeric target is taken for a regression target rather than classes. */
const MAX_NUMERIC_CLASSES = 20;

/**
 * The loss to switch to when a new file's target cannot be fitted by the chosen one, else null: a text target needs a
 * classification loss (a binary one for two classes, softmax for more); numbers with many values need a regression
 * loss, and a binary loss cannot fit more than two classes.
 */
export function fittingLoss(loss: LossKind, target: TargetKind): LossKind | null {
  const task = LOSSES[loss].task;
  const k = target.classes;
  if (target.text) {
    if (k !== null && k <= 2) return task === 'regression' ? 'logistic' : null;
    return task === 'multiclass' ? null : 'softmax';
  }
  if (k !== null && k <= 2) return null;
  if (task === 'binary') return 'squared';
  return task === 'multiclass' && (k === null || k > MAX_NUMERIC_CLASSES) ? 'squared' : null;
}

/**
 * Why Start cannot train this loss on data whose classes (or target) the page already knows, or null: a binary loss on
 * more than two classes, a regression loss on a text target.
 */
export function startProblem(loss: LossKind, o: { classes?: readonly string[] | null; target?: TargetKind | null }): string | null {
  const unit = LOSSES[loss];
  const k = o.classes?.length ?? (o.target?.text ? o.target.classes : null);
  if (unit.task === 'binary' && k !== null && k !== undefined && k > 2) {
    return `the ${unit.title} loss separates two classes, and the target has ${k}: choose a multiclass loss (softmax)`;
  }
  if (unit.task === 'regression' && o.target?.text) return `the target holds text (${o.target.classes ?? 'many'} classes): choose a classification loss`;
  return null;
}

/** Hashed text columns as a run would train them: their names, the hash bits, the model's outputs, and the bytes the page gives a model. */
export interface Hashing {
  columns: readonly string[];
  bits: number;
  outputs: number;
  budget: number;
}

const mib = (b: number) => `${Math.round(b / 2 ** 20).toLocaleString('en-US')} MiB`;

/**
 * Why Start cannot train with hashed text columns under a spec, or null: they make a sparse block, which trains by
 * gradient descent or L-BFGS only (the exact and Newton solvers, the preconditioner and the gap need dense columns),
 * and whose 2^b buckets (with the optimizer's state) must fit the memory the page gives a model.
 */
export function hashingProblem(spec: Pick<TrainSpec, 'solver' | 'precondition' | 'gap' | 'optimizer'>, h: Hashing): string | null {
  if (h.columns.length === 0) return null;
  const option = denseOnlyOption(spec);
  const one = h.columns.length === 1;
  const columns = `${one ? 'a hashed text column' : 'hashed text columns'} (${h.columns.join(', ')}) ${one ? 'trains' : 'train'}`;
  if (option === 'solver') return `the ${spec.solver} solver needs dense columns, and ${columns} by gradient descent or L-BFGS only: choose the gd or lbfgs solver, or one-hot`;
  if (option) return `“${fieldLabel(TRAIN_OPTIONS.find((o) => o.name === option)!)}” needs dense columns, and ${columns} without it: turn it off, or choose one-hot`;
  const bytes = (bits: number) => sparseModelBytes(2 ** bits, h.outputs, OPTIMIZERS[spec.optimizer].slots);
  if (bytes(h.bits) <= h.budget) return null;
  let fits = h.bits;
  while (fits > 1 && bytes(fits) > h.budget) fits--;
  return `2^${h.bits} hash buckets keep about ${mib(bytes(h.bits))} in memory (weights and optimizer state${h.outputs > 1 ? ` for ${h.outputs} outputs` : ''}), ` +
    `more than the page gives a model (${mib(h.budget)}): use ${fits} hash bits or fewer`;
}
