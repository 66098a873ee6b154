// The run plan (src/train/plan.ts): options resolved once; a misspelled option is an error naming the nearest one;
// a setting the chosen loss, penalty, optimizer or solver does not read is refused before anything runs; a whole spec
// (every field, as the page passes) is accepted; the holdout rule and the checkpoint policy are built once.
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/core/options';
import { parseTrainSpec, specRecord } from '../../src/core/spec';
import { CpuBackend } from '../../src/cpu/backend';
import { linearDataset } from '../../src/data/synthetic';
import { resolvePlan, specOf, type TrainOptions } from '../../src/train/plan';
import { train } from '../../src/train/train';

const fails = (o: TrainOptions) => {
  try {
    specOf(o);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error('expected the options to be refused');
};

describe('resolvePlan', () => {
  it('names the nearest option for a misspelled or familiar name', () => {
    expect(fails({ lrr: 0.1 } as TrainOptions)).toBe('unknown training option "lrr"; did you mean lr?');
    expect(fails({ learningRate: 0.1 } as TrainOptions)).toMatch(/did you mean lr\?/);
    expect(fails({ epoch: 3 } as TrainOptions)).toMatch(/did you mean epochs\?/);
    expect(fails({ earlyStoping: true } as TrainOptions)).toMatch(/did you mean earlyStopping\?/);
    expect(fails({ zzzz: 1 } as TrainOptions)).toBe('unknown training option "zzzz"');
  });

  it('refuses a setting the run would not use, naming why', () => {
    expect(fails({ optimizer: 'sgd', momentum: 0.5 })).toMatch(/--momentum does not apply here: it is a hyperparameter of --optimizer momentum, nesterov/);
    expect(fails({ solver: 'exact', epochs: 50 })).toMatch(/--epochs does not apply here: it is for --solver gd .*--solver exact solves least squares in one streamed pass/);
    expect(fails({ solver: 'exact', optimizer: 'adam' })).toMatch(/--optimizer does not apply here/);
    expect(fails({ loss: 'squared', huberDelta: 2 })).toMatch(/--huber-delta does not apply here: it is a hyperparameter of --loss huber/);
    expect(fails({ penalty: 'l2', l1Ratio: 0.3 })).toMatch(/--l1-ratio does not apply here/);
  });

  it('accepts a whole spec: settings that do not apply sit at their defaults', () => {
    const whole = parseTrainSpec({ solver: 'exact' });
    expect(() => specOf(whole)).not.toThrow();
    expect(specOf({ ...parseTrainSpec({}), lr: 0.5 }).lr).toBe(0.5);
  });

  it('builds the holdout rule and the checkpoint policy once', () => {
    const p = resolvePlan({ validation: 0.2, seed: 4, epochs: 2, checkpointSteps: 10 });
    expect(p.hold).toMatchObject({ fraction: 0.2 });
    expect(p.checkpoint).toMatchObject({ everySteps: 10, everyEpochs: 0, resume: null, write: null });
    expect(resolvePlan({}).hold).toBeNull();
    expect(resolvePlan({ hostUpdate: true }).hostUpdate).toBe(true);
  });

  it('records exactly the settings that applied', () => {
    const rec = specRecord(specOf({ solver: 'exact', penalty: 'l2', alpha: 0.5 }));
    expect(rec).toMatchObject({ solver: 'exact', penalty: 'l2', alpha: 0.5 });
    for (const k of ['epochs', 'lr', 'batch', 'optimizer', 'shuffle', 'average']) expect(rec).not.toHaveProperty(k);
  });
});

describe('averaging that applies', () => {
  const data = linearDataset({ rows: 400, features: 3, noise: 0.1, seed: 5 });
  const cpu = new CpuBackend();

  it('--average that would average nothing stops before training, naming the steps', async () => {
    await expect(train(cpu, data, { epochs: 1, batch: 100, lr: 0.05, average: true })).rejects.toThrow(
      /--average would average nothing: it starts at step 5 \(the first of epoch 2\), but the run takes 4 steps/);
    await expect(train(cpu, data, { epochs: 2, batch: 100, lr: 0.05, average: true, averageStart: 9 })).rejects.toThrow(/starts at step 9, but the run takes 8 steps/);
    const r = await train(cpu, data, { epochs: 2, batch: 100, lr: 0.05, average: true });
    expect(r.averaged).toBe(true);
  });

  it('--average with --early-stopping keeps the best averaged weights and says they are averaged', async () => {
    const r = await train(cpu, data, { epochs: 6, batch: 50, lr: 0.05, average: true, averageStart: 1, earlyStopping: true, validation: 0.2, patience: 1, tol: 0.5 });
    expect(r.earlyStop).not.toBeNull();
    expect(r.averaged).toBe(true);
    expect(r.spec.average).toBe(true);
  });
});
