// The candidates of `downhill bench --to-gap` as whole processes: `downhill train` on a backend with a solver, and
// scikit-learn (bench/peers/sklearn_gap.py through python3, when it imports sklearn). Each run is timed from spawn to
// exit — loading the file, compiling, solving, writing the answer — with the CPU time the child used (every thread,
// from /proc/self/stat's reaped-children times on Linux), and hands back the parameters it found.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { TRAIN_OPTIONS } from '../../core/spec';
import type { SolverKind } from '../../core/solver/options';
import { optionsFor, type GapRunner, type RunOutcome } from '../../train/to_gap';
import sklearnScript from '../../../bench/peers/sklearn_gap.py?raw';

/** Where the data is: the file and the flags that pick its target and features. */
export interface GapData {
  file: string;
  flags: string[];
}

/** CPU seconds of every reaped child so far (user + system), or undefined off Linux. */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs a command to its end; its wall and CPU seconds and stdout, or throws with the last line of its stderr. */
function timed(cmd: string, args: string[], timeoutS: number, env?: NodeJS.ProcessEnv): { seconds: number; cpuSeconds?: number; stdout: string } {
  const c0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: timeoutS * 1000, env: env ?? process.env });
  const seconds = (performance.now() - t0) / 1000;
  const c1 = childCpuSeconds();
  if (r.error && !r.signal) throw r.error;
  // Ctrl-C reaches the whole process group: the child's SIGINT stops the benchmark, not just this candidate.
  if (r.signal === 'SIGINT') process.exit(130);
  if (r.signal) throw new Error(r.signal === 'SIGTERM' ? `timed out after ${timeoutS} s (--timeout)` : `killed by ${r.signal}`);
  if (r.status !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) ?? `exited ${r.status}`);
  return { seconds, ...(c0 !== undefined && c1 !== undefined ? { cpuSeconds: c1 - c0 } : {}), stdout: r.stdout };
}

const flat = (w: number[] | number[][]): Float64Array => Float64Array.from((w as number[][]).flat());
const array = (b: number | number[]): Float64Array => Float64Array.from(typeof b === 'number' ? [b] : b);

/** The flags of the training options in `given` (by CLI name) that apply to `solver`, for its train command. */
export function trainFlags(given: Readonly<Record<string, unknown>>, solver: SolverKind): string[] {
  const opts = optionsFor(given, solver);
  return TRAIN_OPTIONS.flatMap((o) => {
    const v = opts[o.key];
    if (v === undefined || o.key === 'solver') return [];
    if (o.type === 'boolean') return [v ? `--${o.name}` : `--no-${o.name}`];
    return [`--${o.name}`, String(v)];
  });
}

/** `downhill train` on a backend with a solver: its own settings, or a budget of k iterations (gd: epochs). */
export function trainRunner(data: GapData, given: Readonly<Record<string, unknown>>, backend: string, solver: SolverKind, timeoutS: number): GapRunner {
  const gd = solver === 'gd';
  const budgetFlag = gd ? 'epochs' : 'max-iter';
  const flags = trainFlags(given, solver);
  const runner: GapRunner = {
    backend, device: backend, solver, mode: solver === 'exact' ? 'once' : 'budget', unit: gd ? 'epochs' : 'iterations',
    async run(k): Promise<RunOutcome> {
      const own = k === null ? flags : [...flags.filter((_, i, a) => a[i] !== `--${budgetFlag}` && a[i - 1] !== `--${budgetFlag}`), `--${budgetFlag}`, String(k)];
      const args = [process.argv[1], 'train', data.file, ...data.flags, ...own, '--backend', backend, '--solver', solver, '--json'];
      const t = timed(process.execPath, args, timeoutS);
      const j = JSON.parse(t.stdout) as {
        adapter: string; weights: number[] | number[][]; bias: number | number[]; epochs: number; lossHistory: number[];
        solve: { iterations: number; passes: number; converged: boolean; history: { objective: number }[] } | null;
      };
      runner.device = j.adapter;
      const iterations = j.solve ? j.solve.iterations : gd ? j.lossHistory.length : 1;
      return {
        seconds: t.seconds, cpuSeconds: t.cpuSeconds, iterations, passes: j.solve?.passes ?? iterations,
        params: { weights: flat(j.weights), bias: array(j.bias) }, converged: j.solve?.converged, objectives: j.solve?.history.map((h) => h.objective),
      };
    },
  };
  return runner;
}

/** The python3 that runs the peer: $DOWNHILL_PYTHON, else Debian's (where python3-sklearn installs), else the PATH's. */
const python = (): string => process.env.DOWNHILL_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** The environment of the peer: this machine's OpenBLAS overrides (a core type, an L2 size) left out, so it runs as installed. */
function peerEnv(): NodeJS.ProcessEnv {
  const { OPENBLAS_CORETYPE: _c, OPENBLAS_L2_SIZE: _l, ...env } = process.env;
  return env;
}

/** Why the scikit-learn peer cannot run on this data, or null when it can. */
export function sklearnMissing(file: string): string | null {
  if (!file.toLowerCase().endsWith('.npy')) return 'the scikit-learn peer reads NPY files only';
  const r = spawnSync(python(), ['-c', 'import sklearn'], { encoding: 'utf8', env: peerEnv() });
  if (r.error) return `${python()} did not run (${r.error.message})`;
  return r.status === 0 ? null : `${python()} has no scikit-learn (apt-get install python3-sklearn)`;
}

/**
 * scikit-learn's estimator for the problem (its lbfgs for logistic and softmax). `defaults`: one run with the
 * estimator's own tolerance and iterations, as a user runs it; else a budget: a tight tolerance (1e-10), its
 * default iterations or k.
 */
export function sklearnRunner(data: GapData, y: string | undefined, given: Readonly<Record<string, unknown>>, timeoutS: number, defaults: boolean): GapRunner {
  const pick = (name: string) => (given[name] === undefined ? [] : [`--${name}`, String(given[name])]);
  const args = ['-c', sklearnScript, data.file, ...(y ? ['--y', y] : []), ...pick('loss'), ...pick('penalty'), ...pick('alpha'), ...pick('l1-ratio'),
    ...pick('tweedie-power'), ...pick('quantile'), ...(given.bias === false ? ['--no-bias'] : [])];
  const runner: GapRunner = {
    backend: defaults ? 'scikit-learn (defaults)' : 'scikit-learn', device: 'scikit-learn', solver: '', mode: defaults ? 'once' : 'budget', unit: 'iterations',
    async run(k): Promise<RunOutcome> {
      const own = defaults ? [] : ['--tol', '1e-10', ...(k === null ? [] : ['--max-iter', String(k)])];
      const t = timed(python(), [...args, ...own], timeoutS, peerEnv());
      const j = JSON.parse(t.stdout) as { estimator: string; device: string; iterations: number | null; settings: Record<string, number>; weights: number[][]; bias: number[] };
      runner.solver = j.estimator.replace(/^.*\((.*)\)$/, '$1') || j.estimator;
      if (k === null) runner.device = `${j.device}, ${j.estimator} ${Object.entries(j.settings).map(([s, v]) => `${s}=${v}`).join(' ')}`;
      const iterations = j.iterations ?? 1;
      return {
        seconds: t.seconds, cpuSeconds: t.cpuSeconds, iterations, passes: NaN, params: { weights: flat(j.weights), bias: array(j.bias) },
        converged: k === null ? j.iterations !== null && j.iterations < (j.settings.max_iter ?? Infinity) : false,
      };
    },
  };
  return runner;
}
