// Terminal and JSON output of the solvers (--solver exact with --gap and --precondition; newton, lbfgs, dcd and
// smoothing with their iterations; --alpha-path and --cv with the path and the folds), and the f64 CSV input of the
// reference path: on `--backend reference` a CSV is read for the solve as written, not rounded to float32.
import type { Gap } from '../core/solver/gap';
import type { TrainSpec } from '../core/spec';
import { csvF64Rows, type F64Rows } from '../data/csv_f64';
import type { CsvSource } from '../data/csv_stream';
import type { DataSource } from '../data/source';
import type { TrainResult } from '../train/report';

/** The rows in f64 for the exact solver on the f64 reference backend when the input is a CSV, else undefined. */
export function exactRows(source: DataSource, file: string, spec: TrainSpec, backend: string): F64Rows | undefined {
  const plan = (source as Partial<CsvSource>).plan;
  return spec.solver !== 'exact' || backend !== 'reference' || !plan || plan.labels ? undefined : csvF64Rows(file, plan);
}

/** "gap 3.1e-4, coefficients 2.2e-3 away". */
export function gapText(g: Gap): string {
  return `gap ${g.gap.toExponential(2)}, coefficients ${g.distance.toExponential(2)} from the optimum (relative)`;
}

const exp = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(2));
const rightAligned = (rows: string[][]): string[] => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c])).join('  '));
};
/** Up to `most` rows: the first ones, an ellipsis row, the last ones. */
function elide<T>(items: T[], most: number): (T | null)[] {
  return items.length <= most ? items : [...items.slice(0, most - 4), null, ...items.slice(-3)];
}

/** Lines for the terminal after the coefficients. */
export function solverLines(r: TrainResult): string[] {
  if (r.path) return pathLines(r);
  if (r.solve) return iterationLines(r);
  const e = r.exact;
  if (!e) return [];
  const how = e.method === 'qr' ? 'streamed QR in f64' : 'Gram matrix (partial sums in f64)';
  const lines = [`condition number ${e.condition.toPrecision(3)} (standardized design), rank ${e.rank} of ${e.columns}; ${how}, ${e.seconds.toFixed(2)} s`];
  if (r.gap) {
    lines.push(`optimum: objective ${e.objective.toPrecision(8)}; final ${gapText(r.gap)}`);
    const h = r.gapHistory ?? [];
    const shown = h.length <= 8 ? h : [...h.slice(0, 4), NaN, ...h.slice(-3)];
    lines.push(`gap by epoch: ${shown.map((v) => (Number.isNaN(v) ? '…' : v.toExponential(1))).join(' ')}`);
  }
  if (e.note) lines.push(e.note);
  for (const w of e.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** Fields for `--json`: the solver, its findings, the final gap and the gap after each epoch (null when not asked), an iterative solver's summary and its path. */
export function solverJson(r: TrainResult, spec: TrainSpec): Record<string, unknown> {
  return {
    solver: spec.solver,
    ...(spec.solver === 'exact' ? { epochs: 0 } : {}),
    exact: r.exact ?? null,
    gap: r.gap?.gap ?? null,
    coefficientDistance: r.gap?.distance ?? null,
    gapHistory: r.gapHistory ?? null,
    solve: r.solve ? { iterations: r.solve.iterations.length, passes: r.solve.passes, converged: r.solve.converged, reason: r.solve.reason, seconds: r.solve.seconds, history: r.solve.iterations } : null,
    path: r.path ?? null,
  };
}

/** An iterative solver: how it ended, then each iteration (passes, objective, gradient norm, decrement, step). */
function iterationLines(r: TrainResult): string[] {
  const s = r.solve!;
  const lines = [`--solver ${s.solver} ${s.converged ? 'converged' : 'did not converge'}: ${s.iterations.length} iteration(s), ${s.passes} passes over the data, ${s.seconds.toFixed(2)} s (${s.reason})`];
  if (s.iterations.length === 0) return lines;
  const rows = [['iteration', 'passes', 'objective', '‖gradient‖', s.solver === 'newton' ? 'decrement' : 'decrease', 'step']];
  for (const it of elide(s.iterations, 12)) {
    rows.push(it ? [String(it.iteration), String(it.passes), it.objective.toPrecision(10), exp(it.gradNorm), exp(it.decrement), it.step.toPrecision(3)] : ['…', '', '', '', '', '']);
  }
  return [...lines, ...rightAligned(rows).map((l) => `  ${l}`)];
}

/** A regularization path: one row per α (nonzeros, objective, validation or cross-validated loss), the choice, the folds. */
function pathLines(r: TrainResult): string[] {
  const p = r.path!;
  const cv = p.cv;
  const held = !cv && p.steps.some((s) => s.validation);
  const head = ['', 'step', 'alpha', 'nonzeros', 'objective', ...(held ? ['validation loss'] : []), ...(cv ? [`cv loss (${cv.k} folds)`, '± se'] : []), 'iterations', 'passes'];
  const rows = [head];
  for (const s of p.steps) {
    rows.push([s.index === p.chosen ? '*' : '', String(s.index + 1), s.alpha.toExponential(3), String(s.nonzeros), s.objective.toPrecision(8),
      ...(held ? [s.validation ? s.validation.loss.toPrecision(6) : '–'] : []),
      ...(cv ? [cv.mean[s.index].toPrecision(6), cv.se[s.index].toPrecision(2)] : []),
      `${s.iterations}${s.converged ? '' : '!'}`, String(s.passes)]);
  }
  const lines = [`regularization path: ${p.alphas.length} α's from α_max ${p.alphaMax.toExponential(3)}${r.solve ? `, --solver ${r.solve.solver}, ${r.solve.passes} passes over the data in all, ${r.solve.seconds.toFixed(2)} s` : ''}`];
  lines.push(...rightAligned(rows).map((l) => `  ${l}`));
  if (p.steps.some((s) => !s.converged)) lines.push('  ! did not converge within --max-iter');
  lines.push(`chosen (*): α ${p.alphas[p.chosen].toExponential(4)}, step ${p.chosen + 1}: ${p.choice}`);
  if (cv) {
    for (const f of cv.folds) lines.push(`  fold ${f.fold + 1}: trained on ${f.rows} rows, held out ${f.heldRows}; held-out loss at the chosen α ${f.loss[cv.chosen].toPrecision(6)}`);
  }
  return lines;
}
