// Updates that cost O(the columns a step touches) for a model's sparse block, exactly equal to updating every column
// each step (apply.ts): a column a step does not touch has a zero loss gradient, so the step moves it only through the
// penalty (and an optimizer's state). Where that motion has a closed form the column is brought up to date when it is
// next touched (or read): "inert" rules leave it alone (no penalty; FTRL, whose penalty is in its closed form; AdaGrad
// without L2), "decay" rules shrink it — SGD's weight decay and soft-threshold per step, w ← soft(c_s·w, τ_s) with
// c_s = 1 − lr_s·l2, τ_s = lr_s·l1, compose over steps a+1…b into w ← P·soft(w, Σ τ_s·P_a/P_s) (the products P from
// the step table below; AdaGrad with L1 is the case c = 1). Other rules (momentum, Adam, RMSprop, L2 with adaptive
// rates) move untouched columns without a closed form: their sparse models update every column each step ("dense").
import type { ModelSpec } from '../model';
import { softThreshold } from '../penalties';
import { OPTIMIZERS } from './index';

/** How the columns a step does not touch move. */
export type LazyKind = 'inert' | 'decay' | 'dense';

/** The lazy kind of a model's update rule. */
export function lazyKind(spec: Pick<ModelSpec, 'optimizer' | 'penalty' | 'penaltyHp'>): LazyKind {
  const opt = OPTIMIZERS[spec.optimizer];
  if (opt.ownsPenalty) return 'inert';
  const [l2, l1] = spec.penaltyHp;
  if (spec.optimizer === 'sgd') return l2 === 0 && l1 === 0 ? 'inert' : 'decay';
  if (spec.optimizer === 'adagrad' && l2 === 0) return l1 === 0 ? 'inert' : 'decay';
  return 'dense';
}

/** Below this the products are renormalized (every column brought up to date, the table restarted). */
const SMALLEST = 1e-150;
/** Steps the table holds at most before it restarts. */
const LONGEST = 1 << 20;

/**
 * The decay of untouched columns since a base step (when every column was up to date): per step s the factor c_s and
 * the threshold τ_s, and their prefix P(s) = Π c, Q(s) = Σ τ_r/P(r) (in f64), so a column last updated at step a is
 * brought to step b in O(1).
 */
export class DecayTable {
  /** The step (1-based, global) at which every column was up to date. */
  base = 0;
  private p: Float64Array = new Float64Array(1024);
  private q: Float64Array = new Float64Array(1024);
  private len = 1;

  constructor(private readonly l2: number, private readonly l1: number, private readonly sgd: boolean) {
    this.p[0] = 1;
  }

  /** Restarts at `base` (every column up to date there). */
  reset(base: number): void {
    this.base = base;
    this.len = 1;
  }

  /** The last step the table knows (base when empty). */
  get last(): number {
    return this.base + this.len - 1;
  }

  /** Records step base + len with rate lr. */
  push(lr: number): void {
    if (this.len === this.p.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(2 * a.length);
        b.set(a);
        return b;
      };
      this.p = grow(this.p);
      this.q = grow(this.q);
    }
    const c = this.sgd ? 1 - lr * this.l2 : 1;
    const k = this.len++;
    this.p[k] = this.p[k - 1] * c;
    this.q[k] = this.q[k - 1] + (lr * this.l1) / this.p[k];
  }

  /** Steps recorded since base. */
  get steps(): number {
    return this.len - 1;
  }

  /** The prefix product P and sum Q at step base + k (k ≤ steps). */
  prefix(k: number): [number, number] {
    return [this.p[k], this.q[k]];
  }

  /** Whether the table should restart (its products near underflow, or long). */
  get full(): boolean {
    return this.len >= LONGEST || this.p[this.len - 1] < SMALLEST;
  }

  /** w after the untouched steps a+1…b (a, b ≥ base; b ≤ last). */
  catchUp(w: number, a: number, b: number): number {
    if (b <= a) return w;
    const ka = a - this.base;
    const kb = b - this.base;
    return (this.p[kb] / this.p[ka]) * softThreshold(w, (this.q[kb] - this.q[ka]) * this.p[ka]);
  }
}

/** The decay table of a model, or null when its rule is not 'decay'. */
export function decayTable(spec: ModelSpec): DecayTable | null {
  return lazyKind(spec) === 'decay' ? new DecayTable(spec.penaltyHp[0], spec.penaltyHp[1], spec.optimizer === 'sgd') : null;
}
