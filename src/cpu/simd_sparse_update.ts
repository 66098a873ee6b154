// The fast CPU backend's sparse block in its arena: per column one record (simd/sparse_update.ts) of its K f64 weights
// the row pass reads, its K step sums and a stamp (the step that last listed it: its last step), and — for the rules
// the kernels know (SGD, AdaGrad, FTRL under none, L2, L1 or elastic net: every rule whose untouched columns are inert
// or decay, core/optim/lazy.ts) — its optimizer slots, beside the decay table. A training step's sums (a scatter in
// job order) and its update of the touched columns then run in WebAssembly, about one cache miss per entry instead of
// the host's several; SGD without L1 or clipping, linear in the sums, skips them: one read-modify-write per entry
// after the pass (stepSgd). Other rules keep the host update (core/sparse_session.ts), fed the same scatter's sums.
// The host rule is the oracle (test/cpu/simd_sparse_update.test.ts).
import type { ModelSpec } from '../core/model';
import type { OptimizerKind } from '../core/optim';
import { DecayTable, lazyKind } from '../core/optim/lazy';
import type { PenaltyKind } from '../core/penalties';
import type { SparseAccumulator } from '../core/sparse_sums';
import type { Arena } from './simd_arena';
import type { CsrSlot } from './simd_sparse_store';

/** The kernels' rule numbers (simd/sparse_update.ts). */
const RULES: Partial<Record<OptimizerKind, number>> = { sgd: 0, adagrad: 1, ftrl: 2 };
/** The penalties the kernels apply (gradient l2·w; 1: then the soft-threshold by lr·l1). FTRL owns its penalty. */
const PROX: Partial<Record<PenaltyKind, number>> = { none: 0, l2: 0, l1: 1, elasticnet: 1 };
/** Steps the arena's decay table holds before every column is brought up to date and it restarts. */
const TABLE = 1 << 16;
/** Stamps of scatters for the host's update start here (training steps' numbers stay below). */
const HOST_STAMPS = 2 ** 31;

/** What decides a block's layout. */
type Rule = Pick<ModelSpec, 'optimizer' | 'penalty' | 'penaltyHp' | 'clipNorm'>;

/**
 * A block's layout: whether its rule is SGD without an L1 part or clipping (linear in the step's sums), whether
 * untouched columns decay, and the bytes of a column's record — the linear rule's holds just the K weights (and the
 * stamp, with decay), so that the row pass and the step read one eighth of a line per entry as scikit-learn's do.
 */
export function blockLayout(s: Rule, k: number, slotsPer: number): { linear: boolean; decay: boolean; stride: number } {
  const kernel = kernelRule(s);
  const linear = kernel && s.optimizer === 'sgd' && s.penaltyHp[1] === 0 && !(s.clipNorm > 0);
  const decay = kernel && lazyKind(s) === 'decay';
  return { linear, decay, stride: linear ? 8 * k + (decay ? 8 : 0) : 8 * k * (2 + (kernel ? slotsPer : 0)) + 8 };
}

/** Whether a model's update runs in the kernels (else on the host). */
export function kernelRule(spec: Pick<ModelSpec, 'optimizer' | 'penalty' | 'penaltyHp'>): boolean {
  return lazyKind(spec) !== 'dense' && RULES[spec.optimizer] !== undefined && (spec.optimizer === 'ftrl' || PROX[spec.penalty] !== undefined);
}

/** A model's sparse block in an arena (see the file header). */
export class SparseBlock {
  /** Byte offset of column 0's record, and bytes per record. */
  readonly blk: number;
  readonly stride: number;
  /** Whether the records hold the stamp (at stride − 8). */
  private readonly stamped: boolean;
  /** Records of the scatter's sums and stamps: the block's own, or (the linear rule's) apart, made at first use. */
  private sums = 0;
  private sstride = 0;
  /** The scatter's list of columns (room entries, and one spare) and how many it holds. */
  list = 0;
  private room = 0;
  private readonly p: number = 0;
  private readonly q: number = 0;
  n = 0;
  /** The current scatter's stamp: a training step's number t, or (sums for the host) one above 2^31. */
  stamp = 0;
  private hostStamp = HOST_STAMPS;
  private readonly table: DecayTable | null = null;
  /** Optimizer slots per weight in the records (0 unless the kernels update). */
  private readonly nslots: number = 0;
  readonly kernelRule: boolean;
  /** SGD without an L1 part or clipping: a step's update is linear in its sums, applied entry by entry (stepSgd). */
  readonly linear: boolean;

  constructor(private readonly arena: Arena, private readonly spec: ModelSpec, readonly width: number, readonly k: number, slotsPer: number) {
    this.kernelRule = kernelRule(spec);
    if (this.kernelRule) this.nslots = slotsPer;
    const { linear, decay, stride } = blockLayout(spec, k, slotsPer);
    [this.linear, this.stride, this.stamped] = [linear, stride, !linear || decay];
    this.blk = arena.alloc(width * this.stride);
    if (!linear) [this.sums, this.sstride] = [this.blk, this.stride];
    if (decay) {
      this.table = new DecayTable(spec.penaltyHp[0], spec.penaltyHp[1], spec.optimizer === 'sgd');
      this.p = arena.alloc(TABLE * 8);
      this.q = arena.alloc(TABLE * 8);
    }
  }


  /** The decay fields the kernels read (decay 0: none; q 0: no L1 part, the decay a product only). */
  get decay(): { decay: number; p: number; q: number; base: number } {
    return { decay: this.table ? 1 : 0, p: this.p, q: this.spec.penaltyHp[1] > 0 ? this.q : 0, base: this.table?.base ?? 0 };
  }

  /** Starts a scatter with no column listed: training step t's (kernel rules), or sums for the host update (t null). */
  open(t: number | null): void {
    if (t === null && !this.sums) {
      // Sums records laid out as the other rules' (their weights unused).
      this.sstride = 16 * this.k + 8;
      this.sums = this.arena.alloc(this.width * this.sstride);
    }
    if (t === null && ++this.hostStamp === 0xffffffff) {
      this.arena.kernels.sparseStampAll(this.sums, this.sstride, this.width, 0);
      this.hostStamp = HOST_STAMPS + 1;
    }
    this.stamp = t ?? this.hostStamp;
    this.n = 0;
  }

  /** Whether the scatter brings the columns it lists up to date through the decay table (a training step with one). */
  get catching(): boolean {
    return !!this.table && this.stamp < HOST_STAMPS;
  }

  /** Adds rows [0, count) of a piece (row indices at `rows`, their K dL/dz at g) into the sums, listing new columns. */
  scatter(g: number, rows: number, count: number, c: CsrSlot): void {
    this.grow(this.n + count * c.maxRow);
    const kn = this.arena.kernels;
    const d = this.decay;
    this.n = kn.sparseScatter(this.sums, this.sstride, this.list, this.n, this.stamp, g, rows, count, c.ptr, c.idx, c.val, c.rs, this.k, this.catching ? 1 : 0, d.p, d.q, d.base);
  }

  /** Room in the list for `need` entries (at most every column). */
  grow(need: number): void {
    need = Math.min(this.width, need);
    if (need <= this.room) return;
    const room = Math.min(this.width, Math.max(1024, Math.ceil(need * 1.5)));
    // The scatter writes one entry past the list's end before it knows whether the column is new.
    const list = this.arena.alloc(room * 4 + 4);
    const { u32 } = this.arena.views;
    if (this.list) {
      u32.copyWithin(list >> 2, this.list >> 2, (this.list >> 2) + this.n);
      this.arena.release(this.list);
    }
    [this.list, this.room] = [list, room];
  }

  /**
   * The linear rule's step at rate lr for rows [0, count) of a piece (row indices at `rows`, their K dL/dz at g):
   * w −= eta·dL/dz·val, each column first brought up to date and decayed under L2 (the step's stamp, open()). The
   * step ends with endStep.
   */
  stepSgd(lr: number, eta: number, g: number, rows: number, count: number, c: CsrSlot): void {
    const d = this.stepFields(lr);
    this.arena.kernels.sparseStepSgd(
      this.blk, this.stride, eta, g, rows, count, c.ptr, c.idx, c.val, c.rs, this.k, this.stamp, d.decay, d.c, d.p, d.q, d.base,
    );
  }

  /** What the linear rule's step at rate lr reads of the decay table (c: the L2 factor 1 − lr·l2). */
  stepFields(lr: number): { decay: number; c: number; p: number; q: number; base: number } {
    return { ...this.decay, c: 1 - lr * this.spec.penaltyHp[0] };
  }

  /** Records a step of rate lr in the decay table; true when the table must restart. */
  endStep(lr: number): boolean {
    const { table } = this;
    if (!table) return false;
    table.push(lr);
    const s = table.steps;
    const [p, q] = table.prefix(s);
    const { f64 } = this.arena.views;
    f64[(this.p >> 3) + s] = p;
    f64[(this.q >> 3) + s] = q;
    return table.full || s >= TABLE - 1;
  }

  /** Σ of the squared sums of the listed columns. */
  squares(): number {
    return this.arena.kernels.sparseSquares(this.sums, this.sstride, this.list, this.n, this.k);
  }

  /** The listed columns' sums into a (cleared) host accumulator, for the host update. */
  toAccumulator(out: SparseAccumulator): void {
    const { u32, f64 } = this.arena.views;
    const [s, k] = [this.sstride / 8, this.k];
    for (let m = 0; m < this.n; m++) {
      const j = u32[(this.list >> 2) + m];
      out.touch(j);
      for (let c = 0; c < k; c++) out.acc[c * this.width + j] = f64[this.sums / 8 + j * s + k + c];
    }
  }

  /** Before training steps from step base + 1 on: every column stamped `base` (up to date there, not listed). */
  reset(base: number): void {
    if (this.stamped) this.arena.kernels.sparseStampAll(this.blk, this.stride, this.width, base);
    if (!this.table) return;
    this.table.reset(base);
    const { f64 } = this.arena.views;
    f64[this.p >> 3] = 1;
    f64[this.q >> 3] = 0;
  }

  /** The update of the listed columns at rate lr, their sums times `scale`; true when the table must restart. */
  update(lr: number, scale: number): boolean {
    const { spec } = this;
    const restart = this.endStep(lr);
    const [l2, l1] = spec.penaltyHp;
    const [beta, , eps] = spec.optimizerHp;
    this.arena.kernels.sparseUpdate(
      RULES[spec.optimizer]!, this.blk, this.stride, this.nslots, this.list, this.n, this.k,
      scale, lr, l2, l1, PROX[spec.penalty] ?? 0, beta, eps,
    );
    return restart;
  }

  /** Brings every column up to step `to` and restarts the table there. */
  catchUpAll(to: number): void {
    if (!this.table) return;
    this.arena.kernels.sparseCatchUpAll(this.blk, this.stride, this.width, this.k, this.p, this.decay.q, this.table.base, to);
    this.reset(to);
  }

  /** Copies the block's weights (and the kernels' slots) out to the host's f64 parameters and state (columns up to date). */
  toHost(weights: Float64Array, d: number, dense: number, slots: Float64Array): void {
    const { f64 } = this.arena.views;
    const { width, k, nslots: S } = this;
    const s = this.stride / 8;
    for (let c = 0; c < k; c++) {
      const w = c * d + dense;
      for (let j = 0, at = this.blk / 8 + c; j < width; j++, at += s) weights[w + j] = f64[at];
      for (let j = 0, at = this.blk / 8 + 2 * k + c * S; S && j < width; j++, at += s) for (let i = 0; i < S; i++) slots[(w + j) * S + i] = f64[at + i];
    }
  }

  /** Copies the host's weights (and slots) in: every column, or those listed in `cols`. */
  fromHost(weights: Float64Array, d: number, dense: number, slots: Float64Array, cols: readonly number[] | null = null): void {
    const { f64 } = this.arena.views;
    const { width, k, nslots: S } = this;
    const s = this.stride / 8;
    for (let c = 0; c < k; c++) {
      const w = c * d + dense;
      if (cols) for (const j of cols) f64[this.blk / 8 + j * s + c] = weights[w + j];
      else for (let j = 0, at = this.blk / 8 + c; j < width; j++, at += s) f64[at] = weights[w + j];
      for (let j = 0, at = this.blk / 8 + 2 * k + c * S; S && !cols && j < width; j++, at += s) for (let i = 0; i < S; i++) f64[at + i] = slots[(w + j) * S + i];
    }
  }

  dispose(): void {
    for (const at of [this.blk, this.list, this.p, this.q]) if (at) this.arena.release(at);
    if (this.sums && this.sums !== this.blk) this.arena.release(this.sums);
  }
}
