// The GPU Gram pass (shaders/gram.wgsl) against the full-batch gradient pass on the same resident rows: rows/s of
// each and their ratio (issue 11's target: Gram ≥ 50% of the gradient pass at D = 64): the two alternate for BENCH_ROUNDS
// rounds (default 5) after a warm-up, medians reported.
// BENCH_ROWS (default 1048576) and BENCH_D (default "16,64") change the problem.
//
//   npx vite build --ssr bench/gram_gpu.ts --outDir node_modules/.cache/downhill-bench-gram --emptyOutDir --logLevel warn \
//     && node node_modules/.cache/downhill-bench-gram/cli.js
import { linearDataset } from '../src/data/synthetic';
import { WebGpuBackend } from '../src/gpu/backend';
import { GramPass } from '../src/gpu/gram';
import type { GpuStore } from '../src/gpu/store';
import { trainResident, uploadDataset } from '../src/train/train';

const rows = Number(process.env.BENCH_ROWS ?? 1 << 20);
const dims = (process.env.BENCH_D ?? '16,64').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const gpu = await WebGpuBackend.create();
console.log(`adapter: ${gpu.device}; ${rows} rows, resident`);
try {
  for (const d of dims) {
    const data = await uploadDataset(gpu, linearDataset({ rows, features: d, seed: d }));
    try {
      const store = data.store as GpuStore;
      const pass = await GramPass.create(gpu.ctx, d);
      const shift = new Float64Array(d);
      const gramOnce = async () => {
        const t0 = performance.now();
        for (let s = 0; s < store.slots.length; s++) await pass.run(store.slots[s].x, store.slots[s].y, 0, store.rowsIn[s], shift, 0);
        return (performance.now() - t0) / 1000;
      };
      const gradOnce = async () => (await trainResident(gpu, data, { epochs: 1, batch: Infinity, lr: 0.1, skipFinalMetrics: true })).epochs[0].seconds;
      await gramOnce();
      await gradOnce();
      // Alternate the two so that other load on the machine weighs on both alike.
      const gramT: number[] = [];
      const gradT: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        gramT.push(await gramOnce());
        gradT.push(await gradOnce());
      }
      pass.dispose();
      const gram = median(gramT);
      const grad = median(gradT);
      console.log(`D = ${d}: Gram pass ${(gram * 1000).toFixed(0)} ms (${(rows / gram / 1e6).toFixed(2)}M rows/s), ` +
        `full-batch gradient epoch ${(grad * 1000).toFixed(0)} ms (${(rows / grad / 1e6).toFixed(2)}M rows/s): Gram at ${(100 * grad / gram).toFixed(0)}% of the gradient pass's rows/s` +
        ` (per-round ratios ${gramT.map((g, i) => (100 * gradT[i] / g).toFixed(0)).join(', ')}%)`);
    } finally {
      data.dispose();
    }
  }
} finally {
  gpu.dispose();
}
