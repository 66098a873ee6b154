// `downhill bench --to-gap g <data>`: the wall clock of a whole process to a relative objective gap g, for each
// backend × solver and scikit-learn beside them, the repeats alternated (src/train/to_gap.ts: the optimum once in
// f64, the shortest run reaching the gap; bench_gap_runners.ts: the processes). Same accuracy, not same epochs.
import { cpus, loadavg } from 'node:os';
import { LOSSES } from '../../core/losses';
import { checkSolver, SOLVER_NAMES, solversFor, type SolverKind } from '../../core/solver/options';
import { parseTrainSpec, TRAIN_OPTIONS } from '../../core/spec';
import { createBackend, parseBackend } from '../../train/backends';
import { gapBenchmark, GapProblem, optionsFor, type GapResult, type GapRunner } from '../../train/to_gap';
import { uploadDataset } from '../../train/train';
import { num, parse, UsageError } from '../args';
import { table } from '../output';
import { openInput } from '../sources';
import { SPEC_FLAGS } from '../spec_args';
import { sklearnMissing, sklearnRunner, trainRunner } from './bench_gap_runners';

export const GAP_USAGE = `downhill bench --to-gap g <data.npy|data.csv|data.dh> [--target col] [training options] [options]
  times a whole \`downhill train\` process to a relative objective gap (F − F*)/|F*| ≤ g for each backend × solver,
  F* found once by the f64 reference backend (Newton, or the problem's exact solver, at a tight tolerance); an
  iterative solver is timed at the fewest iterations (gd: epochs) that reach g, found by probes from its own run
    --backend list       backends (default cpu,webgpu,reference)
    --solver list        solvers (default every one that fits the loss and penalty); gd, newton, lbfgs, exact, …
    --runs R             timed repeats of each candidate, alternated; the median is reported (default 3)
    --no-peers           without scikit-learn (default: beside them when python3 imports sklearn and the data is NPY;
                         its estimator at tol 1e-10 with the fewest iterations that reach g, and once with its defaults)
    --timeout S          seconds one process may take (default 600)
    --y y.npy            NPY: the targets (default <stem>.y.npy)
    --json               print every figure as one JSON object`;

const OPTIONS = {
  ...SPEC_FLAGS, 'to-gap': { type: 'string' }, backend: { type: 'string' }, solver: { type: 'string' }, runs: { type: 'string' },
  peers: { type: 'boolean' }, timeout: { type: 'string' }, json: { type: 'boolean' }, target: { type: 'string' },
  features: { type: 'string' }, y: { type: 'string' },
} as const;

/** Runs `bench --to-gap`; returns the exit code. */
export async function gapCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS, 1);
  const target = num('to-gap', v['to-gap'], 0, { positive: true });
  if (!(target < 1)) throw new UsageError(`--to-gap is a relative gap (F − F*)/|F*| below 1, e.g. 1e-6; got ${v['to-gap']}`);
  const file = positionals[0];
  if (!file) throw new UsageError('bench --to-gap needs a data file (.npy, .csv or .dh), e.g. one made by `downhill gen`');
  const runs = num('runs', v.runs, 3, { integer: true, min: 1 });
  const timeoutS = num('timeout', v.timeout, 600, { positive: true });
  const given: Record<string, unknown> = {};
  const flagValues = v as Record<string, string | boolean | undefined>;
  for (const o of TRAIN_OPTIONS) if (o.name !== 'solver' && flagValues[o.name] !== undefined) given[o.name] = flagValues[o.name];
  // Each solver takes the options that apply to it (bench_gap_runners.ts trainFlags); one that applies to none is refused.
  const spec = parseTrainSpec(given, { strict: false });
  const backends = (v.backend ?? 'cpu,webgpu,reference').split(',').map((b) => {
    try {
      return parseBackend(b.trim());
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  const fits = solversFor(spec.loss, spec.penalty);
  const solvers = v.solver === undefined ? fits : v.solver.split(',').map((s) => s.trim() as SolverKind);
  for (const s of solvers) {
    if (!SOLVER_NAMES.includes(s)) throw new UsageError(`--solver must be a list of ${SOLVER_NAMES.join(', ')}; got "${s}"`);
    checkSolver({ ...spec, solver: s });
  }
  for (const o of TRAIN_OPTIONS) {
    if (given[o.name] !== undefined && o.name !== 'loss' && !solvers.some((s) => optionsFor(given, s)[o.key] !== undefined)) {
      throw new UsageError(`--${o.name} applies to none of the solvers timed (${solvers.join(', ')})`);
    }
  }
  const flags = [...(v.target ? ['--target', v.target] : []), ...(v.features ? ['--features', v.features] : []), ...(v.y ? ['--y', v.y] : [])];
  const data = { file, flags };
  const say = (s: string) => v.json || process.stderr.write(s);

  const source = await openInput(file, { target: v.target, features: v.features?.split(','), y: v.y, labels: LOSSES[spec.loss].task !== 'regression' });
  const reference = await createBackend('reference');
  try {
    say(`finding the optimum on the f64 reference backend …\n`);
    const resident = await uploadDataset(reference, source, { loss: spec.loss });
    const problem = await GapProblem.create(reference, resident, given);
    const ref = problem.reference;
    say(`optimum F* = ${ref.objective.toPrecision(12)} by ${ref.solver} (${ref.iterations} iterations, ${ref.seconds.toFixed(1)} s): ${ref.reason}\n`);
    const runners: GapRunner[] = backends.flatMap((b) => solvers.map((s) => trainRunner(data, given, b, s, timeoutS)));
    const peerNote = v.peers === false ? 'scikit-learn: not run (--no-peers)' : sklearnMissing(file);
    if (!peerNote) runners.push(sklearnRunner(data, v.y, given, timeoutS, false), sklearnRunner(data, v.y, given, timeoutS, true));
    const results = await gapBenchmark(problem, runners, { target, runs, say });
    const below = (problem.fStar - problem.best) / Math.abs(problem.fStar || 1);
    const notes = [...(peerNote ? [peerNote] : []),
      ...(below > 0 ? [`the best run measured got ${below.toExponential(2)} (relative) below the reference optimum: gaps are within that of exact`] : [])];
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
    const command = `downhill bench ${argv.join(' ')}`;
    resident.dispose();
    problem.dispose();
    if (v.json) {
      process.stdout.write(JSON.stringify({
        command, file, rows: resident.rows, features: resident.d, target, runs, problem: given, reference: ref, machine, results, notes,
      }) + '\n');
      return 0;
    }
    console.log(`${command}\n${file}: ${resident.rows} rows × ${resident.d} features; ${spec.loss} loss, penalty ${spec.penalty}`
      + `${spec.penalty === 'none' ? '' : ` (alpha ${spec.alpha})`}; target gap ${v['to-gap']}`);
    console.log(`F* = ${ref.objective.toPrecision(12)} by ${ref.solver} on the f64 reference (${ref.reason})`);
    console.log(`wall: a whole process (load, compile, solve, answer), median of ${runs} alternated runs; CPU: its every thread`);
    console.log(`machine: ${machine.cpus} × ${machine.cpu}, load average ${machine.loadavg.join(' ')} at the end`);
    for (const r of results.filter((x, i) => results.findIndex((y) => y.backend === x.backend) === i)) console.log(`${r.backend}: ${r.device}`);
    console.log(table(gapTable(results)));
    for (const n of notes) console.log(n);
    return 0;
  } finally {
    reference.dispose();
    await source.close?.();
  }
}

/** The results as table rows, with each one's time over scikit-learn's (its lbfgs at tol 1e-10) where both reached the gap. */
function gapTable(results: readonly GapResult[]): (string | number)[][] {
  const peer = results.find((r) => r.backend === 'scikit-learn' && r.reached);
  const s = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : x.toPrecision(3));
  const head = ['backend', 'solver', 'reached', 'wall s', 'min s', 'CPU s', '× scikit-learn', 'iterations', 'passes', 'gap', 'note'];
  return [head, ...results.map((r) => [
    r.backend, r.solver, r.reached ? 'yes' : 'no', s(r.seconds), s(r.secondsMin), s(r.cpuSeconds),
    peer && r.reached ? (r.seconds / peer.seconds).toFixed(2) : '—', r.iterations, Number.isNaN(r.passes) ? '—' : r.passes,
    Number.isFinite(r.gap) ? r.gap.toExponential(2) : '—', r.note ?? '',
  ])];
}
