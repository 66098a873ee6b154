// The downloaded model is the CLI's model file (core/model_file.ts, version 2): it parses back with the CLI's
// reader, with the loss, the penalty, the classes and K × D weights, and the run's training record.
import { describe, expect, it } from 'vitest';
import { parseModelFile, type ModelFile } from '../../../src/core/model_file';
import { parseTrainSpec } from '../../../src/core/spec';
import { modelFileFor, modelFileName, type TrainedModel } from '../../../src/web/runs/export';

const run = (o: Partial<TrainedModel>): TrainedModel => ({
  backend: 'webgpu', device: 'google / swiftshader', params: { weights: Float64Array.of(1.5, -2), bias: Float64Array.of(0.25) }, classes: null,
  metrics: { task: 'regression', rows: 100, loss: 0.01, mse: 0.01, rmse: 0.1, mae: 0.08, r2: 0.99 },
  validation: null, epochsDone: 3, stopped: true, secondsPerEpoch: 0.2, epochLosses: [0.5, 0.1, 0.01], ...o,
});
const on = { features: ['a', 'b'], target: 'y', rows: 100, description: 'test data', data: { kind: 'linear', rows: 100 } };

describe('modelFileFor', () => {
  it('writes a version-2 file with the spec’s loss and penalty and the run’s training record', () => {
    const spec = parseTrainSpec({ loss: 'huber', huberDelta: 0.5, penalty: 'l2', alpha: 0.01, lr: 0.05, batch: 'full', epochs: 10, seed: 1 });
    const file: ModelFile = JSON.parse(JSON.stringify(modelFileFor(run({}), on, spec)));
    expect(file).toMatchObject({
      format: 'downhill.linear', version: 2, task: 'regression', loss: 'huber', lossParams: { huberDelta: 0.5 },
      penalty: 'l2', penaltyParams: { alpha: 0.01 }, classes: null, weights: [[1.5, -2]], bias: [0.25], fitBias: true,
    });
    expect(file.training).toMatchObject({
      epochs: 3, batch: 'full', lr: 0.05, seed: 1, backend: 'webgpu', stopped: true, rows: 100, epochLosses: [0.5, 0.1, 0.01], dataSettings: on.data,
    });
    expect(file.metrics).toMatchObject({ task: 'regression', r2: 0.99 });
    const back = parseModelFile(JSON.stringify(file), 'model.json');
    expect(back).toMatchObject({ version: 2, task: 'regression', loss: 'huber', features: ['a', 'b'], target: 'y', classes: null, fitBias: true });
    expect([...back.params.weights, ...back.params.bias]).toEqual([1.5, -2, 0.25]);
  });

  it('records the classes and K rows of weights of a multiclass model', () => {
    const spec = parseTrainSpec({ loss: 'softmax', lr: 0.1, batch: 64, epochs: 5 });
    const m = run({
      params: { weights: Float64Array.of(1, 2, 3, 4, 5, 6), bias: Float64Array.of(0.1, 0.2, 0.3) }, classes: ['cat', 'dog', 'owl'],
      metrics: { task: 'classification', rows: 9, loss: 0.3, accuracy: 2 / 3, logLoss: 0.3, confusion: [[3, 0, 0], [1, 2, 0], [0, 2, 1]] },
    });
    const file = modelFileFor(m, on, spec);
    expect(file).toMatchObject({ version: 2, task: 'multiclass', loss: 'softmax', classes: ['cat', 'dog', 'owl'], weights: [[1, 2], [3, 4], [5, 6]], bias: [0.1, 0.2, 0.3] });
    const back = parseModelFile(JSON.stringify(file), 'model.json');
    expect(back.classes).toEqual(['cat', 'dog', 'owl']);
    expect(file.training).toMatchObject({ validation: 0 });
    expect(file.training?.validationMetrics).toBeUndefined();
    const held = modelFileFor({ ...m, validation: { ...(m.metrics as object), rows: 3 } as TrainedModel['validation'] }, on, spec);
    expect(held.training?.validationMetrics).toMatchObject({ rows: 3, task: 'classification' });
    expect(back.params.bias).toHaveLength(3);
    expect(file.metrics).toMatchObject({ accuracy: 2 / 3, confusion: [[3, 0, 0], [1, 2, 0], [0, 2, 1]] });
  });

  it('names the download after the data, the loss and the backend', () => {
    expect(modelFileName('blobs', parseTrainSpec({ loss: 'softmax' }), 'cpu')).toBe('downhill-blobs-softmax-cpu.json');
    expect(modelFileName('my prices (2024).csv', parseTrainSpec({}), 'webgpu')).toBe('downhill-my-prices-2024-squared-webgpu.json');
  });
});
