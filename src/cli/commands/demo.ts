// `downhill demo` (npm start): trains a built-in synthetic dataset on WebGPU and on the fast CPU backend (every
// core; the f64 reference too with --reference), and prints the fitted coefficients next to the true and exact
// least-squares ones, with the timings.
import { gapOf } from '../../core/solver/gap';
import { LeastSquaresStream, solveFactor } from '../../core/solver/least_squares';
import { regressionMetrics } from '../../core/metrics';
import { linearDataset } from '../../data/synthetic';
import { createBackend } from '../../train/backends';
import { train } from '../../train/train';
import { type TrainResult } from '../../train/report';
import { num, parse } from '../args';
import { fmt, table } from '../output';
import { duration, si } from '../progress';
import { quadraticCommand, QUADRATIC_USAGE } from './quadratic';

export const DEMO_USAGE = `downhill demo [--rows N] [--features D] [--epochs N] [--batch B] [--lr α] [--seed S] [--reference]
  trains a synthetic y = X·w* + b* + noise on WebGPU and on every CPU core (f32 SIMD), and with --reference on the
  f64 reference too (default 1000000 × 16)
${QUADRATIC_USAGE}`;

/** Runs the demo; returns the exit code. */
export async function demoCommand(argv: string[]): Promise<number> {
  if (argv.includes('--quadratic')) return quadraticCommand(argv.filter((a) => a !== '--quadratic'));
  const { values: v } = parse(argv, {
    rows: { type: 'string' }, features: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
    lr: { type: 'string' }, seed: { type: 'string' }, cpu: { type: 'boolean' }, reference: { type: 'boolean' },
  });
  const rows = num('rows', v.rows, 1_000_000, { integer: true, min: 1 });
  const d = num('features', v.features, 16, { integer: true, min: 1 });
  const o = {
    epochs: num('epochs', v.epochs, 5, { integer: true, min: 1 }),
    batch: num('batch', v.batch, 4096, { integer: true, min: 1, allowFull: true }),
    lr: num('lr', v.lr, 0.05, { positive: true }),
    seed: num('seed', v.seed, 0, { integer: true, min: 0, max: 2 ** 32 - 1 }),
  };
  console.log(`downhill demo: ${si(rows)} rows × ${d} features, y = X·w* + ${0.5} + N(0, 0.1²); ${o.epochs} epochs, batch ${o.batch}, lr ${o.lr}`);
  const ds = linearDataset({ rows, features: d, seed: o.seed });
  const ls = new LeastSquaresStream(d, true);
  for (const c of ds.chunks) ls.add(c.x, c.y, c.rows);
  const solution = solveFactor(ls.factor());
  const exact = solution.params;
  const results: TrainResult[] = [];
  const kinds = v.cpu === false ? (['webgpu'] as const) : v.reference ? (['webgpu', 'cpu', 'reference'] as const) : (['webgpu', 'cpu'] as const);
  for (const kind of kinds) {
    let backend;
    try {
      backend = await createBackend(kind);
    } catch (e) {
      console.log(`\n(no WebGPU here: ${(e as Error).message})`);
      continue;
    }
    try {
      process.stdout.write(`training on ${kind} (${backend.device}) … `);
      const r = await train(backend, ds, o);
      console.log(`${duration(r.secondsPerEpoch)} per epoch, final MSE ${fmt(regressionMetrics(r.final).mse, 5)}`);
      results.push(r);
    } finally {
      backend.dispose();
    }
  }
  const head = ['coefficient', 'true', 'least squares', ...results.map((r) => r.backend)];
  const body = ds.features.map((f, j) => [f, fmt(ds.truth.weights[j], 5), fmt(exact.weights[j], 5), ...results.map((r) => fmt(r.params.weights[j], 5))]);
  body.push(['(bias)', fmt(ds.truth.bias[0], 5), fmt(exact.bias[0], 5), ...results.map((r) => fmt(r.params.bias[0], 5))]);
  console.log(`\n${table([head, ...body])}`);
  console.log(`least squares: one streamed QR pass in f64; condition number ${solution.condition.toPrecision(3)}, rank ${solution.rank} of ${solution.columns}\n`);
  const timing = [['backend', 's/epoch', 'rows/s', 'upload', 'compile', 'MSE', 'R²', 'gap to optimum'],
    ...results.map((r) => [r.backend, r.secondsPerEpoch.toPrecision(3), si(rows / r.secondsPerEpoch), duration(r.uploadSeconds), duration(r.compileSeconds),
      fmt(regressionMetrics(r.final).mse, 5), fmt(regressionMetrics(r.final).r2, 5), gapOf(solution, r.params).gap.toExponential(1)])];
  console.log(table(timing));
  const g = results.find((r) => r.backend === 'webgpu');
  for (const c of results.filter((r) => r.backend !== 'webgpu')) {
    if (!g) continue;
    const compile = g.compileSeconds > 0.05 ? `, after ${duration(g.compileSeconds)} compiling its shaders once (not counted per epoch)` : '';
    console.log(`WebGPU ran at ${(c.secondsPerEpoch / g.secondsPerEpoch).toFixed(1)}× the speed of ${c.device} per epoch on this machine${compile}.`);
  }
  return 0;
}
