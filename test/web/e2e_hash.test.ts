// End to end, hashed text columns on the page (issues 18 and 20), in Debian's headless Chromium: a CSV with a text
// column of 300 levels (more than one-hot reads) is hashed by default; the hash bits are checked as the CLI's
// --hash-bits is, and a model too large for the page is refused, as are options that sparse rows cannot train with,
// all before Start; the file trains on the CPU
// worker and on WebGPU at once ("Both"), far better than without the column; each downloaded model records its hash
// spec, and `downhill predict` (the built CLI) reproduces the page's metrics on the same file, while `downhill train
// --hashed` reaches the same fit. Then a Parquet file's text columns (one-hot and hashed, on both backends) and a CSV
// with blanks filled by the columns' means, each download predicted by the CLI with the page's metrics. One page load.
// Then hashed rows cached in the browser's storage (layout 3): a run resumed after a reload, and a file read again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, runCliOk } from '../helpers/cli';
import { clickAndWaitForState, waitForValue } from './browser';
import type { Page } from 'playwright-core';
import { blanksCsv, ordersParquet } from '../helpers/orders';
import { browserSession, downloadModel, metric, openMore, requireWebGpu, reveal, screenshot, setField, train, waitForEpochs } from './session';

const LEVELS = 300;

/** Sales: a number x, a shop among 300 (each with its own effect), and y. */
function shops(n = 1200): string {
  const lines = ['x,shop,y'];
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % LEVELS;
    const x = Math.sin(i * 0.37);
    lines.push(`${x.toFixed(4)},s${String(k).padStart(3, '0')},${(1.5 * x + 3 * Math.sin(k * 1.7) + 0.05 * Math.cos(i * 3.1)).toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

const { open } = browserSession();

describe('hashed text columns on the page', () => {
  it('hashes a 300-level column, trains it on the CPU worker and WebGPU, and predicts as the CLI does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'downhill-hash-'));
    try {
      const csv = join(dir, 'shop.csv');
      writeFileSync(csv, shops());
      const { page, problems } = await open();
      await requireWebGpu(page);
      await page.selectOption('#data-kind', 'file');
      await page.setInputFiles('#file', csv);
      await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
      expect(await page.inputValue('#target')).toBe('y');
      // Over 50 levels: hashed by default, with the CLI's 2^18 buckets.
      expect(await page.getAttribute('#columns-table tr[data-column=shop]', 'data-used')).toBe('true');
      expect(await page.inputValue('#columns-table tr[data-column=shop] select')).toBe('hashing');
      expect(await page.inputValue('#hash-bits')).toBe('18');
      expect(await page.textContent('#columns-title')).toBe('Columns: 2 of 2 used (1 feature, 1 hashed into 2^18 buckets) → y');
      await waitForValue(page, '#data-summary', /shop\.csv: 1 feature \+ shop hashed into 2\^18 buckets → y, 1,200 rows\. Task: regression on y\./);
      expect(await page.textContent('#fit-title')).toBe('Data (sampled rows); no fit drawn: the model also reads shop hashed');
      // Hash bits out of bounds hold Start with the CLI's rule in words.
      await setField(page, '#hash-bits', '31');
      await waitForValue(page, '#hash-bits-error', 'Hash bits must be an integer in [1, 30]; got "31"');
      await waitForValue(page, '#data-error', /Hash bits must be an integer in \[1, 30\]/);
      expect(await page.isDisabled('#start')).toBe(true);
      // 2^30 buckets are a valid --hash-bits, but their model is more than the page holds: refused before Start, not an out-of-memory crash.
      await setField(page, '#hash-bits', '30');
      await waitForValue(page, '#start-problem', /^Cannot train: 2\^30 hash buckets keep about 28,672 MiB in memory .*: use 25 hash bits or fewer\.$/);
      expect(await page.isDisabled('#start')).toBe(true);
      await setField(page, '#hash-bits', '16');
      await waitForValue(page, '#data-summary', /shop hashed into 2\^16 buckets → y, 1,200 rows/);
      expect(await page.textContent('#hash-bits-error')).toBe('');
      // A solver that needs dense columns is refused before Start; gradient descent is not.
      await openMore(page);
      await reveal(page, '#solver');
      await page.selectOption('#solver', 'exact');
      await waitForValue(page, '#start-problem', 'Cannot train: the exact solver needs dense columns, and a hashed text column (shop) trains by gradient descent or L-BFGS only: choose the gd or lbfgs solver, or one-hot.');
      expect(await page.isDisabled('#start')).toBe(true);
      await page.selectOption('#solver', 'gd');
      await waitForValue(page, '#start-problem', '');

      // Both backends at once: the CPU worker and the WebGPU worker.
      const settings = { lr: '0.5', batch: '16', epochs: '15', seed: '1' }; // R² ≈ 0.997 here (0.987 after 10 epochs)
      await train(page, settings, 'both', 'done', 120_000);
      const r2 = { cpu: await metric(page, 'cpu', 'R²'), webgpu: await metric(page, 'webgpu', 'R²') };
      expect(r2.cpu, JSON.stringify(r2)).toBeGreaterThan(0.99);
      expect(r2.webgpu, JSON.stringify(r2)).toBeGreaterThan(0.99);
      expect(Math.abs(r2.cpu - r2.webgpu)).toBeLessThan(2e-3);
      expect(await page.$$eval('#coef-table tbody th', (t) => t.map((x) => x.textContent))).toEqual(['x', 'intercept']);
      expect(await page.textContent('#coef-table tr[data-coef=sparse]')).toBe('shop hashed into 2^16 buckets: their weights are in the downloaded model');
      await screenshot(page, 'hashed.png');

      // Each download records the hash spec; the CLI's predict hashes the file the same way and gets the page's metrics.
      for (const kind of ['cpu', 'webgpu'] as const) {
        const model = await downloadModel(page, kind);
        expect(model).toMatchObject({
          version: 3, features: ['x'], target: 'y',
          encoding: { format: 'columns', categorical: [{ name: 'shop', kind: 'hash' }], crosses: [], hash: { function: 'murmur3_x86_32', bits: 16, seed: 0 }, width: 2 ** 16 },
        });
        expect(model.training).toMatchObject({ hashed: 'shop', hashBits: 16, backend: kind });
        expect(model.sparseWeights!.indices.length).toBeGreaterThan(LEVELS * 0.9); // nearly one bucket per shop
        const { loaded: _loaded, name, ...written } = model;
        const file = join(dir, name);
        writeFileSync(file, JSON.stringify(written));
        const cli = parseJson(runCliOk(['predict', file, csv, '--json']).stdout);
        const mse = await metric(page, kind, 'MSE');
        expect(cli.rows).toBe(1200);
        expect(Math.abs(cli.mse - mse) / mse, `${kind}: CLI ${cli.mse}, page ${mse}`).toBeLessThan(1e-3);
        expect(Math.abs(cli.r2 - r2[kind]), kind).toBeLessThan(1e-4);
      }
      // The CLI's own training with the same hashing reaches the same fit.
      const cliTrain = parseJson(runCliOk(['train', csv, '--target', 'y', '--hashed', 'shop', '--hash-bits', '16', '--lr', '0.5', '--batch', '16',
        '--epochs', '15', '--seed', '1', '--standardize', '--backend', 'cpu', '--json']).stdout);
      expect(cliTrain.sparseWidth).toBe(2 ** 16);
      expect(Math.abs(cliTrain.r2 - r2.cpu), `CLI ${cliTrain.r2} page ${r2.cpu}`).toBeLessThan(2e-3);

      // Without the column the model explains little: the hashed column is what fits.
      await page.uncheck('#columns-table tr[data-column=shop] input[type=checkbox]');
      await waitForValue(page, '#data-summary', /shop\.csv: 1 feature → y/);
      expect(await page.isVisible('#hash-bits')).toBe(false);
      await train(page, settings, 'cpu');
      expect(await metric(page, 'cpu', 'R²')).toBeLessThan(0.5);

      await parquetTextColumns(page, dir);
      await blanksFilledByMeans(page, dir);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('hashed rows in the browser\'s storage', () => {
  it('caches a hashed file\'s encoded rows, resumes its run after a reload, and reads them again instead of parsing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'downhill-hash-cache-'));
    try {
      const csv = join(dir, 'shop.csv'); // on disk, so choosing it again gives the same File (name, size, modification time)
      writeFileSync(csv, shops());
      const { page, problems } = await open();
      await page.selectOption('#data-kind', 'file');
      await page.setInputFiles('#file', csv);
      await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
      await setField(page, '#hash-bits', '10');
      await waitForValue(page, '#data-summary', /shop\.csv: 1 feature \+ shop hashed into 2\^10 buckets → y, 1,200 rows/);
      await setField(page, '#epochs', '100000');
      await setField(page, '#batch', '64');
      await page.check('input[name=backend][value=cpu]');
      await page.click('#start');
      await waitForEpochs(page, 'cpu', 100, 120_000);
      await page.waitForFunction(async () => {
        const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('downhill');
        return !!(await d.getFileHandle('run-cpu.ckpt').catch(() => null));
      });
      // A reload ends the run; the page offers to resume it, with the rows the worker cached (encoded: no parse, no hashing).
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      const offer = await waitForValue(page, '#resume-text', /shop\.csv, the squared loss, on CPU\. Its last checkpoint is at epoch [\d,]+ of 100,000/);
      const from = Number(/epoch ([\d,]+) of/.exec(offer)![1].replace(/,/g, ''));
      await page.click('#resume-run');
      await waitForEpochs(page, 'cpu', from + 20, 120_000);
      // The summary is written when the worker reports its rows, which may come after the first resumed epochs: wait for it.
      await waitForValue(page, '#data-summary', /shop\.csv: 1 feature \+ shop hashed into 2\^10 buckets → y \(parsed before: read from this browser's storage\)/);
      const { state, text } = await clickAndWaitForState(page, '#stop', '#status', ['stopped', 'done', 'failed']);
      expect(state, text).toBe('stopped');
      // The resumed model hashes as the file does: the CLI's predict on the CSV gets the page's metrics.
      const model = await downloadModel(page, 'cpu');
      expect(model.training?.epochs as number).toBeGreaterThan(from + 20);
      expect(model.encoding).toMatchObject({ categorical: [{ name: 'shop', kind: 'hash' }], hash: { bits: 10 }, width: 1024 });
      const cli = cliPredict(dir, model, csv);
      const mse = await metric(page, 'cpu', 'MSE');
      expect(cli.rows).toBe(1200);
      expect(Math.abs(cli.mse - mse) / mse, `CLI ${cli.mse}, page ${mse}`).toBeLessThan(1e-3);
      // Chosen again after a reload, the file's hashed rows are read from the cache instead of being parsed.
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      await page.selectOption('#data-kind', 'file');
      await page.setInputFiles('#file', csv);
      await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
      await setField(page, '#hash-bits', '10');
      await waitForValue(page, '#data-summary', /shop hashed into 2\^10 buckets → y \(parsed before: read from this browser's storage\), 1,200 rows/);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Writes a downloaded model (as the page wrote it) beside the data and runs the CLI's predict on `data`. */
function cliPredict(dir: string, model: Awaited<ReturnType<typeof downloadModel>>, data: string) {
  const { loaded: _loaded, name, ...written } = model;
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(written));
  return parseJson(runCliOk(['predict', file, data, '--json']).stdout);
}

/**
 * A Parquet file with text columns (1,500 rows: the panel profiles the first 1,000, and a one-hot column's levels are read
 * from every row before the data is scanned): the region one-hot, the 300-level shop hashed by default; trained on both backends, each
 * download predicted by the CLI on the Parquet file with the page's metrics; then one-hot alone on the CPU worker.
 */
async function parquetTextColumns(page: Page, dir: string): Promise<void> {
  const pq = join(dir, 'orders.parquet');
  writeFileSync(pq, ordersParquet());
  await page.setInputFiles('#file', pq);
  await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
  expect(await page.inputValue('#target')).toBe('returned');
  expect(await page.inputValue('#loss')).toBe('logistic');
  expect(await page.textContent('#columns-table tr[data-column=region] td:nth-of-type(2)')).toBe('text, 3 levels');
  expect(await page.inputValue('#columns-table tr[data-column=region] select')).toBe('one-hot');
  expect(await page.inputValue('#columns-table tr[data-column=shop] select')).toBe('hashing');
  // One-hot asked of 300 levels: left out with why, as for a CSV.
  await page.selectOption('#columns-table tr[data-column=shop] select', 'one-hot');
  await waitForValue(page, '#columns-table tr[data-column=shop] .why', /300 levels: more than the 50 one-hot reads here/);
  await page.selectOption('#columns-table tr[data-column=shop] select', 'hashing');
  await setField(page, '#hash-bits', '12');
  await waitForValue(page, '#data-summary', /orders\.parquet: 3 features \+ shop hashed into 2\^12 buckets → returned, 1,500 rows\. Task: classification, 2 classes/);
  await train(page, { lr: '0.5', batch: '16', epochs: '20', seed: '1' }, 'both', 'done', 180_000);
  for (const kind of ['cpu', 'webgpu'] as const) {
    expect(await metric(page, kind, 'accuracy'), kind).toBeGreaterThan(0.8);
    const model = await downloadModel(page, kind);
    expect(model).toMatchObject({ version: 3, features: ['amount', 'region=west', 'region=north'], target: 'returned', classes: ['no', 'yes'] });
    expect(model.encoding).toMatchObject({ categorical: [{ name: 'shop', kind: 'hash' }], hash: { bits: 12 }, width: 4096 });
    const cli = cliPredict(dir, model, pq);
    expect(cli.rows).toBe(1500);
    const m = model.metrics!;
    if (m.task !== 'classification') throw new Error('a classification was trained');
    expect(Math.abs(cli.metrics.accuracy - m.accuracy), `${kind}: CLI ${cli.metrics.accuracy}, page ${m.accuracy}`).toBeLessThan(2e-3);
    expect(Math.abs(cli.metrics.logLoss - m.logLoss!) / m.logLoss!, kind).toBeLessThan(1e-3);
  }
  // The region alone, one-hot ("column=level" indicators read from the Parquet file by name).
  await page.uncheck('#columns-table tr[data-column=shop] input[type=checkbox]');
  await waitForValue(page, '#data-summary', /orders\.parquet: 3 features → returned/);
  await train(page, {}, 'cpu');
  const model = await downloadModel(page, 'cpu');
  expect(model).toMatchObject({ version: 2, features: ['amount', 'region=west', 'region=north'] });
  const cli = cliPredict(dir, model, pq);
  const m = model.metrics!;
  if (m.task !== 'classification') throw new Error('a classification was trained');
  expect(cli.metrics.accuracy).toBeCloseTo(m.accuracy, 6);
  expect(cli.metrics.confusion).toEqual(m.confusion);
}

/** A CSV with blank cells filled by the columns' means: the download records them, and the CLI's predict fills them alike. */
async function blanksFilledByMeans(page: Page, dir: string): Promise<void> {
  const csv = join(dir, 'blanks.csv');
  writeFileSync(csv, blanksCsv());
  await page.setInputFiles('#file', csv);
  await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
  expect(await page.inputValue('#target')).toBe('y');
  await page.selectOption('#missing', 'mean');
  await waitForValue(page, '#data-summary', /blanks\.csv: 4 features → y, 400 rows\./);
  expect(await page.inputValue('#loss')).toBe('squared');
  await train(page, { lr: '0.1', epochs: '20' }, 'cpu');
  const model = await downloadModel(page, 'cpu');
  expect(Object.keys(model.fill ?? {})).toEqual(['a', 'b']);
  const cli = cliPredict(dir, model, csv);
  const mse = await metric(page, 'cpu', 'MSE');
  expect(cli).toMatchObject({ rows: 400, skippedRows: 0 });
  expect(Math.abs(cli.mse - mse) / mse, `CLI ${cli.mse}, page ${mse}`).toBeLessThan(1e-4);
}
