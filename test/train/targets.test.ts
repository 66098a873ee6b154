// What the target means for a loss (src/train/targets.ts): a multiclass loss on a target with nearly as many distinct
// values as rows is refused with a hint to use a regression loss; a real class target of a few labels is accepted.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset';
import { memorySource } from '../../src/data/source';
import { prepareTargets } from '../../src/train/targets';

const dataset = (y: number[]): Dataset => ({
  features: ['x'], target: 'price', rows: y.length, chunks: [{ rows: y.length, x: Float32Array.from(y, (_, i) => i), y: Float32Array.from(y) }],
});

describe('class targets', () => {
  it('softmax on a target with a value per row is refused, pointing at regression losses', async () => {
    const y = Array.from({ length: 200 }, (_, i) => 1000 + i * 3.5);
    await expect(prepareTargets(memorySource(dataset(y), 'prices.csv'), 'softmax')).rejects.toThrow(
      /prices\.csv: the target column "price" has 200 distinct values in 200 rows \(100%\): .*regression loss \(squared, huber, epsilon-insensitive, …\) instead of --loss softmax/);
    const half = Array.from({ length: 200 }, (_, i) => Math.floor(i / 1.9));
    await expect(prepareTargets(memorySource(dataset(half)), 'softmax')).rejects.toThrow(/distinct values in 200 rows/);
  });

  it('a few classes, even with few rows each, are classes', async () => {
    const y = Array.from({ length: 30 }, (_, i) => i % 10);
    const t = await prepareTargets(memorySource(dataset(y)), 'softmax');
    expect(t.classes).toHaveLength(10);
    expect(t.outputs).toBe(10);
  });
});
