// The quadratic examples through the engine (f64 reference): J(w) = w² from w = 20, where plain SGD multiplies w by
// 1 − 2α each step (16, 12.8, 10.24 at α = 0.1, the notes' numbers); and the narrow valley J = (a·w1² + b·w2²)/2,
// where SGD's path is the closed form w_i·(1 − α·a_i)^t, momentum overshoots the minimum, Adam's first step moves
// each weight by α, and a rate past 2/b diverges (kept up to where the engine stopped it when asked).
import { describe, expect, it } from 'vitest';
import { OPTIMIZER_NAMES } from '../../src/core/optim';
import { CpuBackend } from '../../src/cpu/backend';
import { DivergedError } from '../../src/train/health';
import { quadraticPaths, valleyLoss, valleyPaths } from '../../src/train/quadratic';

const reference = new CpuBackend();

describe('quadraticPaths: J(w) = w² from w = 20', () => {
  it('plain SGD at α = 0.1 gives 16, 12.8, 10.24, … (w·0.8^t)', async () => {
    const sgd = (await quadraticPaths(reference, { optimizers: ['sgd'], steps: 5 })).get('sgd')!;
    expect(sgd.slice(0, 4)).toEqual([20, expect.closeTo(16, 12), expect.closeTo(12.8, 12), expect.closeTo(10.24, 12)]);
    sgd.forEach((w, t) => expect(w).toBeCloseTo(20 * 0.8 ** t, 12));
  });

  it('runs every optimizer by default; momentum crosses zero, Adam moves by about α per step', async () => {
    const paths = await quadraticPaths(reference, { steps: 20 });
    expect([...paths.keys()]).toEqual(OPTIMIZER_NAMES);
    for (const p of paths.values()) expect(p).toHaveLength(21);
    expect(Math.min(...paths.get('momentum')!)).toBeLessThan(0);
    paths.get('adam')!.slice(1).forEach((w, i) => expect(Math.abs(paths.get('adam')![i] - w)).toBeCloseTo(0.1, 2));
  });
});

describe('valleyPaths: J(w1, w2) = (a·w1² + b·w2²)/2, full batch', () => {
  // Square curvatures make the float32 rows (√a, 0) and (0, √b) exact, so the closed form holds to f64 rounding.
  const curvature = [1, 16] as const;
  const start = [-8, 2] as const;

  it('SGD follows the closed form w_i·(1 − α·a_i)^t: along the valley it crawls, across it it zigzags', async () => {
    const lr = 0.1;
    const path = (await valleyPaths(reference, { optimizers: ['sgd'], lr, steps: 30, start, curvature })).get('sgd')!;
    expect(path).toHaveLength(31);
    path.forEach(([w1, w2], t) => {
      expect(w1).toBeCloseTo(start[0] * (1 - lr * curvature[0]) ** t, 10);
      expect(w2).toBeCloseTo(start[1] * (1 - lr * curvature[1]) ** t, 10);
    });
    // 1 − 0.1·16 = −0.6: w2 changes sign every step.
    for (let t = 1; t < 10; t++) expect(Math.sign(path[t][1])).toBe(-Math.sign(path[t - 1][1]));
  });

  it('momentum overshoots the minimum along the valley; SGD at the same rate never does', async () => {
    const paths = await valleyPaths(reference, { optimizers: ['sgd', 'momentum'], lr: 0.1, steps: 40, start, curvature });
    expect(Math.max(...paths.get('momentum')!.map(([w1]) => w1))).toBeGreaterThan(1);
    expect(Math.max(...paths.get('sgd')!.map(([w1]) => w1))).toBeLessThan(0);
    // Its first step is SGD's (the velocity starts at zero), then it builds speed.
    expect(paths.get('momentum')![1]).toEqual(paths.get('sgd')![1]);
    expect(paths.get('momentum')![3][0]).toBeGreaterThan(paths.get('sgd')![3][0]);
  });

  it("Adam's first step moves each weight by α against its gradient's sign, whatever the curvature", async () => {
    const [w0, w1] = (await valleyPaths(reference, { optimizers: ['adam'], lr: 0.05, steps: 1, start, curvature })).get('adam')!;
    expect(w1[0] - w0[0]).toBeCloseTo(0.05, 6);
    expect(w1[1] - w0[1]).toBeCloseTo(-0.05, 6);
  });

  it('passes the hyperparameters through the spec, and the condition number sets the curvatures', async () => {
    const o = { optimizers: ['momentum'] as const, lr: 0.05, steps: 10, start, curvature: [1, 9] as const };
    const slow = (await valleyPaths(reference, { ...o, spec: { momentum: 0.5 } })).get('momentum')!;
    const fast = (await valleyPaths(reference, o)).get('momentum')!;
    expect(slow[10]).not.toEqual(fast[10]);
    // The loss the engine minimized is the valley's J: it falls from J(start) for SGD at a stable rate.
    const sgd = (await valleyPaths(reference, { ...o, optimizers: ['sgd'] })).get('sgd')!;
    const losses = sgd.map(([w1, w2]) => valleyLoss(o.curvature, w1, w2));
    expect(losses[0]).toBe((64 + 9 * 4) / 2);
    for (let t = 1; t < losses.length; t++) expect(losses[t]).toBeLessThan(losses[t - 1]);
  });

  it('a rate past 2/b diverges: an error by default, the path up to the engine stopping it with keepDiverged', async () => {
    const o = { optimizers: ['sgd'] as const, lr: 0.2, steps: 40, start, curvature };
    await expect(valleyPaths(reference, o)).rejects.toBeInstanceOf(DivergedError);
    const path = (await valleyPaths(reference, { ...o, keepDiverged: true })).get('sgd')!;
    expect(path.length).toBeGreaterThan(2);
    expect(path.length).toBeLessThan(41);
    expect(Math.abs(path.at(-1)![1])).toBeGreaterThan(Math.abs(start[1]) * 3);
  });

  it('rejects a curvature that is not positive', async () => {
    await expect(valleyPaths(reference, { curvature: [1, 0] })).rejects.toThrow(/curvatures must be finite and > 0/);
  });
});
