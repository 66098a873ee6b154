// Parity: Newton's Hessian on WebGPU (shaders/curvature.wgsl's row weights √(d²L/dz²) and the weighted Gram,
// src/gpu/curvature.ts) against its f64 CPU twin (src/cpu/hessian.ts addHessian) for every loss with a curvature, at
// awkward D, a piece starting inside its chunk, plain and standardized; the row weights' buffer poisoned first.
// Entries within atol + rtol·√(H_ii·H_jj) (a Gram entry's natural scale).
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES, type LossKind, type ScalarLoss } from '../../src/core/losses';
import { modelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { addHessian } from '../../src/cpu/hessian';
import { WebGpuBackend } from '../../src/gpu/backend';
import { readBuffer } from '../../src/gpu/buffers';
import { HessianPass } from '../../src/gpu/curvature';
import { packModel, gradLayout, packNorm } from '../../src/gpu/linear_grad';
import { packHyper } from '../../src/gpu/params';
import type { GpuStore } from '../../src/gpu/store';
import { storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();
const SMOOTH = LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass' && (LOSSES[n] as ScalarLoss).d2z);

// Every loss at two sizes; the two most used at the other awkward ones too (each size compiles a pipeline on lavapipe).
const CASES: [LossKind, number, boolean][] = SMOOTH.flatMap((loss): [LossKind, number, boolean][] =>
  [[loss, 1, false], [loss, 65, true], ...(loss === 'logistic' || loss === 'poisson' ? [[loss, 3, true], [loss, 63, false]] as [LossKind, number, boolean][] : [])]);

describe('Newton Hessian', () => {
  for (const [loss, d, standardize] of CASES) {
    it(`${loss}, D=${d}${standardize ? ', standardized' : ''}`, async () => {
      const { device } = gpu();
      const backend = WebGpuBackend.createSync(gpu());
      const rng = new Rng(d * 31 + loss.length);
      const rows = 211;
      const x = rng.uniformArray(rows * d);
      const unit = LOSSES[loss] as ScalarLoss;
      const positive = unit.checkTarget && unit.checkTarget(0) !== null;
      const y = Float32Array.from({ length: rows }, (_, i) => (unit.task === 'binary' ? i % 2 : unit.checkTarget ? (positive ? 0.5 : 0) + 3 * rng.float24() : rng.uniform(-1, 1)));
      const norm = standardize ? { mean: Float64Array.from(rng.uniformArray(d, -0.5, 0.5)), invStd: Float64Array.from(rng.uniformArray(d, 0.5, 2)) } : undefined;
      const spec = modelSpec({ d, loss, standardize: norm, lossParams: { huberDelta: 0.5, tweediePower: 1.4 } });
      const scale = unit.link(8, spec.lossHp) > 100 ? 0.3 / Math.sqrt(d) : 1;
      const p = { weights: Float64Array.from(rng.uniformArray(d), (v) => v * scale), bias: Float64Array.of(0.1) };
      const store = backend.createStore(d, rows) as GpuStore;
      await store.load(0, { rows, x, y });
      const layout = gradLayout(d);
      const buffers = {
        model: storage(device, 'model', packModel(p, layout)), norm: storage(device, 'norm', packNorm(layout, norm)),
        hp: (() => {
          const b = device.createBuffer({ size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
          device.queue.writeBuffer(b, 0, packHyper(spec.lossHp, spec.penaltyHp));
          return b;
        })(),
      };
      const pass = await HessianPass.create(gpu(), spec, store);
      try {
        const start = 5;
        const count = rows - 9;
        const wb = await pass.weights(store, 0, start, count, buffers, true);
        const w = new Float32Array(await readBuffer(device, wb, 0, count * 4));
        wb.destroy();
        for (let i = 0; i < count; i++) {
          const r = start + i;
          let z = p.bias[0];
          for (let j = 0; j < d; j++) z += (norm ? (x[r * d + j] - norm.mean[j]) * norm.invStd[j] : x[r * d + j]) * p.weights[j];
          const want = Math.sqrt(Math.max(0, unit.d2z!(z, y[r], spec.lossHp)));
          expect(Math.abs(w[i] - want), `row ${r}: ${w[i]} vs ${want}`).toBeLessThan(1e-5 + 1e-4 * want);
        }
        const step = { index: 0, t: 0, lr: 0, average: 0, rows: count, pieces: [{ chunk: 0, start, count, key: 0, shuffle: false }] } as never;
        const got = await pass.run(store, step, buffers);
        const want = new Float64Array((d + 1) ** 2);
        addHessian(want, { x, x0: 0, stride: d, y, y0: 0, start, count }, p, spec);
        const n = d + 1;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const ref = want[i * n + j] / count;
            const size = Math.sqrt(Math.abs(want[i * n + i] * want[j * n + j])) / count;
            expect(Math.abs(got[i * n + j] - ref), `H[${i}][${j}]: ${got[i * n + j]} vs ${ref}`).toBeLessThan(1e-6 + 2e-5 * size);
          }
        }
      } finally {
        pass.dispose();
        store.dispose();
        for (const b of Object.values(buffers)) b.destroy();
      }
    });
  }
});
