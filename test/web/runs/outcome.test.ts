// How a run ended, in the page's words (src/web/runs/outcome.ts), and what a run that survives a reload records
// (src/web/runs/saved_run.ts): done with which backend was faster and the software-renderer caveat; when one of two
// backends diverges, its message first and the other's model kept, stopped there; the saved data of a file by key.
import { describe, expect, it } from 'vitest';
import { parseTrainSpec } from '../../../src/core/spec';
import { DivergedError } from '../../../src/train/health';
import type { TrainedModel } from '../../../src/web/runs/export';
import { fasterText, isSoftware, outcome } from '../../../src/web/runs/outcome';
import { savedData, savedSpec } from '../../../src/web/runs/saved_run';

const spec = parseTrainSpec({ lr: '0.05' });
const model = (backend: 'webgpu' | 'cpu', o: Partial<TrainedModel> = {}): TrainedModel => ({
  backend, device: backend === 'webgpu' ? 'google / swiftshader' : 'CPU', params: { weights: new Float64Array(1), bias: new Float64Array(1) }, classes: null,
  metrics: null, validation: null, epochsDone: 10, stopped: false, secondsPerEpoch: backend === 'webgpu' ? 0.01 : 0.03, epochLosses: [], ...o,
});

describe('outcome', () => {
  it('says Done, which backend was faster, and that a software renderer\'s times say nothing about a GPU', () => {
    const end = outcome([{ kind: 'webgpu', model: model('webgpu') }, { kind: 'cpu', model: model('cpu') }], spec, () => []);
    expect(end.state).toBe('done');
    expect(end.text).toBe('Done (WebGPU: 10 epochs; CPU: 10 epochs). WebGPU was 3× faster than the CPU (10.0 ms vs 30.0 ms per epoch). ' +
      'This adapter is a software renderer, so its times say nothing about a real GPU.');
    expect(isSoftware('NVIDIA GeForce RTX 4090')).toBe(false);
    expect(fasterText(new Map([['cpu', model('cpu')]]))).toBe('');
  });

  it('keeps the other backend\'s model when one diverges, and says so', () => {
    const e = new DivergedError({ epoch: 3, loss: 1e20, lr: 0.05, suggestedLr: 0.01, reason: 'learning-rate', what: 'mean batch loss 1e+20', advice: 'try --lr 0.01' });
    const end = outcome([{ kind: 'webgpu', error: e }, { kind: 'cpu', model: model('cpu', { stopped: true, epochsDone: 2 }) }], spec, () => [5, 900]);
    expect(end.state).toBe('diverged');
    expect(end.text).toMatch(/^WebGPU: Diverged in epoch 3: the loss grew from 5 to 1e20 .* try 0\.01.* CPU was stopped there; its model after 2 epochs is kept\.$/);
    const failed = outcome([{ kind: 'cpu', error: new Error('the worker failed') }], spec, () => []);
    expect(failed).toEqual({ state: 'failed', text: 'Training failed: the worker failed' });
  });
});

describe('a saved run\'s data', () => {
  it('is a file\'s cached rows by key, or what the form makes again', () => {
    const file = { kind: 'file' as const, file: new Blob(['a,y\n1,2\n']) as Blob & { name: string }, name: 'a.csv', size: 8, target: 'y', labels: false };
    const saved = savedData(file, 'file:a.csv:8:0:y:values:null');
    expect(saved).toEqual({ kind: 'file', key: 'file:a.csv:8:0:y:values:null', name: 'a.csv', size: 8, target: 'y', labels: false });
    expect(savedSpec(saved)).toEqual({ kind: 'file', file: { cached: 'file:a.csv:8:0:y:values:null' }, name: 'a.csv', size: 8, target: 'y', labels: false });
    expect(savedData({ kind: 'line', rows: 200, seed: 1, noise: 1 }, 'line:…')).toEqual({ kind: 'form' });
    expect(savedSpec({ kind: 'form' })).toBeNull();
  });
});
