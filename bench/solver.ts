// The exact solver's costs on the host: the streamed QR pass (rows/s at D = 16 and 64, float32 rows → f64 R) and the
// solve on R alone at D = 1000 (rank decision, condition estimate, back substitution; ridge; and from a Gram matrix
// by Cholesky), median of 3 after a warm-up. The GPU Gram pass is timed by `bench/gram_gpu.ts`.
//
//   npx vite build --ssr bench/solver.ts --outDir node_modules/.cache/downhill-bench-solver --emptyOutDir --logLevel warn \
//     && node node_modules/.cache/downhill-bench-solver/cli.js
import { Rng } from '../src/core/rng';
import { factorFromGram, LeastSquaresStream, solveFactor } from '../src/core/solver/least_squares';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(f: () => void, runs = 3): number {
  f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push((performance.now() - t0) / 1000);
  }
  return median(t);
}

function rows(n: number, d: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let t = 0.5;
    for (let j = 0; j < d; j++) {
      x[r * d + j] = rng.uniform(-1, 1);
      t += x[r * d + j] * ((j % 7) - 3);
    }
    y[r] = t + 0.1 * rng.normal();
  }
  return { x, y };
}

console.log('streamed QR pass (host, one thread): float32 rows → f64 R');
for (const [d, n] of [[16, 1_000_000], [64, 200_000]] as const) {
  const data = rows(n, d, d);
  const s = time(() => {
    const ls = new LeastSquaresStream(d, true);
    for (let r = 0; r < n; r += 65536) {
      const m = Math.min(65536, n - r);
      ls.add(data.x.subarray(r * d, (r + m) * d), data.y.subarray(r, r + m), m);
    }
    ls.factor();
  });
  console.log(`  D = ${d}: ${n} rows in ${s.toFixed(3)} s = ${(n / s / 1e6).toFixed(2)}M rows/s`);
}

const d = 1000;
const n = 2 * (d + 2);
const data = rows(n, d, 1);
let t0 = performance.now();
const ls = new LeastSquaresStream(d, true);
ls.add(data.x, data.y, n);
const f = ls.factor();
console.log(`\nD = ${d}: R of ${n} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (setup)`);
const plain = time(() => solveFactor(f));
const ridge = time(() => solveFactor(f, { alpha: 0.01 }));
const p = f.p;
const g = new Float64Array(p * p);
for (let k = 0; k < p; k++) for (let i = k; i < p; i++) {
  const a = f.r[k * p + i];
  if (a !== 0) for (let j = i; j < p; j++) g[i * p + j] += a * f.r[k * p + j];
}
for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) g[i * p + j] = g[j * p + i];
t0 = performance.now();
const gram = time(() => solveFactor(factorFromGram(g, { ...f, relError: 1e-7 })));
console.log(`  solve on R (rank, condition estimate, back substitution): ${plain.toFixed(3)} s`);
console.log(`  ridge (R of [A; √λ·I] by Givens, then as above): ${ridge.toFixed(3)} s`);
console.log(`  from a Gram matrix (Cholesky, then as above): ${gram.toFixed(3)} s`);
