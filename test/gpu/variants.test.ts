// The kernel variants against their oracles: the subgroup reductions (parts/*_subgroup.wgsl) against the
// workgroup-memory path and the CPU twin, on every kernel that has them (linear_grad: the row's lane sum and the
// partial-row tree; softmax_grad: its tree) at awkward sizes; and x stored as packed halves (parts/x_f16.wgsl) against
// the twin run on the same rounded values, for linear_grad, softmax_grad and gram. The subgroup size this ran with is
// printed and checked (src/gpu/subgroups.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import { f16Bits, f16Value, roundF16Array } from '../../src/core/f16';
import { Rng } from '../../src/core/rng';
import { gramCpu } from '../../src/cpu/gram';
import { GramPass, gramLayout } from '../../src/gpu/gram';
import { checkProbe, subgroupPlan, type SubgroupPlan } from '../../src/gpu/subgroups';
import { checkGradCase, type GradCase } from '../helpers/grad_pass';
import { storage, useGpu } from '../helpers/gpu';

const gpu = useGpu();
let plan: SubgroupPlan;

beforeAll(async () => {
  plan = await subgroupPlan(gpu());
  console.log(`subgroups: ${plan.reduction === 'subgroup' ? `measured size ${plan.measured}, shuffle runs SG = ${plan.sg}` : `not used (${plan.reason})`}`);
});

/** Runs a case with workgroup-memory and subgroup reductions (each against the twin), then compares the two. */
async function bothReductions(c: GradCase, seed: number, sg?: number): Promise<void> {
  expect(plan.reduction, `this adapter must run the subgroup variants (lavapipe does): ${plan.reason}`).toBe('subgroup');
  const wg = await checkGradCase(gpu(), { ...c, reduction: 'workgroup' }, seed);
  const sub = await checkGradCase(gpu(), { ...c, reduction: 'subgroup', sg: sg ?? plan.sg }, seed);
  // The same f32 terms added in another order: the tolerance of an f32 sum of `count` terms of size ~√D.
  const count = c.count ?? c.rows;
  const r = allclose(Array.from(sub), Array.from(wg), 4e-6 * count * Math.sqrt(c.d), 1e-5);
  expect(r.ok, `subgroup vs workgroup-memory reductions: ${r.message}`).toBe(true);
}

describe('the subgroup probe', () => {
  it('finds aligned runs on this adapter and says which size', () => {
    expect(plan.reduction).toBe('subgroup');
    expect(plan.sg).toBeGreaterThanOrEqual(1);
    expect(plan.measured % plan.sg).toBe(0);
  });
  it('rejects a layout that is not aligned runs', () => {
    const out = new Uint32Array(4 * 16);
    for (let i = 0; i < 16; i++) out.set([i % 4, 4, 4 * (i - (i % 4)) + 6, 0], 4 * i);
    expect(checkProbe(out, 16)).toBeNull();
    out[4 * 5] = 0;
    expect(checkProbe(out, 16)).toMatch(/invocation 5/);
  });
});

// Pipelines compile once per (loss, D, variant) and lavapipe compiles slowly: the cases share them where they can.
const SLOW = 600_000;

describe('subgroup reductions against workgroup memory: linear_grad', () => {
  // D = 65: 17 vec4s over 8 lanes a row (= the subgroup on lavapipe); D = 3: one lane; D = 1000: 64 lanes, wider than a subgroup.
  for (const rows of [1, 3, 63, 64, 65, 1000]) {
    it(`squared, D=65, ${rows} rows, shuffled`, () => bothReductions({ loss: 'squared', d: 65, rows, shuffle: true }, rows), SLOW);
  }
  it('squared, D=65, a piece inside the chunk over 64 workgroups', () => bothReductions({ loss: 'squared', d: 65, rows: 1003, start: 9, count: 990, maxGroups: 64 }, 6), SLOW);
  it('squared, D=3, 1000 rows', () => bothReductions({ loss: 'squared', d: 3, rows: 1000 }, 3), SLOW);
  it('squared, D=1000, 65 rows (rows wider than a subgroup)', () => bothReductions({ loss: 'squared', d: 1000, rows: 65, shuffle: true }, 4), SLOW);
  it('logistic, D=65, 999 rows, standardized, evaluation', () => bothReductions({ loss: 'logistic', d: 65, rows: 999, standardize: true, mode: 'evaluate' }, 5), SLOW);
  it('shuffle runs shorter than the subgroup (SG = 2: rows of 8 lanes span four runs)', () => bothReductions({ loss: 'squared', d: 65, rows: 777, shuffle: true }, 7, 2), SLOW);
});

describe('subgroup reductions against workgroup memory: softmax_grad', () => {
  for (const rows of [1, 64, 1000]) {
    it(`D=63, K=10, ${rows} rows`, () => bothReductions({ loss: 'softmax', d: 63, k: 10, rows, shuffle: true }, rows), SLOW);
  }
  it('D=3, K=3, evaluation with class counts', () => bothReductions({ loss: 'softmax', d: 3, k: 3, rows: 1001, mode: 'evaluate' }, 8), SLOW);
});

describe('f16 data: the kernels read the rounded values the twin reads', () => {
  it('half bits: round to nearest even, subnormals, overflow', () => {
    expect(f16Bits(1)).toBe(0x3c00);
    expect(f16Bits(-2)).toBe(0xc000);
    expect(f16Bits(65504)).toBe(0x7bff);
    expect(f16Bits(65520)).toBe(0x7c00);
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even significand
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16Bits(2 ** -24)).toBe(1);
    expect(f16Bits(2 ** -25)).toBe(0);
    expect(f16Value(0x3555)).toBeCloseTo(0.333251953125, 12);
    for (const v of new Rng(1).uniformArray(10000, -3, 3)) {
      const h = f16Value(f16Bits(v));
      expect(Math.abs(h - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
    }
  });
  for (const reduction of ['workgroup', 'subgroup'] as const) {
    it(`linear_grad, ${reduction} reductions: plain, shuffled piece, standardized evaluation`, async () => {
      const v = { dtype: 'f16' as const, reduction, sg: plan.sg };
      await checkGradCase(gpu(), { loss: 'squared', d: 65, rows: 1000, ...v }, 11);
      await checkGradCase(gpu(), { loss: 'squared', d: 65, rows: 1003, start: 5, count: 990, shuffle: true, ...v }, 12);
      await checkGradCase(gpu(), { loss: 'logistic', d: 65, rows: 999, standardize: true, mode: 'evaluate', ...v }, 13);
    }, SLOW);
    it(`softmax_grad, ${reduction} reductions`, async () => {
      const v = { dtype: 'f16' as const, reduction, sg: plan.sg };
      await checkGradCase(gpu(), { loss: 'softmax', d: 63, k: 10, rows: 1000, shuffle: true, ...v }, 15);
    }, SLOW);
  }
  it('gram: the Gram of the rounded values', async () => {
    const ctx = gpu();
    const [rows, d] = [3001, 13];
    const rng = new Rng(17);
    const x = roundF16Array(rng.uniformArray(rows * d));
    const y = rng.uniformArray(rows);
    const dp = 4 * Math.ceil(d / 4);
    const halves = new Uint16Array(rows * dp);
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) halves[r * dp + j] = f16Bits(x[r * d + j]);
    const shift = Float64Array.from({ length: d }, (_, j) => Math.fround(0.01 * j));
    const ref = gramCpu(x, y, d, 2, rows - 2, shift, 0.25);
    const pass = await GramPass.create(ctx, d, 'f16');
    const xb = storage(ctx.device, 'x', new Float32Array(halves.buffer));
    const yb = storage(ctx.device, 'y', y);
    try {
      const g = await ctx.scoped('gram f16', () => pass.run(xb, yb, 2, rows - 2, shift, 0.25, { poison: true }));
      const w = 4 * gramLayout(d).z4;
      for (let i = 0; i < w; i++) {
        for (let j = 0; j < w; j++) {
          const scale = Math.sqrt(ref[i * w + i] * ref[j * w + j]) || 1;
          expect(Math.abs(g[i * w + j] - ref[i * w + j]) / scale, `G[${i}][${j}]`).toBeLessThan(1e-6);
        }
      }
    } finally {
      pass.dispose();
      xb.destroy();
      yb.destroy();
    }
  });
});
