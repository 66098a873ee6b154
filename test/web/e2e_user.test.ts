// End to end, what a new user met on the page (issue 12), each reproduction as a check in Debian's headless
// Chromium (WebGPU on SwiftShader): an exploded run ends "Diverged" with a safer rate and a marker on the loss
// chart, never "Done"; invalid fields hold Start and train nothing; bad files (non-numeric cell, ragged rows, PNG,
// gzip, JSON, UTF-16) show a message and leave the page consistent, then a good file with a large target trains;
// the bundled real dataset trains to the least-squares answer; every training option is on the page; early
// stopping and the optimality gap show; no sideways scroll at 390 px. Screenshots at 1400 and 390 px go to
// $TMPDIR/downhill-web-e2e: look at them.
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PAGE_OPTIONS } from '../../src/web/form/settings';
import { frames, readCoefficients, recordStates, waitForRecordedState, waitForValue } from './browser';
import { browserSession, maxAbsDiff, metric, openMore, requireWebGpu, screenshot, setField, sideways, train } from './session';

const { open } = browserSession();

/** What the page shows that must agree after a bad file: no data, no fit, no table, Start held, no run. */
async function cleanState(page: Page): Promise<Record<string, unknown>> {
  return {
    start: await page.isDisabled('#start'),
    table: await page.$$eval('#coef-table tr', (r) => r.length),
    fit: Number((await page.getAttribute('#fit-chart', 'data-points')) ?? 0),
    status: await page.getAttribute('#status', 'data-state'),
    solving: /solving/.test((await page.textContent('#coef-card')) ?? ''),
  };
}

describe('the page as a new user finds it (issue 12)', () => {
  it('ends an exploded run "Diverged" with a safer learning rate, marked on the loss chart, never "Done"', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    // The line dataset at rate 0.05 explodes within a few epochs on WebGPU; at 0.03 it grows more slowly (the CPU here).
    const text = await train(page, { lr: '0.05' }, 'webgpu', 'diverged');
    console.log(text);
    expect(text).toMatch(/^Diverged in epoch \d+: the loss grew from \S+ to \S+ instead of falling\. The learning rate 0\.05 is too large for this data: try (0\.\d+|\de-\d+)/);
    expect(text).not.toMatch(/--|Done/);
    expect(await page.getAttribute('#loss-chart', 'data-markers')).toMatch(/WebGPU diverged/);
    for (const m of await page.$$eval('#metrics [data-metric]', (els) => els.map((e) => e.textContent ?? ''))) expect(m).not.toMatch(/\d{9}/);
    await screenshot(page, 'diverged-1400.png');
    const slow = await train(page, { lr: '0.03' }, 'cpu', 'diverged', 120_000);
    expect(slow).toMatch(/^Diverged in epoch \d+: .*try/);
    // Any change after a failed run makes the page ready again.
    await setField(page, '#lr', '0.01');
    expect(await page.textContent('#status')).toBe('Ready.');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('holds Start on invalid fields (one at a time or together) and trains nothing', async () => {
    const { page, problems } = await open();
    await page.selectOption('#data-kind', 'linear');
    for (const [id, v] of [['rows', '50'], ['noise', 'abc'], ['features', '300'], ['epochs', '2.5'], ['batch', '0']] as const) {
      const before = await page.inputValue(`#${id}`);
      await setField(page, `#${id}`, v);
      expect(await page.textContent(`#${id}-error`), id).not.toBe('');
      expect(await page.isDisabled('#start'), id).toBe(true);
      await page.locator(`#${id}`).press('Enter'); // implicit submission: nothing may start
      expect(await page.getAttribute('#status', 'data-state')).toBe('idle');
      expect(await page.inputValue(`#${id}`)).toBe(v); // never replaced
      await setField(page, `#${id}`, before);
    }
    expect(await page.isDisabled('#start')).toBe(false);
    // A rule between fields: early stopping watches held-out rows, so it needs a validation share.
    await page.click('#training-more > summary');
    await page.check('#early-stopping');
    expect(await page.textContent('#early-stopping-error')).toMatch(/held-out rows|validation/i);
    expect(await page.isDisabled('#start')).toBe(true);
    await page.click('#training-more > summary'); // closed again, a check of the fields opens it to show the error
    await setField(page, '#lr', '0.02');
    expect(await page.isVisible('#early-stopping-error')).toBe(true);
    await setField(page, '#validation', '0.2');
    expect(await page.textContent('#early-stopping-error')).toBe('');
    expect(await page.isDisabled('#start')).toBe(false);
    expect(Number((await page.getAttribute('#loss-chart', 'data-points')) ?? 0)).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('names every bad file, leaves the page consistent, then trains a good file with a target in the hundreds of thousands', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    await page.selectOption('#data-kind', 'file');
    await waitForValue(page, '#data-summary', /Choose a CSV, NPY or Parquet file/);
    expect(await page.textContent('#data-error')).toBe(''); // no file yet is not an error
    expect(await cleanState(page)).toMatchObject({ start: true, table: 0, fit: 0, status: 'idle' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const bad: [string, Buffer, RegExp][] = [
      // A text cell past the first 256 KiB the columns are profiled from (a text column itself is a category: issue 20;
      // the numbers vary, or the columns would be constants, left out).
      ['cell.csv', Buffer.from(`a,b,y\n${Array.from({ length: 50_000 }, (_, i) => `${i % 7},${i % 5},${i % 3}\n`).join('')}4,five,6\n`),
        /cell\.csv:50002 \(column 2 "b"\): expected a number, got "five"/],
      ['ragged.csv', Buffer.from('a,b,y\n1,2,3\n4,5\n6,7,8\n'), /ragged\.csv:3: expected 3 fields/],
      ['photo.png', png, /photo\.png is a PNG image/],
      ['data.csv.gz', gzipSync('a,y\n1,2\n'), /data\.csv\.gz is gzip-compressed: decompress it first/],
      ['rows.json', Buffer.from('[{"a": 1, "y": 2}]'), /rows\.json is JSON, not CSV/],
      ['excel.csv', Buffer.from('\ufeffa,y\n1,2\n', 'utf16le'), /excel\.csv is UTF-16 text: save it as UTF-8/],
    ];
    for (const [name, buffer, want] of bad) {
      await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
      // Issue 20: a data error is an alert beside the file, in red.
      await waitForValue(page, '#data-error', want);
      await waitForValue(page, '#data-fields', 'error', { attr: 'data-state' });
      expect(await page.getAttribute('#data-error', 'role')).toBe('alert');
      expect(await cleanState(page), name).toEqual({ start: true, table: 0, fit: 0, status: 'idle', solving: false });
    }
    // A good file: house prices in the hundreds of thousands (the y axis must label "500k", not "000,000").
    const lines = ['rooms,age,price'];
    for (let i = 0; i < 3000; i++) {
      const rooms = 1 + (i % 7);
      const age = (i * 37) % 90;
      lines.push(`${rooms},${age},${(150_000 + 60_000 * rooms - 900 * age + 5_000 * Math.sin(i * 1.7)).toFixed(0)}`);
    }
    await page.setInputFiles('#file', { name: 'houses.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await waitForValue(page, '#data-fields', 'ready', { attr: 'data-state' });
    expect(await page.textContent('#data-summary')).toMatch(/houses\.csv: 2 features → price, 3,000 rows/);
    expect(await page.isChecked('#standardize')).toBe(true); // suggested for a file, with a batch for its size
    // Full-batch steps at rate 0.5 on standardized, nearly uncorrelated features: each epoch nearly a Newton step.
    await train(page, { batch: 'full', epochs: '10', lr: '0.5' }, 'webgpu');
    const coef = await readCoefficients(page);
    const rel = coef.webgpu.map((v, i) => Math.abs(v - coef.exact[i]) / Math.max(1, Math.abs(coef.exact[i])));
    expect(Math.max(...rel), JSON.stringify(coef)).toBeLessThan(0.02);
    expect(await page.textContent('#progress-text')).toMatch(/^Trained in /);
    await screenshot(page, 'houses-1400.png');
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page); // the charts follow their new size
    expect(await sideways(page)).toBe(false);
    await screenshot(page, 'houses-390.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains the bundled real dataset (3M US flights) to the least-squares answer', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    const t0 = performance.now();
    const lap = (what: string) => console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const watchLongTasks = () => page.evaluate(() => {
      const tasks: number[] = ((window as unknown as { longTasks: number[] }).longTasks = []);
      new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(Math.round(e.duration)))).observe({ type: 'longtask' });
    });
    await watchLongTasks();
    await page.selectOption('#data-kind', 'flights');
    expect(await page.textContent('#data-about')).toMatch(/Bureau of Transportation Statistics.*BSD-3-Clause.*public domain/s);
    await waitForValue(page, '#data-summary', /3M rows, delay \(minutes\) from distance \(miles\) and departure hour\. Task: regression on delay/,
      { timeout: 180_000 });
    expect(await page.getAttribute('#data-fields', 'data-state')).toBe('ready');
    lap('flights read and solved');
    // Issue 20: the file is decoded and scanned (3M rows, the exact solve) in a worker: the page's thread stays free.
    const reading = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`page tasks over 50 ms while reading: ${JSON.stringify(reading)}`);
    expect(Math.max(0, ...reading)).toBeLessThan(800);
    // Standardized full-batch gradient descent at rate 0.5 is a Newton step of the mean squared error (Hessian 2·I)
    // for nearly uncorrelated features: each epoch shrinks the error by their correlation.
    await page.check('input[name=backend][value=webgpu]');
    for (const [id, v] of Object.entries({ batch: 'full', lr: '0.5', epochs: '3' })) await setField(page, `#${id}`, v);
    await recordStates(page, '#status');
    await watchLongTasks();
    await page.click('#start');
    await waitForValue(page, '#progress-text', /epoch [23]\/3 · .* elapsed/, { timeout: 120_000 });
    const { state, text } = await waitForRecordedState(page, '#status', ['done', 'failed', 'diverged'], 240_000);
    expect(state, text).toBe('done');
    lap('trained');
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    // Issue 20: the upload of 3M rows (and the steps) run in the WebGPU worker; on the page's thread it froze the
    // page for 1.6 s. Tasks over 50 ms are the browser's long tasks (here up to ~130 ms: chart redraws); none may
    // come near that.
    console.log(`page tasks over 50 ms during the run: ${JSON.stringify(longTasks)}`);
    expect(Math.max(0, ...longTasks)).toBeLessThan(800);
    const coef = await readCoefficients(page);
    console.log(`flights: ${JSON.stringify(coef)}`);
    const rel = coef.webgpu.map((v, i) => Math.abs(v - coef.exact[i]) / Math.max(1e-3, Math.abs(coef.exact[i])));
    expect(Math.max(...rel), JSON.stringify(coef)).toBeLessThan(1e-3);
    expect(coef.exact[1]).toBeGreaterThan(0.5); // delays grow through the day: about a minute per hour
    expect(await metric(page, 'webgpu', 'R²')).toBeLessThan(0.1);
    await page.hover('#loss-chart .u-over', { position: { x: 200, y: 60 } });
    expect(await page.textContent('#loss-chart .u-legend')).toMatch(/\d/); // values on hover
    await screenshot(page, 'flights-1400.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 480_000);

  it('shows every training option from the descriptors, stops early with a marker, and reports the optimality gap', async () => {
    const { page, problems } = await open();
    await openMore(page);
    const ids = await page.$$eval('#train-form [id]', (els) => els.map((e) => e.id));
    for (const o of PAGE_OPTIONS) expect(ids, o.name).toContain(o.name);
    // Every control has a name a screen reader can say (a label, or aria-label where the label is visual only).
    const unnamed = await page.$$eval('input, select, button, textarea', (els) => els
      .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent?.trim()))
      .map((e) => e.id || e.outerHTML.slice(0, 60)));
    expect(unnamed).toEqual([]);
    await page.selectOption('#optimizer', 'adam');
    expect(await page.isVisible('#beta1')).toBe(true);
    await page.selectOption('#optimizer', 'sgd');
    expect(await page.isVisible('#beta1')).toBe(false);
    // Early stopping on the held-out share: the run ends before its 400 epochs, and the loss chart marks where.
    await page.click('#training-more > summary');
    await page.check('#early-stopping');
    const text = await train(page, { validation: '0.3', epochs: '400', patience: '3' }, 'cpu');
    expect(text).toMatch(/CPU: \d+ epochs, stopped early and kept epoch \d+\)\. Early stopping: the validation loss/);
    expect(await page.getAttribute('#loss-chart', 'data-markers')).toBe('CPU stopped early');
    await page.uncheck('#early-stopping');
    await setField(page, '#validation', '0');
    // The optimality gap after every epoch, beside the metrics: full-batch steps on standardized features close it.
    await page.check('#gap');
    await page.check('#standardize');
    await train(page, { epochs: '30', batch: 'full', lr: '0.5' }, 'cpu');
    const gap = await metric(page, 'cpu', 'gap');
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(1e-6);
    await page.check('input[name=loss-x][value=gap]'); // the gap per epoch, charted
    await waitForValue(page, '#loss-chart', '30', { attr: 'data-points' });
    await page.check('input[name=loss-x][value=step]');
    // The exact solver: one pass, the least-squares answer itself.
    await page.selectOption('#solver', 'exact');
    expect(await train(page, {}, 'cpu')).toMatch(/CPU: solved exactly in one pass \(rank 2 of 2\)/);
    const coef = await readCoefficients(page);
    expect(maxAbsDiff(coef.cpu, coef.exact), JSON.stringify(coef)).toBeLessThan(1e-4);
    expect(await page.textContent('#metrics')).toMatch(/solved exactly in one pass/);
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page); // the charts follow their new size
    expect(await sideways(page)).toBe(false);
    await screenshot(page, 'options-390.png');
    expect(problems).toEqual([]);
    await page.close();
  });
});
