// End to end in a real browser: the built page (dist-web) served on 127.0.0.1, driven in Debian's headless
// Chromium whose WebGPU runs on SwiftShader. Trains on WebGPU and checks the coefficients against the true
// and the exact ones, checks that the charts drew, runs the CPU-vs-GPU comparison, pauses, stops and
// downloads a model, trains on a CSV from the file picker, and checks the page without WebGPU. Screenshots go
// to $TMPDIR/downhill-web-e2e. Fails (never skips) without Chromium or an adapter.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelFile } from '../../src/core/model_file';
import { DIST_WEB, ensureBuilt, launchChromium, pixelsOfColor, readCoefficients, waitForState, watchPage, type Browser } from './browser';
import { serveStatic, type StaticServer } from './static_server';

const SHOTS = join(tmpdir(), 'downhill-web-e2e');
const WEBGPU_BLUE: [number, number, number] = [37, 99, 235];
let server: StaticServer | undefined;
let browser: Browser | undefined;
let setupError: unknown;

// Setup errors are kept and thrown by each test, so a missing browser fails every test instead of skipping them.
beforeAll(async () => {
  try {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    server = await serveStatic(DIST_WEB);
    browser = await launchChromium();
  } catch (e) {
    setupError = e;
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page and waits until it has looked for WebGPU. */
async function open(init?: () => void): Promise<{ page: Page; problems: string[] }> {
  if (!browser || !server) throw setupError instanceof Error ? setupError : new Error(`browser setup failed: ${String(setupError)}`);
  const page = await browser.context.newPage();
  if (init) await page.addInitScript(init);
  const problems = watchPage(page, server.origin);
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
  return { page, problems };
}

async function requireWebGpu(page: Page): Promise<void> {
  const badge = await page.$eval('#gpu-badge', (el) => ({ state: (el as HTMLElement).dataset.gpu, text: el.textContent }));
  const why = await page.textContent('#gpu-warning');
  expect(badge.state, `Chromium gave the page no WebGPU adapter: ${why}`).toBe('ready');
  console.log(`page adapter: ${badge.text}`);
}

/** Types into a text field and leaves it (firing change, as a person would). */
async function setField(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).fill(value);
  await page.locator(selector).blur();
}

async function train(page: Page, o: Record<string, string>, backend: 'webgpu' | 'cpu' | 'both'): Promise<string> {
  for (const [id, v] of Object.entries(o)) await setField(page, `#${id}`, v);
  await page.check(`input[name=backend][value=${backend}]`);
  await page.click('#start');
  const { state, text } = await waitForState(page, '#status', ['done', 'stopped', 'failed']);
  expect(state, text).toBe('done');
  return text;
}

async function downloadModel(page: Page, kind: 'webgpu' | 'cpu') {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${kind}`)]);
  return parseModelFile(readFileSync((await download.path())!, 'utf8'), download.suggestedFilename());
}

const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

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
    await page.click('#cmp-run');
    const cmp = await waitForState(page, '#cmp-status', ['done', 'failed']);
    expect(cmp.state, cmp.text).toBe('done');
    console.log(`CPU vs GPU: ${((performance.now() - t1) / 1000).toFixed(1)} s; ${await page.textContent('#crossover')}`);
    const times = await page.$$eval('#bench-table tbody tr', (rows) => rows.map((r) => [
      Number((r as HTMLElement).dataset.x), Number(r.querySelector<HTMLElement>('[data-cpu]')!.dataset.cpu), Number(r.querySelector<HTMLElement>('[data-gpu]')!.dataset.gpu)]));
    expect(times.map((t) => t[0])).toEqual([2000, 20000]);
    for (const [, cpu, gpu] of times) expect(cpu > 0 && gpu > 0, JSON.stringify(times)).toBe(true);
    expect(Number(await page.getAttribute('#bench-time', 'data-points'))).toBe(4);
    expect(await page.textContent('#crossover')).toMatch(/faster|wins/);
    await page.screenshot({ path: join(SHOTS, 'webgpu.png'), fullPage: true });
    console.log(`screenshot: ${join(SHOTS, 'webgpu.png')}`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pauses, resumes and stops a run on both backends, keeping and exporting the model trained so far', async () => {
    const t0 = performance.now();
    const lap = (what: string) => console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { page, problems } = await open();
    await requireWebGpu(page);
    // 15 steps an epoch: one loss readback per epoch keeps SwiftShader's epochs short; the CPU must not finish first.
    for (const [id, v] of Object.entries({ rows: '1500', epochs: '100000', lr: '0.02', batch: '100' })) await setField(page, `#${id}`, v);
    await page.check('input[name=backend][value=both]');
    await page.click('#start');
    const epochs = (kind: string) => page.$eval(`#metrics li[data-backend=${kind}]`, (el) => Number((el as HTMLElement).dataset.epochs)).catch(() => 0);
    await expect.poll(() => epochs('webgpu'), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(await epochs('cpu')).toBeGreaterThanOrEqual(1);
    lap('two epochs');
    await page.click('#pause');
    expect((await waitForState(page, '#status', ['paused'])).state).toBe('paused');
    lap('paused');
    await page.waitForTimeout(300);
    const held = [await epochs('webgpu'), await epochs('cpu')];
    await page.waitForTimeout(700);
    expect([await epochs('webgpu'), await epochs('cpu')]).toEqual(held);
    await page.click('#pause'); // now labelled Resume
    await expect.poll(() => epochs('webgpu'), { timeout: 30_000 }).toBeGreaterThan(held[0]);
    await expect.poll(() => epochs('cpu'), { timeout: 30_000 }).toBeGreaterThan(held[1]);
    lap('resumed');
    await page.click('#stop');
    const { state, text } = await waitForState(page, '#status', ['stopped', 'done', 'failed']);
    expect(state, text).toBe('stopped');
    lap('stopped');
    const model = await downloadModel(page, 'webgpu');
    expect(model.format).toBe('downhill.linear');
    expect(model.features).toEqual(['x']);
    expect(model.training?.stopped).toBe(true);
    expect(model.training?.epochs as number).toBeLessThan(100_000);
    expect(Math.abs(model.weights[0] - 3)).toBeLessThan(1); // y = 4 + 3x, still learning
    const cpuModel = await downloadModel(page, 'cpu');
    expect(cpuModel.weights).toHaveLength(1);
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
    await page.setInputFiles('#file', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await expect.poll(() => page.$$eval('#target option', (o) => o.map((x) => x.textContent))).toEqual(['a', 'price', 'b']);
    await page.selectOption('#target', 'price');
    await expect.poll(() => page.textContent('#data-summary')).toMatch(/2,000 rows/);
    await train(page, { lr: '0.1', batch: '64', epochs: '6' }, 'webgpu');
    const coef = await readCoefficients(page);
    expect(await page.$$eval('#coef-table tbody th', (t) => t.map((x) => x.textContent))).toEqual(['a', 'b', 'intercept']);
    expect(maxAbsDiff(coef.webgpu, [2, -0.5, 1])).toBeLessThan(0.02);
    expect(maxAbsDiff(coef.webgpu, coef.exact)).toBeLessThan(0.02);
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
    await page.check('#standardize'); // the engine trains on standardized x and reports original units
    await train(page, { epochs: '30', lr: '0.05' }, 'cpu');
    const coef = await readCoefficients(page);
    expect(maxAbsDiff(coef.cpu, coef.exact), JSON.stringify(coef)).toBeLessThan(0.05);
    await page.screenshot({ path: join(SHOTS, 'no-webgpu.png'), fullPage: true });
    console.log(`screenshot: ${join(SHOTS, 'no-webgpu.png')}`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
