// The downloaded model is the CLI's model file (core/model_file.ts): it parses back with the CLI's reader.
import { describe, expect, it } from 'vitest';
import { parseModelFile } from '../../src/core/model_file';
import { modelFileFor, type TrainedModel } from '../../src/web/export';

describe('modelFileFor', () => {
  it('writes a downhill.linear file with the run’s training settings', () => {
    const m: TrainedModel = {
      backend: 'webgpu', device: 'google / swiftshader', params: { weights: Float64Array.of(1.5, -2), bias: 0.25 },
      metrics: { rows: 100, mse: 0.01, mae: 0.08, r2: 0.99 }, epochsDone: 3, stopped: true, secondsPerEpoch: 0.2,
    };
    const file = modelFileFor(m, { features: ['a', 'b'], target: 'y', rows: 100, description: 'test data' },
      { lr: 0.05, batch: Infinity, epochs: 10, seed: 1, fitBias: true, standardize: false, backends: ['webgpu'] });
    const back = parseModelFile(JSON.stringify(file), 'model.json');
    expect(back).toMatchObject({ format: 'downhill.linear', version: 1, features: ['a', 'b'], target: 'y', weights: [1.5, -2], bias: 0.25, fitBias: true, loss: 'mse' });
    expect(back.training).toMatchObject({ epochs: 3, batch: 'full', lr: 0.05, seed: 1, backend: 'webgpu', stopped: true, rows: 100 });
    expect(back.metrics?.r2).toBe(0.99);
  });
});
