// A model trained the page's way (its columns panel's rules, its file reader, its loop and its download, run in Node
// on the CPU backend) predicted by the built CLI: a CSV with a one-hot text column (the page's "column=level"
// indicators), a hashed one (300 levels, hashed by default) and a text target, trained with the logistic loss. The
// CLI's `predict` reads the model's indicators and hash spec and reports the page's metrics.
import { describe, expect, it } from 'vitest';
import { parseTrainSpec } from '../../src/core/spec';
import { CpuBackend } from '../../src/cpu/backend';
import { profileCsv } from '../../src/data/csv_profile';
import { trainResident, uploadDataset } from '../../src/train/train';
import { defaultChoices, tablePlan } from '../../src/web/data/columns';
import { loadFile } from '../../src/web/data/files';
import { modelFileFor } from '../../src/web/runs/export';
import { parseJson, runCliOk } from '../helpers/cli';
import { tempDir } from '../data/helpers';

const tmp = tempDir('cli-page-model');
const REGIONS = ['east', 'west', 'north'];

/** Orders: a number, a region (3 levels), a shop (300 levels) and whether the order came back. */
function orders(n = 1500): string {
  const lines = ['amount,region,shop,returned'];
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % 300;
    const r = (i * 2654435761) % 3;
    const amount = Math.sin(i * 0.37) * 2;
    const z = amount + [0, 1.5, -1.5][r] + 2.5 * Math.sin(k * 1.7) + 0.8 * Math.cos(i * 12.9898);
    lines.push(`${amount.toFixed(4)},${REGIONS[r]},s${k},${z > 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

describe('a model the page trains', () => {
  it('with one-hot and hashed text columns is predicted by the CLI with the page\'s metrics', async () => {
    const text = orders();
    const csv = tmp.file('orders.csv', text);
    const profile = profileCsv('orders.csv', text, true);
    const choices = defaultChoices(profile);
    expect([choices.columns.region.encoding, choices.columns.shop.encoding]).toEqual(['one-hot', 'hashing']);
    const plan = tablePlan(profile, 'returned', { ...choices, hashBits: '12' });
    expect(plan).toMatchObject({ features: ['amount', 'region=west', 'region=north'], hashed: ['shop'], hashBits: 12 });
    const source = await loadFile(new File([text], 'orders.csv'), 'returned', true, plan);
    const cpu = new CpuBackend();
    const data = await uploadDataset(cpu, source, { loss: 'logistic' });
    const spec = parseTrainSpec({ loss: 'logistic', lr: '0.5', batch: '16', epochs: '20', standardize: true, seed: '1' });
    const r = await trainResident(cpu, data, spec);
    const m = r.final!;
    expect(m.task).toBe('classification');
    const file = modelFileFor({
      backend: 'cpu', device: cpu.device, params: r.params, classes: r.classes, standardization: r.standardization, metrics: m, validation: null,
      epochsDone: r.epochs.length, stopped: false, secondsPerEpoch: r.secondsPerEpoch, epochLosses: r.epochs.map((e) => e.loss),
    }, { features: source.features, target: source.target, rows: data.rows, description: source.description, data: {}, encoding: source.sparse!.encoding }, spec);
    expect(file).toMatchObject({ version: 3, features: ['amount', 'region=west', 'region=north'], classes: ['no', 'yes'], training: { hashed: 'shop', hashBits: 12 } });
    expect(file.encoding).toMatchObject({ categorical: [{ name: 'shop', kind: 'hash' }], hash: { bits: 12 }, width: 4096 });
    const model = tmp.file('model.json', JSON.stringify(file));
    const cli = parseJson(runCliOk(['predict', model, csv, '--json']).stdout);
    expect(cli.rows).toBe(1500);
    if (m.task !== 'classification') throw new Error('a classification was trained');
    expect(m.accuracy).toBeGreaterThan(0.8); // the label has noise (the cosine term)
    expect(cli.metrics.accuracy).toBeCloseTo(m.accuracy, 6);
    expect(cli.metrics.confusion).toEqual(m.confusion);
    expect(Math.abs(cli.metrics.logLoss - m.logLoss!)).toBeLessThan(1e-4);
  });
});
