// The page's training loop on the CPU backend (no browser): one engine call per epoch continues exactly
// where the last stopped, Pause holds it, Stop keeps the model so far, and the streamed path trains too;
// the built-in classification datasets train with their suggested settings, and resident data is keyed by target kind.
import { describe, expect, it } from 'vitest';
import { leastSquares } from '../../../src/core/lstsq';
import { regressionMetrics } from '../../../src/core/metrics';
import type { ModelParams } from '../../../src/core/model';
import { parseTrainSpec, type TrainSpec } from '../../../src/core/spec';
import { CpuBackend } from '../../../src/cpu/backend';
import { memorySource } from '../../../src/data/source';
import { linearDataset, lineDataset } from '../../../src/data/synthetic';
import { trainResident, uploadDataset } from '../../../src/train/train';
import { buildSynthetic } from '../../../src/web/data/datasets';
import { ResidentCache, RunControl, runHeldOut, runResident, runStreamed, type EpochPoint, type LoopOptions, type StepPoint } from '../../../src/web/runs/loop';
import { DATASETS, parseTrainForm } from '../../../src/web/form/settings';

const cpu = new CpuBackend();
const ds = linearDataset({ rows: 2000, features: 3, noise: 0.05, seed: 4 });
const opts = (o: Partial<TrainSpec> = {}): LoopOptions => ({ spec: parseTrainSpec({ epochs: 5, batch: 100, lr: 0.1, seed: 1, ...o }, { strict: false }) });
const all = (p: ModelParams) => [...p.weights, ...p.bias];

describe('runResident', () => {
  it('reports every epoch with its model, and sampled step losses in order', async () => {
    const data = await uploadDataset(cpu, ds);
    const epochs: EpochPoint[] = [];
    const steps: StepPoint[] = [];
    const r = await runResident(cpu, data, opts(), new RunControl(), { onEpoch: (e) => epochs.push(e), onStep: (s) => steps.push(s) });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(all(epochs[4].params!)).toEqual(all(r.params));
    expect(r).toMatchObject({ epochsDone: 5, stopped: false });
    expect(regressionMetrics(r.metrics!).r2).toBeGreaterThan(0.99);
    expect(r.classes).toBeNull();
    // 20 steps per epoch: a point every step (under 50 per epoch), numbered across epochs.
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(steps[99].loss).toBeLessThan(steps[0].loss);
  });

  it('continues exactly from the last parameters (full batch: the same as one call)', async () => {
    const data = await uploadDataset(cpu, ds);
    const looped = await runResident(cpu, data, opts({ epochs: 30, batch: Infinity, lr: 0.5 }), new RunControl());
    const once = await trainResident(cpu, data, { epochs: 30, batch: Infinity, lr: 0.5, seed: 1 });
    const a = all(looped.params);
    all(once.params).forEach((v, i) => expect(a[i]).toBeCloseTo(v, 12));
  });

  it('Stop keeps the model of the epochs done', async () => {
    const data = await uploadDataset(cpu, ds);
    const c = new RunControl();
    const seen: EpochPoint[] = [];
    const r = await runResident(cpu, data, opts({ epochs: 50 }), c, { onEpoch: (e) => (seen.push(e), e.epoch === 3 && c.stop()) });
    expect(r.stopped).toBe(true);
    expect(r.epochsDone).toBe(3);
    expect(all(r.params)).toEqual(all(seen[2].params!));
  });

  it('Pause holds the loop until Resume, and Stop while paused ends it', async () => {
    const data = await uploadDataset(cpu, ds);
    let paused = 0;
    const c = new RunControl(() => paused++);
    const seen: number[] = [];
    const run = runResident(cpu, data, opts({ epochs: 10 }), c, { onEpoch: (e) => (seen.push(e.epoch), e.epoch === 2 && c.pause()) });
    await new Promise((r) => setTimeout(r, 100));
    expect(paused).toBe(1);
    expect(seen).toEqual([1, 2]);
    c.resume();
    await new Promise((r) => setTimeout(r, 0));
    c.pause();
    await new Promise((r) => setTimeout(r, 100));
    c.stop();
    const r = await run;
    expect(r.stopped).toBe(true);
    expect(r.epochsDone).toBeGreaterThanOrEqual(2);
    expect(r.epochsDone).toBeLessThan(10);
  });

  it('with standardize, fits the seeds’ line quickly and reports original units', async () => {
    const line = lineDataset(400, 4, 3, 0.5, 2);
    const data = await uploadDataset(cpu, line);
    const r = await runResident(cpu, data, opts({ epochs: 40, batch: 40, lr: 0.05, standardize: true }), new RunControl());
    const c = line.chunks[0];
    const exact = leastSquares(c.x, c.y, line.rows, 1);
    expect(r.params.weights[0]).toBeCloseTo(exact.weights[0], 1);
    expect(r.params.bias[0]).toBeCloseTo(exact.bias[0], 1);
    expect(r.standardization?.mean).toHaveLength(1);
  });
});

describe('the spec’s penalty', () => {
  it('reaches the engine: a strong L1 penalty sets weights exactly to zero, none leaves them', async () => {
    const data = await uploadDataset(cpu, ds);
    const form = (values: Record<string, string>) => {
      const r = parseTrainForm({ values: { lr: '0.1', batch: '100', epochs: '5', seed: '1', ...values }, backend: 'cpu' });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return { spec: r.value.spec };
    };
    const lasso = await runResident(cpu, data, form({ penalty: 'l1', alpha: '10' }), new RunControl());
    expect([...lasso.params.weights]).toEqual([0, 0, 0]);
    const plain = await runResident(cpu, data, form({ penalty: 'none', alpha: '10' }), new RunControl()); // alpha hidden: ignored
    expect([...plain.params.weights].every((w) => Math.abs(w) > 0.1)).toBe(true);
  });
});

describe('runHeldOut', () => {
  it('holds out the validation share and reports each epoch’s model, metrics and held-out metrics', async () => {
    const epochs: EpochPoint[] = [];
    const r = await runHeldOut(cpu, memorySource(ds), opts({ epochs: 3, validation: 0.25 }), new RunControl(), { onEpoch: (e) => epochs.push(e) });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs.every((e) => e.params !== null && e.metrics !== null && e.validation !== null)).toBe(true);
    expect(r.validationRows + r.rows).toBe(2000);
    expect(r.validationRows).toBeGreaterThan(400);
    expect(r.validationRows).toBeLessThan(600);
    expect(r.validation?.rows).toBe(r.validationRows);
    expect(regressionMetrics(r.validation!).r2).toBeGreaterThan(0.99);
    expect(all(r.params)).toEqual(all(epochs[2].params!));
  });
});

describe('runStreamed', () => {
  it('trains from a source in one call and reports epochs without models', async () => {
    const epochs: EpochPoint[] = [];
    const r = await runStreamed(cpu, memorySource(ds), opts({ epochs: 4 }), new RunControl(), { onEpoch: (e) => epochs.push(e) });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs.every((e) => e.params === null)).toBe(true);
    const exact = leastSquares(ds.chunks[0].x, ds.chunks[0].y, ds.rows, 3);
    all(r.params).forEach((v, i) => expect(Math.abs(v - all(exact)[i])).toBeLessThan(0.02));
  });
});

describe('classification through the page’s loop', () => {
  it('trains the binary dataset with the logistic loss to the true model, and the spec’s loss reaches the engine', async () => {
    const d = await buildSynthetic({ kind: 'binary', rows: 5000, features: 2, seed: 3 });
    const cache = new ResidentCache(cpu);
    const data = await cache.get(d.key, 'logistic', async () => d.source);
    const spec = parseTrainForm({ values: DATASETS.binary.train, backend: 'cpu' });
    if (!spec.ok) throw new Error(JSON.stringify(spec.errors));
    const r = await runResident(cpu, data, { spec: spec.value.spec }, new RunControl());
    expect(r.classes).toEqual(['0', '1']);
    expect(r.params.bias).toHaveLength(1);
    const m = r.metrics!;
    if (m.task !== 'classification') throw new Error('expected classification metrics');
    expect(m.accuracy).toBeGreaterThan(0.85);
    expect(m.logLoss).toBeLessThan(0.35);
    expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(5000);
    // 5000 rows drawn from the true logistic model: the maximum-likelihood fit lies near it.
    all(r.params).forEach((v, i) => expect(Math.abs(v - all(d.truth!)[i]), `coefficient ${i}`).toBeLessThan(0.4));
    const hinge = await runResident(cpu, await cache.get(d.key, 'hinge', async () => d.source), { spec: { ...spec.value.spec, loss: 'hinge' } }, new RunControl());
    expect(all(hinge.params)).not.toEqual(all(r.params));
    expect(hinge.metrics?.task === 'classification' && hinge.metrics.logLoss).toBeNull();
  });

  it('trains softmax on Gaussian blobs (K outputs) to a high accuracy', async () => {
    const d = await buildSynthetic({ kind: 'blobs', rows: 3000, features: 2, classes: 3, seed: 1 });
    const data = await new ResidentCache(cpu).get(d.key, 'softmax', async () => d.source);
    const spec = parseTrainForm({ values: DATASETS.blobs.train, backend: 'cpu' });
    if (!spec.ok) throw new Error(JSON.stringify(spec.errors));
    const r = await runResident(cpu, data, { spec: spec.value.spec }, new RunControl());
    expect(r.classes).toEqual(['0', '1', '2']);
    expect([r.params.weights.length, r.params.bias.length]).toEqual([6, 3]);
    expect(r.metrics?.task === 'classification' && r.metrics.accuracy).toBeGreaterThan(0.95);
    expect(r.metrics?.task === 'classification' && r.metrics.confusion.length).toBe(3);
  });

  it('keys resident data by dataset and target kind, and wrong losses get the engine’s clear errors', async () => {
    const blobs = await buildSynthetic({ kind: 'blobs', rows: 600, features: 2, classes: 3, seed: 2 });
    const cache = new ResidentCache(cpu);
    let opened = 0;
    const open = async () => (opened++, blobs.source);
    const a = await cache.get(blobs.key, 'softmax', open);
    expect(await cache.get(blobs.key, 'softmax', open)).toBe(a);
    expect(opened).toBe(1);
    await expect(cache.get(blobs.key, 'logistic', open)).rejects.toThrow(/third class "2".*--loss logistic takes two classes/);
    await expect(cache.get(blobs.key, 'squared', open)).rejects.toThrow(/holds class labels.*regression loss/);
    const line = await buildSynthetic({ kind: 'line', rows: 200, noise: 1, seed: 1 });
    const b = await cache.get(line.key, 'squared', async () => line.source);
    expect(b.targets).toBe('regression');
    const two = await buildSynthetic({ kind: 'blobs', rows: 600, features: 2, classes: 2, seed: 2 });
    const c = await cache.get(two.key, 'softmax', async () => two.source);
    expect(await cache.get(two.key, 'logistic', async () => two.source)).toBe(c); // two classes: the same targets serve both
  });
});
