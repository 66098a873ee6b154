// A run that diverged, in the page's words: the engine's DivergedError (src/train/health.ts: the epoch, the
// loss, the learning rate, a safer rate estimated from the data's scale, and the cause) becomes "Diverged in
// epoch N: the loss grew from A to B … try 0.01". Errors from the CPU worker arrive as messages only, so the
// same facts are also read from the engine's message. The page detects nothing itself: the engine does.
import type { TrainSpec } from '../../core/spec';
import { pageMessage } from '../form/settings';

/** What the engine said when a run diverged. */
export interface Divergence {
  epoch: number | null;
  loss: number | null;
  /** A learning rate the engine estimates to be stable, or null (where the rate is not the cause). */
  suggested: number | null;
  /** The cause as the engine judged it: the learning rate, features of very different scales, or values that overflow. */
  reason: 'learning-rate' | 'scale' | 'overflow' | null;
  /** The engine's advice after "training diverged in epoch N (…): ". */
  advice: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : null);

/** The divergence an error reports (a DivergedError by name, or the engine's "training diverged" message), or null. */
export function divergenceOf(e: unknown): Divergence | null {
  const err = (e ?? {}) as { name?: string; message?: string } & Record<string, unknown>;
  const message = String(err.message ?? e);
  if (err.name !== 'DivergedError' && !/training diverged/i.test(message)) return null;
  const fromText = (re: RegExp) => {
    const m = re.exec(message);
    return m ? Number(m[1]) : null;
  };
  const advice = /training diverged in epoch \d+ \([^)]*\): (.*)$/s.exec(message)?.[1] ?? message;
  const reason = typeof err.reason === 'string' ? err.reason as Divergence['reason']
    : /values overflow/.test(advice) ? 'overflow' : /--standardize: their mean squares/.test(advice) ? 'scale' : null;
  const suggested = err.name === 'DivergedError' && 'suggestedLr' in err ? num(err.suggestedLr) : fromText(/try --lr ([0-9.e+-]+)/);
  return {
    epoch: num(err.epoch) ?? fromText(/epoch (\d+)/i),
    loss: num(err.loss) ?? fromText(/\((?:mean batch loss|final mean loss) ([-+0-9.e]+|Infinity|NaN)/),
    suggested: suggested !== null && suggested > 0 ? suggested : null,
    reason, advice,
  };
}

/** A loss for a sentence: three significant digits, exponents for the very large ("3.01e17"). */
export function lossText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'infinity' : '−infinity';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(v.toPrecision(3)));
}

/**
 * "Diverged" in the page's words: where, how the loss went (from the epochs' losses the page saw), and what to do:
 * a concrete smaller learning rate (the engine's, else a tenth of the rate used), Standardize when the features were
 * not standardized, or, for values that overflow, the engine's advice on the column to rescale.
 */
export function divergedText(d: Divergence, spec: Pick<TrainSpec, 'lr' | 'standardize'>, epochLosses: readonly number[]): string {
  const where = d.epoch !== null ? ` in epoch ${d.epoch}` : '';
  if (d.reason === 'overflow') return `Diverged${where}: ${pageMessage(d.advice)}.`;
  const first = epochLosses.find((v) => Number.isFinite(v));
  const last = d.loss ?? epochLosses.at(-1);
  const how = first !== undefined && last !== undefined && last !== null && first !== last
    ? `the loss grew from ${lossText(first)} to ${lossText(last)} instead of falling`
    : 'the loss grew without bound instead of falling';
  const safer = Number((d.suggested ?? spec.lr / 10).toPrecision(2));
  const standardize = spec.standardize ? '' : d.reason === 'scale'
    ? ', and turn on “Standardize features”: their scales differ by orders of magnitude'
    : ', or turn on “Standardize features”';
  return `Diverged${where}: ${how}. The learning rate ${spec.lr} is too large for this data: try ${safer}${standardize}.`;
}
