// What the exact solver tells a user, by feature name: rank, condition number, collinear columns, and the
// warnings the CLI prints and the page shows. No DOM or fs.
import type { Collinearity, ExactSolution } from './least_squares';

/** The solver's findings in JSON-ready form. */
export interface ExactSummary {
  /** How R was computed: streamed Householder QR (f64) or a Gram matrix (GPU partial sums combined in f64). */
  method: 'qr' | 'gram';
  /** Rank of the parameter columns (intercept included) out of `columns`. */
  rank: number;
  columns: number;
  /** Estimated 2-norm condition number of the standardized design. */
  condition: number;
  /** Columns set aside as combinations of others (weight 0), by name. */
  collinear: { feature: string; with: { feature: string; coef: number }[]; constant: boolean }[];
  /** Objective (mean loss + penalty) and mean squared error at the optimum, exact in f64. */
  objective: number;
  loss: number;
  /** Lines to show the user (rank deficiency, ill-conditioning). */
  warnings: string[];
  /** Why the fast GPU Gram path was not kept, when it was tried. */
  note?: string;
  seconds: number;
}

const coef = (v: number): string => (Math.abs(v - Math.round(v)) < 1e-9 * Math.max(1, Math.abs(v)) ? String(Math.round(v)) : v.toPrecision(4));

/** "x3 = 1·x1 + 2·x2 + constant", "x2 is constant", … */
export function collinearText(c: Collinearity, names: readonly string[], bias: boolean): string {
  const name = names[c.column];
  if (c.constant) return bias ? `${name} is constant (collinear with the intercept)` : `${name} is all zeros`;
  const terms = c.with.map((t, i) => `${i === 0 ? (t.coef < 0 ? '−' : '') : t.coef < 0 ? ' − ' : ' + '}${coef(Math.abs(t.coef))}·${names[t.column]}`).join('');
  return `${name} = ${terms}${bias ? ' + constant' : ''}`;
}

/** Condition numbers above this make gradient descent crawl (its rate is about 1 − 1/κ² per full-batch epoch). */
export const ILL_CONDITIONED = 1e4;

/** The summary of a solution for reports. */
export function exactSummary(sol: ExactSolution, names: readonly string[], seconds: number): ExactSummary {
  const bias = sol.factor.bias;
  const warnings: string[] = [];
  if (sol.collinear.length) {
    const what = sol.collinear.map((c) => collinearText(c, names, bias)).join('; ');
    warnings.push(sol.alpha > 0
      ? `rank ${sol.rank} of ${sol.columns}: collinear columns (${what}); the ridge penalty picks the weights`
      : `rank ${sol.rank} of ${sol.columns}: collinear columns (${what}); ${sol.collinear.length === 1 ? 'its weight is' : 'their weights are'} set to 0`);
  }
  if (sol.condition > ILL_CONDITIONED) {
    warnings.push(`condition number ${sol.condition.toExponential(1)} (standardized): gradient descent will converge slowly; use --solver exact or --precondition`);
  }
  return {
    method: sol.method, rank: sol.rank, columns: sol.columns, condition: sol.condition,
    collinear: sol.collinear.map((c) => ({ feature: names[c.column], with: c.with.map((t) => ({ feature: names[t.column], coef: t.coef })), constant: c.constant })),
    objective: sol.objective, loss: sol.loss, warnings, note: sol.factor.note, seconds,
  };
}
