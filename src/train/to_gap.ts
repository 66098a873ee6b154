// Time to a relative objective gap (`downhill bench --to-gap g`): the problem's optimum F* is computed once on the
// f64 reference backend (the exact solver for least squares, else Newton, the SVM dual, the quantile smoothing or
// L-BFGS at a tight tolerance), and every candidate — a backend × solver, or an outside peer, each run as a whole
// process by the caller — is timed to the shortest run whose parameters, evaluated by the same f64 code, have
// (F − F*)/|F*| ≤ g. A candidate runs first with its own settings; when that reaches the gap, the smallest iteration
// (or epoch) budget that still does is found by a few probes, its own objectives giving the first guess. Repeats
// alternate over the candidates.
import type { Backend, TrainSession } from '../backend';
import { LOSSES, type LossKind } from '../core/losses';
import type { ModelParams, ModelSpec } from '../core/model';
import { penaltyValue } from '../core/penalties';
import { solversFor, type SolverKind } from '../core/solver/options';
import { applies, modelSpecOf, parseTrainSpec, TRAIN_OPTIONS, type TrainSpec } from '../core/spec';
import { trainResident, type ResidentData } from './train';

const now = (): number => performance.now() / 1000;

/** (F − F*)/|F*| (F − F* when F* is 0). */
export const relativeGap = (f: number, fStar: number): number => (f - fStar) / (fStar !== 0 ? Math.abs(fStar) : 1);

/** One run of a candidate: its clock, its work, its parameters. */
export interface RunOutcome {
  /** Wall-clock seconds of the run (the caller's: a whole process). */
  seconds: number;
  /** CPU seconds it used (every thread), where known. */
  cpuSeconds?: number;
  iterations: number;
  passes: number;
  params: ModelParams;
  /** Stopped by its own tolerance (more iterations would not have been taken). */
  converged?: boolean;
  /** The objective it computed itself after each iteration (iterative solvers): where it meets the gap is a guess of k. */
  objectives?: number[];
}

/** A candidate: a backend and solver, or a peer. */
export interface GapRunner {
  backend: string;
  device: string;
  solver: string;
  /** budget: run(k) stops after k iterations or epochs (null: its own settings); once: one run as it is. */
  mode: 'budget' | 'once';
  /** What the budget counts. */
  unit: 'iterations' | 'epochs';
  run(k: number | null): Promise<RunOutcome>;
}

/** A run measured against the optimum. */
export interface GapPoint {
  seconds: number;
  cpuSeconds?: number;
  iterations: number;
  passes: number;
  gap: number;
}

/** What one candidate reached. */
export interface GapResult {
  backend: string;
  device: string;
  solver: string;
  /** Whether its runs reached the target gap (in every repeat). */
  reached: boolean;
  /** Median and least wall seconds over the repeats of the shortest run that reached it (not reached: of its run). */
  seconds: number;
  secondsMin: number;
  /** Median CPU seconds of those runs, where known. */
  cpuSeconds: number | null;
  /** Each repeat's seconds. */
  runs: number[];
  /** Iterations (epochs for gd) and passes over the data of that run; not reached: of the longest run. */
  iterations: number;
  passes: number;
  /** The f64 gap of its parameters (the worst repeat); not reached: the smallest gap any run got to. */
  gap: number;
  /** Why it did not reach the gap, or what limited it. */
  note?: string;
}

/**
 * The smallest k in [1, hi] with `reaches(k)`, given that it holds at hi and at every k above the answer: the guess
 * and its neighbour first (one or two probes when the guess is right), then bisection. No k is probed twice.
 */
export async function smallestReaching(reaches: (k: number) => Promise<boolean>, hi: number, guess?: number): Promise<number> {
  let lo = 0;
  const probe = async (k: number) => {
    if (await reaches(k)) hi = k;
    else lo = k;
  };
  const g = Math.min(hi, Math.max(1, Math.round(guess ?? hi)));
  if (g < hi) await probe(g);
  if (hi === g && g - 1 > lo) await probe(g - 1);
  else if (lo === g && g + 1 < hi) await probe(g + 1);
  while (hi - lo > 1) await probe(Math.floor((lo + hi) / 2));
  return hi;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A candidate's repeats (each the run that reached the gap, or the best one that did not) as a result. */
export function summarize(r: Pick<GapRunner, 'backend' | 'device' | 'solver'>, points: readonly GapPoint[], target: number, note?: string): GapResult {
  const reached = points.length > 0 && points.every((p) => p.gap <= target);
  const runs = points.map((p) => p.seconds);
  const longest = points.reduce<GapPoint | null>((a, p) => (!a || p.iterations > a.iterations ? p : a), null);
  const gaps = points.map((p) => p.gap);
  const cpu = points.flatMap((p) => (p.cpuSeconds === undefined ? [] : [p.cpuSeconds]));
  return {
    backend: r.backend, device: r.device, solver: r.solver, reached,
    seconds: runs.length ? median(runs) : NaN, secondsMin: Math.min(...runs),
    cpuSeconds: cpu.length ? median(cpu) : null, runs,
    iterations: longest?.iterations ?? 0, passes: longest?.passes ?? 0,
    gap: reached ? Math.max(...gaps) : Math.min(Infinity, ...gaps),
    ...(note ? { note } : {}),
  };
}

/** How the optimum was found. */
export interface GapReference {
  solver: SolverKind;
  objective: number;
  seconds: number;
  iterations: number;
  passes: number;
  converged: boolean;
  reason: string;
}

/** The solver that finds a problem's optimum most exactly on the f64 reference backend, or null when none can. */
export function referenceSolver(loss: LossKind, penalty: string): SolverKind | null {
  const can = solversFor(loss, penalty);
  return (['exact', 'newton', 'dcd', 'smoothing', 'lbfgs'] as const).find((s) => can.includes(s)) ?? null;
}

/** The training options of `given` that apply to `solver` (the others would be refused). */
export function optionsFor(given: Readonly<Record<string, unknown>>, solver: SolverKind): Record<string, unknown> {
  const spec = parseTrainSpec({ ...given, solver }, { strict: false });
  const out: Record<string, unknown> = { solver };
  for (const o of TRAIN_OPTIONS) {
    const v = given[o.key] ?? given[o.name];
    if (v !== undefined && o.key !== 'solver' && applies(o, spec)) out[o.key] = v;
  }
  return out;
}

/** Mean loss + penalty of parameters (original units) over a store's rows, by a session of the f64 reference backend. */
async function objectiveOf(session: TrainSession, data: ResidentData, model: ModelSpec, params: ModelParams): Promise<number> {
  const { d, outputs } = model;
  if (params.weights.length !== d * outputs || params.bias.length !== outputs) {
    throw new Error(`parameters of ${params.bias.length} output(s) × ${params.weights.length / Math.max(1, params.bias.length)} features do not fit this problem (${outputs} × ${d})`);
  }
  session.writeModel(params);
  const s = await session.evaluate(data.store, 0);
  return s.loss / s.rows + penaltyValue(params.weights, model.penaltyHp);
}

/** A problem with its optimum: the data resident on the f64 reference backend, and the objective evaluated there. */
export class GapProblem {
  private constructor(
    readonly spec: TrainSpec, readonly given: Readonly<Record<string, unknown>>, readonly data: ResidentData,
    private readonly session: TrainSession, readonly model: ModelSpec, readonly reference: GapReference,
    readonly fStar: number,
  ) {}

  /** Loads `data` (on the reference backend, for the loss) and solves `given` (training options by key) to its optimum. */
  static async create(reference: Backend, data: ResidentData, given: Readonly<Record<string, unknown>>): Promise<GapProblem> {
    const spec = parseTrainSpec({ ...given, solver: 'gd' }, { strict: false });
    if (spec.standardize) throw new Error('--to-gap measures the objective in the units of the data: drop --standardize');
    const solver = referenceSolver(spec.loss, spec.penalty);
    if (!solver) throw new Error(`no solver finds the optimum of --loss ${spec.loss} with --penalty ${spec.penalty}, so there is no gap to measure`);
    const iterative = solver !== 'exact';
    const t0 = now();
    const r = await trainResident(reference, data, { ...optionsFor(given, solver), ...(iterative ? { solverTol: 1e-13, maxIter: 1000 } : {}) });
    const seconds = now() - t0;
    const outputs = LOSSES[spec.loss].task === 'multiclass' ? data.classes!.length : 1;
    const model = modelSpecOf(spec, data.d, outputs);
    const session = await reference.createSession(data.store, model, undefined, { batch: Math.max(1, data.rows), shuffle: false, average: false, gradient: false });
    const fStar = await objectiveOf(session, data, model, r.params);
    return new GapProblem(spec, given, data, session, model, {
      solver, objective: fStar, seconds, iterations: r.solve?.iterations.length ?? 0, passes: r.solve?.passes ?? 1,
      converged: r.solve?.converged ?? true, reason: r.solve?.reason ?? 'exact least squares (QR in f64)',
    }, fStar);
  }

  /** Mean loss + penalty of parameters (original units) over the rows, in f64. */
  objective(params: ModelParams): Promise<number> {
    return objectiveOf(this.session, this.data, this.model, params);
  }

  /** The least objective any parameters measured here had (below F* only by rounding, or the reference stopped early). */
  best = Infinity;

  /** The relative gap of parameters to the optimum. */
  async gap(params: ModelParams): Promise<number> {
    const f = await this.objective(params);
    this.best = Math.min(this.best, f);
    return relativeGap(f, this.fStar);
  }

  dispose(): void {
    this.session.dispose();
  }
}

/** What the benchmark does besides the candidates: the target gap, the repeats, and where progress goes. */
export interface GapBenchOptions {
  target: number;
  runs: number;
  say?: (line: string) => void;
}

/** One candidate's state across the repeats. */
class Candidate {
  readonly points: GapPoint[] = [];
  /** The run length (iterations or epochs) that reaches the gap; null: not reached (nothing to repeat). */
  k: number | null = null;
  note?: string;

  constructor(readonly runner: GapRunner, private readonly problem: GapProblem, private readonly target: number) {}

  private async point(o: RunOutcome): Promise<GapPoint> {
    const gap = await this.problem.gap(o.params);
    return { seconds: o.seconds, ...(o.cpuSeconds !== undefined ? { cpuSeconds: o.cpuSeconds } : {}), iterations: o.iterations, passes: o.passes, gap };
  }

  /** The first repeat: the candidate's own run, then (when that reaches the gap) the shortest budget that does. */
  async search(): Promise<void> {
    const { runner, target } = this;
    const full = await runner.run(null);
    const fullPoint = await this.point(full);
    if (runner.mode === 'once') {
      this.points.push(fullPoint);
      this.k = 1;
      if (fullPoint.gap > target) this.note = 'its own settings stop above the gap';
      return;
    }
    if (fullPoint.gap > target) {
      this.points.push(fullPoint);
      this.note = full.converged ? 'stopped by its own tolerance first' : `not within its budget of ${full.iterations} ${runner.unit}`;
      return;
    }
    const probes = new Map<number, GapPoint>([[full.iterations, fullPoint]]);
    const guess = (full.objectives?.findIndex((f) => relativeGap(f, this.problem.fStar) <= target) ?? -1) + 1;
    const k = await smallestReaching(async (k) => {
      if (!probes.has(k)) probes.set(k, await this.point(await runner.run(k)));
      return probes.get(k)!.gap <= target;
    }, full.iterations, guess || undefined);
    this.points.push(probes.get(k)!);
    this.k = k;
  }

  /** A later repeat: the same run again. */
  async repeat(): Promise<void> {
    if (this.k === null) return;
    this.points.push(await this.point(await this.runner.run(this.runner.mode === 'once' ? null : this.k)));
    if (this.points[0].gap <= this.target && this.points.some((p) => p.gap > this.target)) {
      this.note = 'the same run missed the gap in some repeats (nondeterministic sums)';
    }
  }
}

/** Times every candidate to the target gap, repeats alternating over the candidates; one result per candidate. */
export async function gapBenchmark(problem: GapProblem, runners: readonly GapRunner[], o: GapBenchOptions): Promise<GapResult[]> {
  const cands = runners.map((r) => new Candidate(r, problem, o.target));
  const failed = new Map<Candidate, string>();
  for (let round = 0; round < o.runs; round++) {
    for (const c of cands) {
      if (failed.has(c)) continue;
      try {
        await (round === 0 ? c.search() : c.repeat());
      } catch (e) {
        failed.set(c, `failed: ${(e as Error).message.split('\n')[0]}`);
      }
      if (round === 0) {
        const p = c.points[0];
        o.say?.(`${c.runner.backend} ${c.runner.solver}: ${failed.get(c) ?? (p && p.gap <= o.target ? `gap ${p.gap.toExponential(2)} in ${p.seconds.toPrecision(3)} s` : `not reached (${c.note})`)}\n`);
      }
    }
  }
  return cands.map((c) => summarize(c.runner, c.points, o.target, failed.get(c) ?? c.note));
}
