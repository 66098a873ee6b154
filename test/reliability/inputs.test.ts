// The library boundary (src/train/inputs.ts): train() checks names, chunk shapes and values of what it is given and
// stops with what and where, instead of training on zero-filled or misaligned rows.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset';
import { CpuBackend } from '../../src/cpu/backend';
import { memorySource, type DataSource } from '../../src/data/source';
import { linearDataset } from '../../src/data/synthetic';
import { train, uploadDataset } from '../../src/train/train';

const cpu = new CpuBackend();
const opts = { epochs: 2, batch: 16, lr: 0.05 };

function ds(over: Partial<Dataset> = {}, x: Float32Array = new Float32Array(12), y: Float32Array = new Float32Array(4)): Dataset {
  return { features: ['a', 'b', 'c'], target: 'y', rows: 4, chunks: [{ rows: 4, x, y }], ...over };
}

async function message(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: Error) => err);
  expect(e, 'expected an error').toBeInstanceOf(Error);
  return e!.message;
}

describe('train() checks what it is given', () => {
  it.each([
    ['x of the wrong length', ds({}, new Float32Array(10)), /chunk 0 holds 10 x values for 4 rows of 3 features \(a, b, c\); expected 12/],
    ['y shorter than the rows', ds({}, undefined, new Float32Array(3)), /chunk 0 holds 3 targets for 4 rows/],
    ['names that do not match D', ds({ features: ['a', 'b'] }), /chunk 0 holds 12 x values for 4 rows of 2 features \(a, b\); expected 8/],
    ['a row count that is not the chunks\'', ds({ rows: 5 }), /rows is 5 but the chunks hold 4 rows/],
    ['a repeated feature name', ds({ features: ['a', 'b', 'a'] }), /the feature name "a" appears more than once/],
    ['the target among the features', ds({ target: 'b' }), /the target "b" is also listed as a feature/],
    ['no features', ds({ features: [] }), /features must be a non-empty list/],
    ['plain arrays', ds({}, [0, 0, 0] as unknown as Float32Array), /x and y must be Float32Arrays/],
  ])('%s', async (_, data, want) => {
    expect(await message(train(cpu, data, opts))).toMatch(want);
  });

  it('NaN or Infinity in memory is named by row and column', async () => {
    const x = new Float32Array(12);
    x[7] = NaN;
    expect(await message(train(cpu, ds({}, x), opts))).toMatch(/dataset: row 3 \(column 2 "b"\): NaN is not a number/);
    const y = Float32Array.of(1, 2, Infinity, 4);
    expect(await message(uploadDataset(cpu, ds({}, undefined, y)))).toMatch(/row 3 \(column 1 "y"\): Infinity is not finite/);
  });

  it('a source whose chunks break their promise is stopped', async () => {
    const good = memorySource(linearDataset({ rows: 50, features: 2, seed: 1 }));
    const bad: DataSource = {
      // No random access: the engine reads its chunks (with readRows it would load through that instead).
      ...good, description: 'my source', readRows: undefined, readRowsInto: undefined,
      async *read() {
        yield { rows: 10, x: new Float32Array(10), y: new Float32Array(10), firstRow: 0 };
      },
    };
    expect(await message(train(cpu, bad, opts))).toMatch(/my source: the chunk at row 1 holds 10 x values for 10 rows of 2 features \(x1, x2\); expected 20/);
  });

  it('starting parameters must match the model', async () => {
    const data = linearDataset({ rows: 50, features: 3, seed: 1 });
    const init = { weights: new Float64Array(2), bias: new Float64Array(1) };
    expect(await message(train(cpu, data, { ...opts, init }))).toMatch(/init: expected 1 × 3 finite weights and 1 biases, got 2 weights/);
  });

  it('a validation share that leaves no training rows says so', async () => {
    const tiny = linearDataset({ rows: 3, features: 2, seed: 1 });
    const m = await message(train(cpu, tiny, { ...opts, validation: 0.99, seed: 3 }));
    expect(m).toMatch(/no rows left to train on: --validation 0\.99 held out all 3 rows/);
  });
});
