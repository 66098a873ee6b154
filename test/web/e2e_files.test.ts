// End to end, the page with a user's own files (issue 20), in Debian's headless Chromium: the essentials on the
// first screen (dataset, target, loss, backend, Start; the loss chart in view; the rest under "More options"); a CSV
// with an id, a text, a constant, a mostly blank column and blank cells trains through the columns panel (blank rows
// skipped with a count, or filled with the mean; the text column one-hot, or hashed); a decimal-comma file, the CLI's
// NPY pair and a CSV and a Parquet file from a URL (range requests) train;
// a large Parquet file from disk is previewed and scanned without a long task on the page's thread;
// a text target resets the squared loss and a binary loss on three classes is refused before Start; data errors are
// red alerts beside the file; focus moves to Pause and back to Start; the smoothed loss stays within 1.5× of the raw
// one on a fast-falling run; a diverged run keeps its finite part in view; small fixes (the γ label, the comparison's
// Values checked as typed); a file's parsed rows cached in the origin-private file system, and a run that a reload
// interrupted resumed from its checkpoint there. Many checks per page load, on small data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { encodeNpyHeader } from '../../src/data/npy_format';
import { CACHE_KEEP } from '../../src/web/data/opfs';
import { clickAndWaitForState, frames, readCoefficients, recordStates, waitForRecordedState, waitForTexts, waitForValue } from './browser';
import { browserSession, downloadModel, maxAbsDiff, metric, openMore, requireWebGpu, screenshot, setField, sideways, train, waitForEpochs } from './session';

const REGIONS = ['east', 'west', 'north'];
const regionOf = (i: number) => REGIONS[(i * 2654435761) % 3];
const EFFECT: Record<string, number> = { east: 0, west: 50, north: -30 };

/** Homes: an id, a text column, numbers with blanks, a constant and a mostly blank column, and the price. */
function homes(n = 600): string {
  const lines = ['id,region,size,built,colour,notes,price'];
  for (let i = 0; i < n; i++) {
    const size = 50 + ((i * 37) % 150);
    const built = 1950 + ((i * 13) % 70);
    const price = 1000 + 3 * size - 2 * (built - 1950) + EFFECT[regionOf(i)] + 2 * Math.sin(i * 1.3);
    lines.push([i + 1, regionOf(i), i % 17 === 5 ? '' : size, built, 'blue', i % 10 === 0 ? 'renovated' : '', price.toFixed(2)].join(','));
  }
  return lines.join('\n') + '\n';
}

const csvBytes = (text: string) => new TextEncoder().encode(text);
const remoteCsv = ['a,b,y', ...Array.from({ length: 400 }, (_, i) => `${Math.sin(i)},${Math.cos(i * 0.7)},${(2 * Math.sin(i) - Math.cos(i * 0.7) + 0.5).toFixed(6)}`)].join('\n') + '\n';
const remoteParquet = new Uint8Array(parquetWriteBuffer({ columnData: [
  { name: 'u', data: Array.from({ length: 300 }, (_, i) => Math.sin(i * 0.3)), type: 'DOUBLE' },
  { name: 'label', data: Array.from({ length: 300 }, (_, i) => `k${i % 4}`), type: 'STRING' },
  { name: 'v', data: Array.from({ length: 300 }, (_, i) => 1 - 3 * Math.sin(i * 0.3)), type: 'DOUBLE' },
] }));

const { open, origin, requests } = browserSession({ files: { '/data/remote.csv': csvBytes(remoteCsv), '/data/remote.parquet': remoteParquet } });

/** An NPY file's bytes: a header and float32 values. */
function npy(shape: number[], values: number[]): Buffer {
  return Buffer.concat([Buffer.from(encodeNpyHeader('<f4', shape)), Buffer.from(new Float32Array(values).buffer)]);
}

/** The columns panel as shown: column → [kind, used]. */
const panel = (page: Page) => page.$$eval('#columns-table tbody tr', (rows) => Object.fromEntries(rows.map((r) => {
  const el = r as HTMLElement;
  return [el.dataset.column!, `${el.dataset.kind} ${el.dataset.used === 'true' ? 'used' : 'out'}`];
})));

/** Trains and waits, recording where focus went while the run started and ended. */
async function trainWatchingFocus(page: Page, backend: 'cpu' | 'webgpu'): Promise<string[]> {
  await page.check(`input[name=backend][value=${backend}]`);
  await page.evaluate(() => {
    const log: string[] = ((window as unknown as { focusLog: string[] }).focusLog = []);
    document.addEventListener('focusin', (e) => log.push((e.target as HTMLElement).id));
  });
  const { state, text } = await clickAndWaitForState(page, '#start', '#status', ['done', 'stopped', 'failed', 'diverged']);
  expect(state, text).toBe('done');
  return page.evaluate(() => (window as unknown as { focusLog: string[] }).focusLog);
}

describe('the page with your own files (issue 20)', () => {
  it('puts the essentials first and trains a CSV with id, text, constant and blank columns through the columns panel', async () => {
    const { page, problems } = await open();
    // The first screen: dataset, loss, backend and Start, with the loss chart beside them; the rest folded away.
    const inView = (sel: string) => page.$eval(sel, (el) => el.getBoundingClientRect().bottom <= innerHeight && el.getBoundingClientRect().top >= 0);
    for (const sel of ['#data-kind', '#loss', 'input[name=backend][value=cpu]', '#start', '#loss-chart']) expect(await inView(sel), sel).toBe(true);
    expect(await page.$eval('#more-options', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.isVisible('#lr')).toBe(false);
    expect(await page.textContent('label[for=decay]')).toBe('Decay factor γ'); // once, not "γ γ"
    await page.selectOption('#data-kind', 'file');
    expect(await inView('#target')).toBe(true);
    await page.setInputFiles('#file', { name: 'homes.csv', mimeType: 'text/csv', buffer: Buffer.from(homes()) });
    await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
    expect(await page.inputValue('#target')).toBe('price');
    expect(await panel(page)).toEqual({
      id: 'id out', region: 'text used', size: 'number used', built: 'number used', colour: 'constant out', notes: 'missing out', price: 'number used',
    });
    expect(await page.textContent('#columns-table tr[data-column=id] .why')).toMatch(/identifier/);
    expect(await page.textContent('#columns-table tr[data-column=notes] .why')).toMatch(/mostly missing: 90%/);
    expect(await page.textContent('#columns-table tr[data-column=colour] td:nth-of-type(2)')).toBe('constant: every row holds "blue"'); // said once
    expect(await page.textContent('#columns-title')).toBe('Columns: 3 of 6 used (4 features) → price');
    // Blank cells: their rows skipped and counted, as the CLI's --skip-bad-rows would.
    const skipped = Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 17 === 5).length;
    await waitForValue(page, '#data-summary', new RegExp(`homes\\.csv: 4 features → price, ${600 - skipped} rows \\(${skipped} rows with blank cells skipped\\)`));
    const focus = await trainWatchingFocus(page, 'cpu');
    expect(focus.indexOf('pause'), JSON.stringify(focus)).toBeGreaterThanOrEqual(0);
    expect(focus.at(-1)).toBe('start');
    const names = await page.$$eval('#coef-table tbody th', (t) => t.map((x) => x.textContent));
    const order = [...new Set(Array.from({ length: 600 }, (_, i) => regionOf(i)))];
    expect(names).toEqual([`region=${order[1]}`, `region=${order[2]}`, 'size', 'built', 'intercept']);
    let coef = await readCoefficients(page);
    expect(maxAbsDiff(coef.cpu.slice(0, 4), [EFFECT[order[1]] - EFFECT[order[0]], EFFECT[order[2]] - EFFECT[order[0]], 3, -2]), JSON.stringify(coef)).toBeLessThan(0.5);
    // The same file with blanks filled by the column's mean: every row is read.
    await page.selectOption('#missing', 'mean');
    await waitForValue(page, '#data-summary', /homes\.csv: 4 features → price, 600 rows\./);
    await train(page, {}, 'cpu');
    // Hashed (the CLI's --hashed), with blanks still filled: the region's buckets beside the numbers.
    await page.selectOption('#columns-table tr[data-column=region] select', 'hashing');
    expect(await page.$$eval('#columns-table tr[data-column=region] .why', (w) => w.length)).toBe(0);
    await waitForValue(page, '#data-summary', /homes\.csv: 2 features \+ region hashed into 2\^18 buckets → price, 600 rows\./);
    await train(page, {}, 'cpu');
    expect(await page.$$eval('#coef-table tbody th', (t) => t.map((x) => x.textContent))).toEqual(['size', 'built', 'intercept']);
    expect(await page.textContent('#coef-table tr[data-coef=sparse]')).toMatch(/^region hashed into 2\^18 buckets/);
    // An unreadable file is a red alert beside the picker, and holds Start.
    await page.setInputFiles('#file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,y\n1,2,3\n4,5\n') });
    await waitForValue(page, '#data-error', /broken\.csv:3: expected 3 fields like the header, found 2/);
    expect(await page.$eval('#data-error', (el) => [el.getAttribute('role'), getComputedStyle(el).color])).toEqual(['alert', 'rgb(185, 28, 28)']);
    expect(await page.isDisabled('#start')).toBe(true);
    expect(await page.textContent('#progress-text')).toBe(''); // the last run's "Trained in …" went with its data
    // A decimal-comma file (semicolons, "1,5") is read as such.
    const eu = ['x;z;y', ...Array.from({ length: 200 }, (_, i) => `${(i / 40).toFixed(2).replace('.', ',')};${(i % 7) - 3};${(1.5 + 2 * (i / 40) - (i % 7) / 2).toFixed(3).replace('.', ',')}`)].join('\n');
    await page.setInputFiles('#file', { name: 'eu.csv', mimeType: 'text/csv', buffer: Buffer.from(eu) });
    await waitForValue(page, '#columns-note', /decimal comma are read/);
    await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
    expect(await page.textContent('#data-error')).toBe('');
    await train(page, {}, 'cpu');
    coef = await readCoefficients(page);
    expect(maxAbsDiff(coef.exact, [2, -0.5, 0]), JSON.stringify(coef)).toBeLessThan(2e-3);
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page);
    expect(await sideways(page)).toBe(false);
    await screenshot(page, 'columns-390.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits the loss to the target, and reads the NPY pair and files from a URL', async () => {
    const { page, problems } = await open();
    await page.selectOption('#data-kind', 'file');
    // A text target with three classes: the squared loss is replaced by softmax, and a binary loss is refused before Start.
    const grades = ['hours,quiz,grade', ...Array.from({ length: 300 }, (_, i) => {
      const h = (i * 7) % 30;
      return `${h},${(i * 11) % 10},${h < 10 ? 'C' : h < 20 ? 'B' : 'A'}`;
    })].join('\n');
    await page.setInputFiles('#file', { name: 'grades.csv', mimeType: 'text/csv', buffer: Buffer.from(grades) });
    await waitForValue(page, '#data-summary', /Task: classification, 3 classes/);
    expect(await page.inputValue('#loss')).toBe('softmax');
    expect(await page.textContent('#data-summary')).toMatch(/The loss is now Softmax.*the target holds text \(3 classes\)/);
    await page.selectOption('#loss', 'logistic');
    await waitForValue(page, '#start-problem', /logistic.* separates two classes, and the target has 3: choose a multiclass loss/i);
    expect(await page.isDisabled('#start')).toBe(true);
    await page.selectOption('#loss', 'softmax');
    expect(await page.textContent('#start-problem')).toBe('');
    await train(page, { lr: '0.5', epochs: '30' }, 'cpu');
    expect(await metric(page, 'cpu', 'accuracy')).toBeGreaterThan(0.9);
    // A Parquet file of 250,000 rows in one row group, chosen from disk: previewed and scanned in a worker, so the
    // page's thread never waits on decoding it.
    const n = 250_000;
    const big = parquetWriteBuffer({ rowGroupSize: n, columnData: [
      { name: 'u', data: Float64Array.from({ length: n }, (_, i) => Math.sin(i)), type: 'DOUBLE' },
      { name: 'v', data: Float64Array.from({ length: n }, (_, i) => 2 * Math.sin(i) + 1), type: 'DOUBLE' },
    ] });
    // From disk: a buffer handed to setInputFiles is decoded on the page's thread by the test harness itself.
    const bigPath = join(mkdtempSync(join(tmpdir(), 'downhill-big-')), 'big.parquet');
    writeFileSync(bigPath, new Uint8Array(big));
    await page.evaluate(() => {
      const tasks: number[] = ((window as unknown as { longTasks: number[] }).longTasks = []);
      new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(Math.round(e.duration)))).observe({ type: 'longtask' });
    });
    await page.setInputFiles('#file', bigPath);
    await waitForValue(page, '#data-summary', /big\.parquet: 1 feature → v, 250,000 rows/);
    await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
    expect(maxAbsDiff((await readCoefficients(page)).exact, [2, 1])).toBeLessThan(1e-6);
    const tasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    expect(Math.max(0, ...tasks), JSON.stringify(tasks)).toBeLessThan(800);
    rmSync(dirname(bigPath), { recursive: true, force: true });
    // The CLI's NPY pair, chosen together: features x1, x2 and the target y.
    const xs = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3)]);
    await page.setInputFiles('#file', [
      { name: 'pts.npy', mimeType: 'application/octet-stream', buffer: npy([300, 2], xs.flat()) },
      { name: 'pts.y.npy', mimeType: 'application/octet-stream', buffer: npy([300], xs.map(([a, b]) => 1 + 2 * a - b)) },
    ]);
    await waitForTexts(page, '#target option', ['x1', 'x2', 'y']);
    expect(await page.inputValue('#loss')).toBe('squared'); // numbers with many values: softmax cannot fit them
    await train(page, { epochs: '30', lr: '0.1' }, 'cpu');
    expect(maxAbsDiff((await readCoefficients(page)).exact, [2, -1, 1])).toBeLessThan(1e-4);
    // A CSV and a Parquet file from a URL, read with range requests from the page's own server.
    // The Parquet file's text column is one-hot by default (its indicators read by range too); unticked, the fit is u's alone.
    for (const [path, want] of [['/data/remote.csv', /remote\.csv: 2 features → y, 400 rows/], ['/data/remote.parquet', /remote\.parquet: 4 features → v, 300 rows/]] as const) {
      await page.fill('#url', `${origin()}${path}`);
      await page.click('#url-open');
      await waitForValue(page, '#data-summary', want);
      if (path.endsWith('.parquet')) {
        expect(await page.inputValue('#columns-table tr[data-column=label] select')).toBe('one-hot');
        await page.uncheck('#columns-table tr[data-column=label] input[type=checkbox]');
        await waitForValue(page, '#data-summary', /remote\.parquet: 1 feature → v, 300 rows/);
      }
      await train(page, { epochs: '20', lr: '0.1' }, 'cpu');
    }
    // Its size from a HEAD request, then byte ranges: a CSV's first bytes, a Parquet file's footer and column chunks.
    const seen = requests().filter((r) => r.includes('/data/remote.'));
    expect(seen, JSON.stringify(seen)).toEqual(expect.arrayContaining(['HEAD /data/remote.csv', 'HEAD /data/remote.parquet']));
    expect(seen.some((r) => /^GET \/data\/remote\.csv bytes=0-\d+$/.test(r)), JSON.stringify(seen)).toBe(true);
    expect(seen.filter((r) => /^GET \/data\/remote\.parquet bytes=\d+-\d+$/.test(r)).length, JSON.stringify(seen)).toBeGreaterThan(1);
    expect(await page.textContent('#columns-table tr[data-column=label] .why')).toBe('left out');
    expect(maxAbsDiff((await readCoefficients(page)).cpu, [-3, 1])).toBeLessThan(0.01);
    const unnamed = await page.$$eval('input, select, button', (els) => els
      .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent?.trim()))
      .map((e) => e.id || e.outerHTML.slice(0, 60)));
    expect(unnamed).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws a truthful loss chart: smoothing that follows a fast fall, and the finite part of a diverged run', async () => {
    const { page, problems } = await open();
    await openMore(page);
    // Full-batch steps on standardized features: the loss falls by decades in the first steps, then lies flat (no noise).
    await page.check('#standardize');
    await train(page, { batch: 'full', lr: '0.5', epochs: '60' }, 'cpu');
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBeGreaterThan(100);
    expect(Number(await page.getAttribute('#loss-chart', 'data-smooth-gap'))).toBeLessThan(Math.log10(1.5));
    await page.uncheck('#standardize');
    await train(page, { batch: '20', lr: '0.05', epochs: '150' }, 'cpu', 'diverged');
    expect(await page.getAttribute('#loss-chart', 'data-capped')).toBe('true');
    // The comparison's Values are checked as they are typed, before leaving the field.
    await page.locator('#cmp-values').fill('1k, lots');
    expect(await page.textContent('#cmp-error')).toMatch(/Values: a list of sizes/);
    expect(await page.isDisabled('#cmp-run')).toBe(true);
    await page.locator('#cmp-values').fill('1k, 2k');
    expect(await page.textContent('#cmp-error')).toBe('');
    expect(await page.isDisabled('#cmp-run')).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('in Both, keeps the CPU\'s model on the page when WebGPU diverges, and says the adapter is a software renderer', async () => {
    // A stand-in for the WebGPU worker (the real one diverges with the CPU at the same epoch: same data, same steps):
    // it speaks the workers' protocol (src/web/runs/protocol.ts), reports three exploding epochs, and fails with the
    // engine's DivergedError when the test says so on a BroadcastChannel, once the CPU has trained a while.
    const { page, problems } = await open(undefined, undefined, (p) => p.route(/\/assets\/gpu_worker-[^/]*\.js$/, (r) => r.fulfill({
      contentType: 'text/javascript', headers: { 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' },
      body: `postMessage({ type: 'ready', device: 'google / swiftshader (stand-in)', adapter: { rows: { info: [], limits: [] }, features: [] } });
        onmessage = (e) => {
          const m = e.data;
          if (m.type !== 'train') return;
          for (let i = 1; i <= 3; i++) {
            postMessage({ type: 'steps', id: m.id, points: [{ step: i, loss: 10 ** (3 * i), done: i }] });
            postMessage({ type: 'epoch', id: m.id, point: { epoch: i, loss: 10 ** (3 * i), seconds: 0.01, metrics: null, params: null } });
          }
          new BroadcastChannel('stand-in').onmessage = () => postMessage({ type: 'error', id: m.id, error: { name: 'DivergedError',
            message: 'training diverged in epoch 3 (mean batch loss 1e+09): try --lr 0.01',
            fields: { epoch: 3, loss: 1e9, lr: m.opts.spec.lr, suggestedLr: 0.01, reason: 'learning-rate', overflow: null } } });
        };`,
    })));
    await requireWebGpu(page);
    await setField(page, '#epochs', '10000000');
    await page.check('input[name=backend][value=both]');
    await recordStates(page, '#status');
    await page.click('#start');
    await waitForValue(page, '#status', /^Training on google \/ swiftshader \(stand-in\) and CPU.*WebGPU runs on a software renderer here, so its speed says nothing about a real GPU\.$/);
    await waitForEpochs(page, 'cpu', 20);
    await page.evaluate(() => new BroadcastChannel('stand-in').postMessage('diverge'));
    const { state, text } = await waitForRecordedState(page, '#status', ['done', 'stopped', 'failed', 'diverged']);
    expect(state, text).toBe('diverged');
    expect(text).toMatch(/^WebGPU: Diverged in epoch 3: .*try 0\.01.* CPU was stopped there; its model after [\d,]+ epochs is kept\.$/);
    expect(await page.getAttribute('#loss-chart', 'data-markers')).toMatch(/WebGPU diverged/);
    const coef = await readCoefficients(page);
    expect(coef.cpu, JSON.stringify(coef)).toHaveLength(2);
    expect(Math.abs(coef.cpu[0] - coef.exact[0]), JSON.stringify(coef)).toBeLessThan(0.5); // trained, not the zeros it started from
    const model = await downloadModel(page, 'cpu');
    expect(model.training).toMatchObject({ stopped: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('caches a file\'s rows in the browser and resumes a run that a reload interrupted', async () => {
    const { page, problems } = await open();
    const stored = () => page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('downhill', { create: true });
      const names: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
      return names.sort();
    });
    // A file on disk (so choosing it again gives the same File: name, size, modification time).
    const path = join(mkdtempSync(join(tmpdir(), 'downhill-homes-')), 'homes.csv');
    writeFileSync(path, homes());
    const before = new Set(await stored());
    await page.selectOption('#data-kind', 'file');
    await page.setInputFiles('#file', path);
    await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
    await setField(page, '#epochs', '100000');
    await page.check('input[name=backend][value=cpu]');
    await page.click('#start');
    await waitForEpochs(page, 'cpu', 300);
    await page.waitForFunction(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('downhill');
      return !!(await dir.getFileHandle('run-cpu.ckpt').catch(() => null));
    });
    const names = await stored();
    // The parsed rows, cached by the worker (the tests before this one cached theirs in the same browser); the cache
    // keeps the files used last, and no rows that no entry names.
    const rows = names.filter((n) => /^data-.*\.dh$/.test(n));
    expect(rows.filter((n) => !before.has(n))).toHaveLength(1);
    const entries = names.filter((n) => /^data-.*\.json$/.test(n));
    expect(entries).toHaveLength(Math.min(CACHE_KEEP, [...before].filter((n) => /^data-.*\.json$/.test(n)).length + 1));
    expect(rows).toHaveLength(entries.length);
    expect(names).toEqual(expect.arrayContaining(['run.json', 'run-cpu.ckpt']));
    // A reload ends the run; the page offers to resume it from its last checkpoint, with the file's cached rows.
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    const offer = await waitForValue(page, '#resume-text', /homes\.csv, the squared loss, on CPU\. Its last checkpoint is at epoch [\d,]+ of 100,000/);
    const from = Number(/epoch ([\d,]+) of/.exec(offer)![1].replace(/,/g, ''));
    expect(from).toBeGreaterThanOrEqual(100);
    await page.click('#resume-run');
    await waitForEpochs(page, 'cpu', from + 50);
    // The summary is written when the worker reports the rows it read, which may come after the first epochs.
    await waitForValue(page, '#data-summary', /homes\.csv: 4 features → price \(parsed before: read from this browser's storage\)/);
    const { state, text } = await clickAndWaitForState(page, '#stop', '#status', ['stopped', 'done', 'failed']);
    expect(state, text).toBe('stopped');
    const model = await downloadModel(page, 'cpu');
    expect(model.training?.epochs as number).toBeGreaterThan(from + 50);
    expect(model.features).toEqual(expect.arrayContaining(['size', 'built']));
    await page.waitForFunction(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('downhill');
      return !(await dir.getFileHandle('run.json').catch(() => null));
    });
    // Chosen again after a reload, the file is read from the cache instead of being parsed.
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    expect(await page.isHidden('#resume')).toBe(true);
    await page.selectOption('#data-kind', 'file');
    await page.setInputFiles('#file', path);
    await waitForValue(page, '#data-summary', /\(parsed before: read from this browser's storage\), 565 rows/);
    rmSync(dirname(path), { recursive: true, force: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
