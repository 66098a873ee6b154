// Parity: shaders/linear_grad.wgsl against its f64 CPU twin (src/cpu/linear_grad.ts via grad_rows) for every
// one-output loss in the registry, plain, shuffled and standardized, at awkward sizes (the last rows not filling
// a workgroup), in training and evaluation mode; partial rows are poisoned first (test/helpers/grad_pass.ts).
import { describe, it } from 'vitest';
import { checkGradCase } from '../helpers/grad_pass';
import { useGpu } from '../helpers/gpu';
import { SCALAR_LOSSES } from '../helpers/matrix';

const gpu = useGpu();

describe.each(SCALAR_LOSSES)('linear_grad parity with the CPU twin: %s', (loss) => {
  for (const d of [1, 3, 63, 65, 1000]) {
    const rows = d === 1000 ? 65 : 1000;
    it(`D=${d}, ${rows} rows, plain`, () => checkGradCase(gpu(), { loss, d, rows }, d * 7919 + loss.length));
    it(`D=${d}, shuffled piece in the middle of the chunk`, () =>
      checkGradCase(gpu(), { loss, d, rows: rows + 3, start: 5, count: rows - 9, shuffle: true }, d * 31 + loss.length));
    it(`D=${d}, standardized and shuffled`, () => checkGradCase(gpu(), { loss, d, rows, shuffle: true, standardize: true }, d * 17 + loss.length));
  }
  it('evaluation: no gradient, the metric sums and class counts', () => checkGradCase(gpu(), { loss, d: 7, rows: 777, mode: 'evaluate' }, 13));
});

describe('linear_grad at scale', () => {
  it('squared, D=64, 200000 rows, shuffled, 1024 workgroups', () =>
    checkGradCase(gpu(), { loss: 'squared', d: 64, rows: 200_000, shuffle: true, maxGroups: 1024 }, 14));
  it('logistic, D=64, 50000 rows, standardized, evaluation', () =>
    checkGradCase(gpu(), { loss: 'logistic', d: 64, rows: 50_000, standardize: true, mode: 'evaluate', maxGroups: 64 }, 15));
});
