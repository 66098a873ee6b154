// Terminal and JSON output of the exact solver (--solver exact, --gap, --precondition), and the f64 CSV input of the
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

/** Lines for the terminal after the coefficients. */
export function solverLines(r: TrainResult): string[] {
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

/** Fields for `--json`: the solver, its findings, the final gap and the gap after each epoch (null when not asked), an iterative solver's summary. */
export function solverJson(r: TrainResult, spec: TrainSpec): Record<string, unknown> {
  return {
    solver: spec.solver,
    ...(spec.solver === 'exact' ? { epochs: 0 } : {}),
    exact: r.exact ?? null,
    gap: r.gap?.gap ?? null,
    coefficientDistance: r.gap?.distance ?? null,
    gapHistory: r.gapHistory ?? null,
    solve: r.solve ? { iterations: r.solve.iterations.length, passes: r.solve.passes, converged: r.solve.converged, reason: r.solve.reason, seconds: r.solve.seconds, history: r.solve.iterations } : null,
  };
}
