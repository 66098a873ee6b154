// A model trained the page's way (its columns panel's rules, its file reader, its loop and its download, run in Node
// on the CPU backend) predicted by the built CLI: a CSV and a Parquet file with a one-hot text column (the page's
// "column=level" indicators), a hashed one (300 levels, hashed by default) and a text target, trained with the logistic
// loss; and a CSV whose blank cells the page fills with its columns' means (the model's `fill`). The CLI's `predict`
// reads the model's indicators, hash spec and fill values and reports the page's metrics.
import { describe, expect, it } from 'vitest';
import { parseModelFile } from '../../src/core/model_file';
import { parseTrainSpec } from '../../src/core/spec';
import { CpuBackend } from '../../src/cpu/backend';
import { profileCsv, type CsvProfile } from '../../src/data/csv_profile';
import { blobAsyncBuffer } from '../../src/data/parquet';
import { trainResident, uploadDataset } from '../../src/train/train';
import { defaultChoices, tablePlan, type TableChoices } from '../../src/web/data/columns';
import { loadFile, parquetProfile } from '../../src/web/data/files';
import { modelFileFor } from '../../src/web/runs/export';
import { parseJson, runCliOk } from '../helpers/cli';
import { blanksCsv, ordersCsv, ordersParquet } from '../helpers/orders';
import { tempDir } from '../data/helpers';

const tmp = tempDir('cli-page-model');

/** Trains a file the page's way under the panel's plan; returns the model file and the page's final metrics. */
async function trainAsPage(file: File, profile: CsvProfile, target: string, choices: TableChoices, loss: 'logistic' | 'squared') {
  const plan = tablePlan(profile, target, choices);
  const source = await loadFile(file, target, loss === 'logistic', plan);
  const cpu = new CpuBackend();
  const data = await uploadDataset(cpu, source, { loss });
  const spec = parseTrainSpec({ loss, lr: loss === 'logistic' ? '0.5' : '0.05', batch: '16', epochs: '20', standardize: true, seed: '1' });
  const r = await trainResident(cpu, data, spec);
  const fill = plan.missing === 'fill' ? plan.fill : undefined;
  const model = modelFileFor({
    backend: 'cpu', device: cpu.device, params: r.params, classes: r.classes, standardization: r.standardization, metrics: r.final!, validation: null,
    epochsDone: r.epochs.length, stopped: false, secondsPerEpoch: r.secondsPerEpoch, epochLosses: r.epochs.map((e) => e.loss),
  }, {
    features: source.features, target: source.target, rows: data.rows, description: source.description, data: {},
    ...(source.sparse ? { encoding: source.sparse.encoding } : {}), ...(fill ? { fill } : {}),
  }, spec);
  return { plan, model, m: r.final!, rows: data.rows };
}

/** The CLI's predictions of a model on a data file, as JSON. */
function predictJson(model: object, data: string) {
  return parseJson(runCliOk(['predict', tmp.file(`model-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(model)), data, '--json']).stdout);
}

describe('a model the page trains', () => {
  it.each(['csv', 'parquet'] as const)('on a %s file with one-hot and hashed text columns is predicted by the CLI with the page\'s metrics', async (format) => {
    const text = ordersCsv();
    const bytes = format === 'csv' ? new TextEncoder().encode(text) : ordersParquet();
    const path = tmp.file(`orders.${format}`, bytes);
    const file = new File([bytes], `orders.${format}`);
    const profile = format === 'csv' ? profileCsv('orders.csv', text, true) : await parquetProfile('orders.parquet', blobAsyncBuffer(file));
    const choices = defaultChoices(profile);
    expect([choices.columns.region.encoding, choices.columns.shop.encoding]).toEqual(['one-hot', 'hashing']);
    for (const hashed of [true, false]) {
      const c = { ...choices, hashBits: '12', columns: { ...choices.columns, shop: { ...choices.columns.shop, use: hashed } } };
      const { plan, model, m, rows } = await trainAsPage(file, profile, 'returned', c, 'logistic');
      expect(plan).toMatchObject({ features: ['amount', 'region=west', 'region=north'], ...(hashed ? { hashed: ['shop'], hashBits: 12 } : {}) });
      expect(rows).toBe(1500);
      expect(model).toMatchObject({ version: hashed ? 3 : 2, features: ['amount', 'region=west', 'region=north'], classes: ['no', 'yes'] });
      if (hashed) {
        expect(model).toMatchObject({ training: { hashed: 'shop', hashBits: 12 } });
        expect(model.encoding).toMatchObject({ categorical: [{ name: 'shop', kind: 'hash' }], hash: { bits: 12 }, width: 4096 });
      }
      const cli = predictJson(model, path);
      expect(cli.rows).toBe(1500);
      if (m.task !== 'classification') throw new Error('a classification was trained');
      expect(m.accuracy).toBeGreaterThan(hashed ? 0.8 : 0.6); // the label has noise (the cosine term); without the shop, more
      expect(cli.metrics.accuracy).toBeCloseTo(m.accuracy, 6);
      expect(cli.metrics.confusion).toEqual(m.confusion);
      expect(Math.abs(cli.metrics.logLoss - m.logLoss!)).toBeLessThan(1e-4);
    }
  });

  it('with blank cells filled by column means records them, and the CLI fills them alike', async () => {
    const text = blanksCsv();
    const path = tmp.file('blanks.csv', text);
    const profile = profileCsv('blanks.csv', text, true);
    const choices = { ...defaultChoices(profile), missing: 'mean' as const, hashBits: '6' };
    // The city one-hot (the CSV table reader), then hashed (the encoded reader, with the dense columns filled alike).
    for (const encoding of ['one-hot', 'hashing'] as const) {
      const c = { ...choices, columns: { ...choices.columns, city: { use: true, encoding } } };
      const { plan, model, m, rows } = await trainAsPage(new File([text], 'blanks.csv'), profile, 'y', c, 'squared');
      expect(rows).toBe(400); // no row skipped: every blank filled
      expect(plan.fill).toEqual({ a: profile.columns[0].mean, b: profile.columns[1].mean });
      expect(model.fill).toEqual(plan.fill);
      expect(parseModelFile(JSON.stringify(model), 'model.json').fill).toEqual(plan.fill);
      const cli = predictJson(model, path);
      if (m.task !== 'regression') throw new Error('a regression was trained');
      expect(m.r2).toBeGreaterThan(0.7); // blanks filled by means lose some fit
      expect(cli).toMatchObject({ rows: 400, skippedRows: 0 });
      expect(cli.mse).toBeCloseTo(m.mse, 5);
      expect(cli.r2).toBeCloseTo(m.r2, 6);
    }
    const { model } = await trainAsPage(new File([text], 'blanks.csv'), profile, 'y', choices, 'squared');
    // The same model without its fill (an older file): blank cells are errors, as they always were.
    const { fill: _, checksum: __, ...older } = model;
    expect(() => predictJson(older, path)).toThrow(/missing value; expected a number/);
    // A fill that names no feature is refused with the field named.
    expect(() => parseModelFile(JSON.stringify({ ...older, fill: { nope: 1 } }), 'm.json')).toThrow(/field "fill" must map feature columns/);
  });
});
