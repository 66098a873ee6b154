// End to end in a real browser: the built page (dist-web) served on 127.0.0.1, driven in Debian's headless
// Chromium whose WebGPU runs on SwiftShader. Trains on WebGPU and checks the coefficients against the true
// and the exact ones, checks that the charts drew, runs the CPU-vs-GPU comparison, pauses, stops and
// downloads a model, trains on a CSV from the file picker, classifies (logistic on both backends, softmax on
// blobs, a text-labelled CSV), shows each hyperparameter only for its loss or penalty, blocks Start on invalid
// fields, and checks the page without WebGPU. Screenshots go to $TMPDIR/downhill-web-e2e (session.ts). Fails (never
// skips) without Chromium or an adapter. e2e_user.test.ts checks what a new user met (issue 12).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES } from '../../src/core/losses';
import { clickAndWaitForState, DIST_WEB, frames, pixelsOfColor, readCoefficients, waitForTexts, waitForValue } from './browser';
import { serveStatic } from './static_server';
import { browserSession, downloadModel, maxAbsDiff, metric, openMore, requireWebGpu, screenshot, setField, sideways, train, waitForEpochs } from './session';

const WEBGPU_BLUE: [number, number, number] = [37, 99, 235];
const { open } = browserSession();

/** A backend's confusion matrix as shown. */
const confusion = (page: Page, kind: string) => page.$$eval(`table.confusion[data-backend=${kind}] tbody tr`,
  (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => Number(td.textContent!.replace(/,/g, '')))));

/** How long a CPU-vs-GPU comparison may take on a loaded machine (SwiftShader and the CPU share its cores). */
const COMPARISON_TIMEOUT = 300_000;

describe('the web page in headless Chromium (WebGPU on SwiftShader)', () => {
  it('trains 20k × 4 synthetic rows on WebGPU to the true coefficients and compares CPU with GPU', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    await page.selectOption('#data-kind', 'linear');
    const t0 = performance.now();
    const status = await train(page, { rows: '20000', features: '4', lr: '0.05', batch: '256', epochs: '4', seed: '3' }, 'webgpu');
    console.log(`WebGPU training: ${status} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const coef = await readCoefficients(page);
    expect(coef.webgpu).toHaveLength(5);
    // SGD with noise σ = 0.1 on 20k rows: within 0.02 of the truth and 0.01 of the exact least-squares fit.
    expect(maxAbsDiff(coef.webgpu, coef.truth), JSON.stringify(coef)).toBeLessThan(0.02);
    expect(maxAbsDiff(coef.webgpu, coef.exact), JSON.stringify(coef)).toBeLessThan(0.01);
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBeGreaterThan(4 * 30); // ~40 per epoch
    expect(await pixelsOfColor(page, '#loss-chart', WEBGPU_BLUE)).toBeGreaterThan(200);
    expect(Number(await page.getAttribute('#fit-chart', 'data-points'))).toBeGreaterThan(1000);

    const t1 = performance.now();
    await setField(page, '#cmp-values', '2k, 20k');
    await setField(page, '#cmp-features', '4');
    await setField(page, '#cmp-batch', '1024');
    // The comparison's own end: its status written "done" (or "failed") after this click, however long it takes.
    const cmp = await clickAndWaitForState(page, '#cmp-run', '#cmp-status', ['done', 'failed'], COMPARISON_TIMEOUT);
    expect(cmp.state, cmp.text).toBe('done');
    console.log(`CPU vs GPU: ${((performance.now() - t1) / 1000).toFixed(1)} s; ${await page.textContent('#crossover')}`);
    const times = await page.$$eval('#bench-table tbody tr', (rows) => rows.map((r) => [
      Number((r as HTMLElement).dataset.x), Number(r.querySelector<HTMLElement>('[data-cpu]')!.dataset.cpu), Number(r.querySelector<HTMLElement>('[data-gpu]')!.dataset.gpu)]));
    expect(times.map((t) => t[0])).toEqual([2000, 20000]);
    for (const [, cpu, gpu] of times) expect(cpu > 0 && gpu > 0, JSON.stringify(times)).toBe(true);
    expect(Number(await page.getAttribute('#bench-time', 'data-points'))).toBe(4);
    expect(await page.textContent('#crossover')).toMatch(/faster|wins/);
    // Issue 12: batch sizes are exact, and the batch that covers every row reads "full".
    await page.selectOption('#cmp-vary', 'batch');
    expect([await page.isVisible('#cmp-rows-label'), await page.isVisible('#cmp-batch-label')]).toEqual([true, false]);
    await setField(page, '#cmp-rows', '2000');
    await setField(page, '#cmp-values', '1024, full');
    // The first comparison left its status "done": wait for this one's own "done", not that one's.
    const batches = await clickAndWaitForState(page, '#cmp-run', '#cmp-status', ['done', 'failed'], COMPARISON_TIMEOUT);
    expect(batches.state, batches.text).toBe('done');
    expect(await page.$$eval('#bench-table tbody th', (t) => t.map((x) => x.textContent))).toEqual(['1,024', 'full (2,000)']);
    expect(await page.textContent('#bench-table')).toMatch(/\d× (faster|slower)/);
    await screenshot(page, 'webgpu.png');
    expect(problems).toEqual([]);
    await page.close();
  }, 2 * COMPARISON_TIMEOUT);

  it('pauses, resumes and stops a run on both backends, keeping and exporting the model trained so far', async () => {
    const t0 = performance.now();
    const lap = (what: string) => console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { page, problems } = await open();
    await requireWebGpu(page);
    // 15 steps an epoch: one loss readback per epoch keeps SwiftShader's epochs short; the CPU (~0.1 ms an epoch)
    // must not finish first, hence the most epochs the field takes.
    // One WebGPU epoch first compiles the shaders (once per model) without the CPU's steps competing for the cores.
    await train(page, { rows: '1500', epochs: '1', lr: '0.02', batch: '100' }, 'webgpu');
    lap('shaders compiled');
    await setField(page, '#epochs', '10000000');
    await page.check('input[name=backend][value=both]');
    await page.click('#start');
    const epochs = (kind: string) => page.$eval(`#metrics li[data-backend=${kind}]`, (el) => Number((el as HTMLElement).dataset.epochs)).catch(() => 0);
    await waitForEpochs(page, 'webgpu', 2);
    await waitForEpochs(page, 'cpu', 1);
    lap('two epochs');
    // The progress line redraws four times a second: wait for the line that names both backends' epochs.
    await waitForValue(page, '#progress-text', /WebGPU epoch [\d,]+\/10,000,000, CPU epoch [\d,]+\/10,000,000 · .* elapsed/);
    // Each backend writes "paused" when it has stopped (the first makes the page say Paused): wait for both, then
    // for the frame that draws their last epochs.
    expect((await clickAndWaitForState(page, '#pause', '#status', ['paused'], 60_000, 2)).state).toBe('paused');
    await frames(page);
    lap('paused');
    const held = [await epochs('webgpu'), await epochs('cpu')];
    await page.waitForTimeout(700); // the check itself: nothing moves for 0.7 s while paused
    expect([await epochs('webgpu'), await epochs('cpu')]).toEqual(held);
    // Issue 12: Download works while paused: the model after the last epoch, marked as saved while paused.
    const paused = await downloadModel(page, 'webgpu');
    expect(paused.training).toMatchObject({ paused: true, stopped: false, epochs: held[0] });
    expect((paused.training?.epochLosses as number[]).length).toBe(held[0]);
    expect(paused.training?.dataSettings).toMatchObject({ kind: 'line', rows: 1500 });
    await page.click('#pause'); // now labelled Resume
    await waitForEpochs(page, 'webgpu', held[0] + 1);
    await waitForEpochs(page, 'cpu', held[1] + 1);
    lap('resumed');
    const { state, text } = await clickAndWaitForState(page, '#stop', '#status', ['stopped', 'done', 'failed']);
    expect(state, text).toBe('stopped');
    lap('stopped');
    const model = await downloadModel(page, 'webgpu');
    expect(model.format).toBe('downhill.linear');
    expect(model).toMatchObject({ version: 2, loss: 'squared', task: 'regression', classes: null });
    expect(model.name).toBe('downhill-line-squared-webgpu.json');
    expect(model.features).toEqual(['x']);
    expect(model.training?.stopped).toBe(true);
    expect(model.training?.epochs as number).toBeLessThan(10_000_000);
    expect((model.training?.epochLosses as number[]).length).toBe(model.training?.epochs);
    expect(Math.abs(model.weights[0][0] - 3)).toBeLessThan(1); // y = 4 + 3x, still learning
    expect(model.loaded.params.weights[0]).toBe(model.weights[0][0]);
    const cpuModel = await downloadModel(page, 'cpu');
    expect(cpuModel.weights).toEqual([[expect.any(Number)]]);
    expect(cpuModel.training?.stopped).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains on a CSV from the file picker with the target chosen from its header', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    const lines = ['a,price,b'];
    for (let i = 0; i < 2000; i++) {
      const a = Math.sin(i * 12.9898) * 2;
      const b = Math.cos(i * 78.233) * 3;
      lines.push(`${a.toFixed(5)},${(1 + 2 * a - 0.5 * b + 0.01 * Math.sin(i * 3.7)).toFixed(5)},${b.toFixed(5)}`);
    }
    await page.selectOption('#data-kind', 'file');
    // Issue 12: a file that cannot be read (a ragged row; a text column is a category since issue 20) shows its
    // message and leaves nothing of itself on the page.
    const bad = ['a,price,b', '1,2,3', '4,5', '7,8,9'].join('\n') + '\n';
    await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await waitForValue(page, '#data-error', /bad\.csv:3: expected 3 fields like the header, found 2/);
    expect(await page.$$eval('#coef-table tr', (r) => r.length)).toBe(0);
    expect(await page.isDisabled('#start')).toBe(true);
    await page.setInputFiles('#file', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await waitForValue(page, '#status', 'idle', { attr: 'data-state' });
    await waitForTexts(page, '#target option', ['a', 'price', 'b']);
    await page.selectOption('#target', 'price');
    await waitForValue(page, '#data-summary', /2,000 rows/);
    // On the CPU: a file trained on WebGPU is e2e_user.test.ts's (houses.csv), and WebGPU's shaders take ~10 s to compile here.
    await train(page, { lr: '0.1', batch: '64', epochs: '6' }, 'cpu');
    const coef = await readCoefficients(page);
    expect(await page.$$eval('#coef-table tbody th', (t) => t.map((x) => x.textContent))).toEqual(['a', 'b', 'intercept']);
    expect(maxAbsDiff(coef.cpu, [2, -0.5, 1])).toBeLessThan(0.02);
    expect(maxAbsDiff(coef.cpu, coef.exact)).toBeLessThan(0.02);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows each hyperparameter only for its loss or penalty, and blocks Start on invalid fields instead of replacing them', async () => {
    const { page, problems } = await open();
    await openMore(page);
    const visible = (id: string) => page.isVisible(`#${id}`);
    expect(await page.inputValue('#loss')).toBe('squared');
    expect(await page.$$eval('#loss optgroup', (g) => g.map((x) => x.getAttribute('label')))).toEqual(['Regression', 'Binary classification', 'Multiclass classification']);
    expect(await page.$$eval('#loss option', (o) => o.length)).toBe(LOSS_NAMES.length); // one option per registered loss
    expect([await visible('huber-delta'), await visible('quantile'), await visible('epsilon'), await visible('alpha'), await visible('l1-ratio')]).toEqual([false, false, false, false, false]);
    await page.selectOption('#loss', 'huber');
    expect([await visible('huber-delta'), await visible('quantile')]).toEqual([true, false]);
    expect(await page.textContent('label[for=huber-delta]')).toBe('Huber delta δ');
    await page.selectOption('#loss', 'quantile');
    expect([await visible('huber-delta'), await visible('quantile')]).toEqual([false, true]);
    await page.selectOption('#penalty', 'l2');
    expect([await visible('alpha'), await visible('l1-ratio')]).toEqual([true, false]);
    await page.selectOption('#penalty', 'elasticnet');
    expect([await visible('alpha'), await visible('l1-ratio')]).toEqual([true, true]);
    await setField(page, '#l1-ratio', '1.5');
    expect(await page.textContent('#l1-ratio-error')).toBe('L1 ratio must be a number in [0, 1]; got "1.5"');
    expect(await page.isDisabled('#start')).toBe(true);
    await setField(page, '#l1-ratio', '0.5');
    expect(await page.isDisabled('#start')).toBe(false);
    // A hidden field's bad value does not count once its penalty is gone; shown again, it does.
    await setField(page, '#l1-ratio', 'x');
    await page.selectOption('#penalty', 'none');
    expect(await page.isDisabled('#start')).toBe(false);
    await page.selectOption('#penalty', 'elasticnet');
    expect(await page.isDisabled('#start')).toBe(true);
    await page.selectOption('#penalty', 'none');
    await page.selectOption('#loss', 'squared');
    // Issue 12: Rows "50", noise "-1" and features "2.5" are errors that hold Start, never silently replaced.
    await page.selectOption('#data-kind', 'linear');
    for (const [id, v, want] of [['rows', '50', /Rows must be an integer in \[100, 4000000\]/], ['noise', '-1', /Noise σ must be a number/], ['features', '2.5', /Features must be an integer in \[1, 256\]/]] as const) {
      await setField(page, `#${id}`, v);
      expect(await page.textContent(`#${id}-error`)).toMatch(want);
      expect(await page.getAttribute(`#${id}`, 'aria-invalid')).toBe('true');
      expect(await page.isDisabled('#start')).toBe(true);
    }
    await setField(page, '#lr', '-1');
    expect(await page.textContent('#lr-error')).toBe('Learning rate α must be a number > 0; got "-1"');
    await page.selectOption('#data-kind', 'line'); // the dataset's suggestions replace the bad values
    expect(await page.isDisabled('#start')).toBe(false);
    expect(await page.textContent('#lr-error')).toBe('');
    // Issue 12: the comparison form hides the fixed field, and nothing scrolls sideways at a phone's width.
    expect([await visible('cmp-rows-label'), await visible('cmp-batch-label')]).toEqual([false, true]);
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page); // the charts follow their new size
    expect(await sideways(page)).toBe(false);
    await screenshot(page, 'narrow-390.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('classifies: logistic on the binary dataset agrees on WebGPU and the CPU, softmax on blobs, a text-labelled CSV', async () => {
    const { page, problems } = await open();
    await requireWebGpu(page);
    const t0 = performance.now();
    const lap = (what: string) => console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await page.selectOption('#data-kind', 'binary');
    expect(await page.inputValue('#loss')).toBe('logistic');
    await waitForValue(page, '#data-summary', /Task: classification, 2 classes \(0, 1\)/);
    expect(await page.textContent('#model-task')).toMatch(/binary classifier/);
    // Issue 20: which backend was faster, and that a software renderer's times say nothing about a GPU.
    expect(await train(page, {}, 'both')).toMatch(/WebGPU was [\d.,]+× (faster|slower) than the CPU .*This adapter is a software renderer/);
    lap('binary, both backends');
    const accuracy = [await metric(page, 'webgpu', 'accuracy'), await metric(page, 'cpu', 'accuracy')];
    const logLoss = [await metric(page, 'webgpu', 'log-loss'), await metric(page, 'cpu', 'log-loss')];
    console.log(`binary: accuracy ${accuracy.join(' / ')}, log-loss ${logLoss.join(' / ')}`);
    // 5000 rows labelled by a logistic model with weights (2.85, −5.26): the Bayes rate is about 87%.
    for (const a of accuracy) expect(a).toBeGreaterThan(0.85);
    expect(Math.abs(accuracy[0] - accuracy[1])).toBeLessThan(0.002);
    expect(Math.abs(logLoss[0] - logLoss[1])).toBeLessThan(1e-3);
    const coef = await readCoefficients(page);
    expect(coef.webgpu).toHaveLength(3);
    expect(maxAbsDiff(coef.webgpu, coef.cpu), JSON.stringify(coef)).toBeLessThan(0.01); // f32 GPU vs f64 CPU over 200 steps
    expect(maxAbsDiff(coef.webgpu, coef.truth), JSON.stringify(coef)).toBeLessThan(0.5);
    for (const kind of ['webgpu', 'cpu']) {
      const m = await confusion(page, kind);
      expect(m).toHaveLength(2);
      expect(m.flat().reduce((a, b) => a + b, 0)).toBe(5000);
      expect((m[0][0] + m[1][1]) / 5000).toBeCloseTo(await metric(page, kind, 'accuracy'), 6);
    }
    expect(await page.textContent('#coef-caption')).toMatch(/class “1” against “0”/);
    expect(Number(await page.getAttribute('#fit-chart', 'data-points'))).toBeGreaterThan(1000);
    expect(await page.textContent('#fit-title')).toMatch(/\(x1, x2\) plane/);
    const model = await downloadModel(page, 'webgpu');
    expect(model).toMatchObject({ version: 2, task: 'binary', loss: 'logistic', classes: ['0', '1'], features: ['x1', 'x2'] });
    expect(model.metrics).toMatchObject({ task: 'classification', confusion: await confusion(page, 'webgpu') });
    expect(model.loaded.classes).toEqual(['0', '1']);
    await screenshot(page, 'binary.png');

    // Three blobs: the logistic loss is refused before Start (issue 20: the summary knows the classes); softmax trains.
    await page.selectOption('#data-kind', 'blobs');
    expect(await page.inputValue('#loss')).toBe('softmax');
    await waitForValue(page, '#data-summary', /3 classes/);
    await page.selectOption('#loss', 'logistic');
    await page.check('input[name=backend][value=cpu]');
    await waitForValue(page, '#start-problem', /the Logistic \(log-loss\) loss separates two classes, and the target has 3: choose a multiclass loss \(softmax\)/);
    expect(await page.isDisabled('#start')).toBe(true);
    expect(await page.textContent('#start-problem')).not.toMatch(/--/);
    await page.selectOption('#loss', 'squared');
    expect((await clickAndWaitForState(page, '#start', '#status', ['done', 'stopped', 'failed'])).text).toMatch(/class labels.*regression loss/);
    await page.selectOption('#loss', 'softmax');
    await train(page, {}, 'webgpu');
    lap('blobs, softmax on WebGPU');
    expect(await metric(page, 'webgpu', 'accuracy')).toBeGreaterThan(0.95);
    expect(await confusion(page, 'webgpu')).toHaveLength(3);
    expect(await page.$$eval('#coef-class option', (o) => o.map((x) => x.textContent))).toEqual(['0', '1', '2']);
    const class0 = (await readCoefficients(page)).webgpu;
    await page.selectOption('#coef-class', '2');
    expect((await readCoefficients(page)).webgpu).not.toEqual(class0);
    const softmax = await downloadModel(page, 'webgpu');
    expect(softmax).toMatchObject({ task: 'multiclass', loss: 'softmax', classes: ['0', '1', '2'] });
    expect(softmax.weights).toHaveLength(3);
    await screenshot(page, 'blobs.png');

    // A CSV whose target is text: the classification loss reads it as labels.
    const lines = ['income,debt,approved'];
    for (let i = 0; i < 600; i++) {
      const a = Math.sin(i * 12.9898) * 2;
      const b = Math.cos(i * 78.233) * 2;
      lines.push(`${a.toFixed(4)},${b.toFixed(4)},${2 * a - b > 0.3 ? 'yes' : 'no'}`);
    }
    await page.selectOption('#data-kind', 'file');
    await page.selectOption('#loss', 'logistic');
    await page.setInputFiles('#file', { name: 'loans.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await waitForValue(page, '#data-summary', /600 rows\. Task: classification, 2 classes \(no, yes\)/);
    await train(page, { lr: '1', batch: '32', epochs: '20' }, 'cpu');
    lap('text labels, CPU');
    expect(await metric(page, 'cpu', 'accuracy')).toBeGreaterThan(0.95); // separable: 2a − b > 0.3
    const loans = await downloadModel(page, 'cpu');
    expect(loans).toMatchObject({ loss: 'logistic', classes: ['no', 'yes'], target: 'approved', features: ['income', 'debt'] });
    expect(loans.name).toBe('downhill-loans-logistic-cpu.json');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without WebGPU explains why, and still trains on the CPU in its worker', async () => {
    const { page, problems } = await open(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
    expect(await page.getAttribute('#gpu-badge', 'data-gpu')).toBe('missing');
    expect(await page.isVisible('#gpu-warning')).toBe(true);
    expect(await page.textContent('#gpu-warning')).toMatch(/navigator\.gpu is missing.*CPU backend still works/s);
    expect(await page.isDisabled('input[name=backend][value=webgpu]')).toBe(true);
    expect(await page.isChecked('input[name=backend][value=cpu]')).toBe(true);
    expect(await page.isDisabled('#cmp-run')).toBe(true);
    await openMore(page);
    await page.check('#standardize'); // the engine trains on standardized x and reports original units
    await train(page, { epochs: '30', lr: '0.05' }, 'cpu');
    const coef = await readCoefficients(page);
    expect(maxAbsDiff(coef.cpu, coef.exact), JSON.stringify(coef)).toBeLessThan(0.05);
    await screenshot(page, 'no-webgpu.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains on the CPU with a worker thread per core when cross-origin isolated, and on one thread, saying why, when not', async () => {
    const { page, problems } = await open();
    expect(await page.evaluate(() => crossOriginIsolated), 'the server sends COOP/COEP as npm run preview does').toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await page.selectOption('#data-kind', 'linear');
    await train(page, { rows: '20000', features: '4', lr: '0.05', batch: '4096', epochs: '10' }, 'cpu');
    const threaded = await downloadModel(page, 'cpu');
    // Several cores: how many take part in each step is chosen by measurement (src/cpu/simd_threads.ts).
    expect(String(threaded.training?.device)).toContain(cores > 1 ? `CPU (f32 SIMD, up to ${cores} threads, chosen by measurement` : 'CPU (f32 SIMD, 1 thread');
    expect(problems).toEqual([]);
    await page.close();
    const plain = await serveStatic(DIST_WEB, { isolated: false });
    try {
      const { page: p2, problems: problems2 } = await open(undefined, plain.origin);
      expect(await p2.evaluate(() => crossOriginIsolated)).toBe(false);
      await p2.selectOption('#data-kind', 'linear');
      await train(p2, { rows: '20000', features: '4', lr: '0.05', batch: '4096', epochs: '10' }, 'cpu');
      const single = await downloadModel(p2, 'cpu');
      expect(String(single.training?.device)).toContain('1 thread; one thread: the page is not cross-origin isolated');
      // Same seed, same batches: one thread and several train the same model up to f32 summation order.
      expect(maxAbsDiff(single.weights.flat(), threaded.weights.flat())).toBeLessThan(1e-4);
      expect(problems2).toEqual([]);
      await p2.close();
    } finally {
      await plain.close();
    }
  });
});
