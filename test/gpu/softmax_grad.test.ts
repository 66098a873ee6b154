// Parity: shaders/softmax_grad.wgsl against its f64 CPU twin (src/cpu/softmax_grad.ts via grad_rows) for K from 2
// to 100 outputs, plain, shuffled and standardized, with several tiles per workgroup, column blocks (K·(D/4 + 1)
// beyond one block of invocations) and evaluation with the K × K class counts; partial rows are poisoned first.
import { describe, it } from 'vitest';
import { softmaxLayout } from '../../src/gpu/softmax_grad';
import { checkGradCase } from '../helpers/grad_pass';
import { useGpu } from '../helpers/gpu';
import { expect } from 'vitest';

const gpu = useGpu();

describe('softmax_grad parity with the CPU twin', () => {
  for (const [d, k] of [[1, 2], [3, 3], [65, 17], [5, 100], [63, 7]] as const) {
    it(`D=${d}, K=${k}, plain`, () => checkGradCase(gpu(), { loss: 'softmax', d, k, rows: 1000 }, d * 101 + k));
    it(`D=${d}, K=${k}, shuffled piece`, () => checkGradCase(gpu(), { loss: 'softmax', d, k, rows: 1003, start: 7, count: 990, shuffle: true }, d * 13 + k));
    it(`D=${d}, K=${k}, standardized`, () => checkGradCase(gpu(), { loss: 'softmax', d, k, rows: 999, standardize: true, shuffle: true }, d * 7 + k));
    it(`D=${d}, K=${k}, evaluation with class counts`, () => checkGradCase(gpu(), { loss: 'softmax', d, k, rows: 1001, mode: 'evaluate' }, d + k));
  }
  it('column blocks: D=300, K=30 needs two blocks of gradient columns', async () => {
    expect(softmaxLayout(300, 30).blocks).toBe(2);
    await checkGradCase(gpu(), { loss: 'softmax', d: 300, k: 30, rows: 200, shuffle: true }, 21);
  });
  it('D=1000, K=3, few rows', () => checkGradCase(gpu(), { loss: 'softmax', d: 1000, k: 3, rows: 65 }, 22));
});
