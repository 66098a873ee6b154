// What the browser tests share: one Chromium and one server for a test file (set up in beforeAll; a setup error
// fails every test instead of skipping them), opening the page, and helpers that act and read as a person would.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { parseModelFile, type LoadedModel, type ModelFile } from '../../src/core/model_file';
import { clickAndWaitForState, DIST_WEB, ensureBuilt, launchChromium, watchPage, type Browser } from './browser';
import { serveStatic, type StaticServer } from './static_server';

/** Where the tests save their screenshots (look at them after a run). */
export const SHOTS = join(tmpdir(), 'downhill-web-e2e');

/**
 * Starts the browser and the server for the calling test file (`files`: more files it serves, by path); `open` loads
 * the page in a new tab.
 */
export function browserSession(o: { files?: Record<string, Uint8Array> } = {}): {
  open(init?: () => void, origin?: string, before?: (page: Page) => Promise<unknown>): Promise<{ page: Page; problems: string[] }>;
  origin(): string;
  requests(): string[];
} {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      ensureBuilt();
      mkdirSync(SHOTS, { recursive: true });
      server = await serveStatic(DIST_WEB, { files: o.files });
      browser = await launchChromium();
    } catch (e) {
      setupError = e;
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    /** The server's origin ("http://127.0.0.1:port"). */
    origin: () => server!.origin,
    /** The requests the server answered so far ("GET /data/x.csv bytes=0-65535"). */
    requests: () => server!.requests,
    /** Opens the page (from this file's server, or from another one's `origin`); `before` sets the tab up first (routes). */
    async open(init, origin, before) {
      if (!browser || !server) throw setupError instanceof Error ? setupError : new Error(`browser setup failed: ${String(setupError)}`);
      const page = await browser.context.newPage();
      if (init) await page.addInitScript(init);
      if (before) await before(page);
      const at = origin ?? server.origin;
      const problems = watchPage(page, at);
      await page.goto(`${at}/`);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      return { page, problems };
    },
  };
}

/** Fails unless the page found a WebGPU adapter; logs it. */
export async function requireWebGpu(page: Page): Promise<void> {
  const badge = await page.$eval('#gpu-badge', (el) => ({ state: (el as HTMLElement).dataset.gpu, text: el.textContent }));
  const why = await page.textContent('#gpu-warning');
  expect(badge.state, `Chromium gave the page no WebGPU adapter: ${why}`).toBe('ready');
  console.log(`page adapter: ${badge.text}`);
}

/** Opens the disclosures ("More options", "More training options") that hold a field, as a person would before using it. */
export async function reveal(page: Page, selector: string): Promise<void> {
  await page.locator(selector).evaluate((el) => {
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
  });
}

/** Opens "More options" (everything but the essentials), as a person does before changing a training setting. */
export async function openMore(page: Page): Promise<void> {
  await page.$eval('#more-options', (d) => ((d as HTMLDetailsElement).open = true));
}

/** Types into a text field and leaves it (firing change, as a person would). */
export async function setField(page: Page, selector: string, value: string): Promise<void> {
  await reveal(page, selector);
  await page.locator(selector).fill(value);
  await page.locator(selector).blur();
}

/**
 * Sets fields by id, picks the backend, presses Start and waits for this run to end (the status's next write of an
 * end state, never the last run's); returns the status text.
 */
export async function train(page: Page, o: Record<string, string>, backend: 'webgpu' | 'cpu' | 'both', want = 'done', timeout = 60_000): Promise<string> {
  for (const [id, v] of Object.entries(o)) await setField(page, `#${id}`, v);
  await page.check(`input[name=backend][value=${backend}]`);
  const { state, text } = await clickAndWaitForState(page, '#start', '#status', ['done', 'stopped', 'failed', 'diverged'], timeout);
  expect(state, text).toBe(want);
  return text;
}

/** Waits until a backend's metrics line reports at least `n` epochs (its data-epochs), checked on every animation frame. */
export async function waitForEpochs(page: Page, kind: 'webgpu' | 'cpu', n: number, timeout = 60_000): Promise<void> {
  const epochs = (k: string) => Number(document.querySelector<HTMLElement>(`#metrics li[data-backend=${k}]`)?.dataset.epochs);
  try {
    await page.waitForFunction(([k, min]) => Number(document.querySelector<HTMLElement>(`#metrics li[data-backend=${k}]`)?.dataset.epochs) >= min,
      [kind, n] as const, { timeout });
  } catch (e) {
    throw new Error(`${kind} reports ${await page.evaluate(epochs, kind)} epochs, not ${n} or more, after ${timeout / 1000} s`, { cause: e });
  }
}

/** Downloads a backend's model: the file as written (ModelFile) and as `predict` loads it. */
export async function downloadModel(page: Page, kind: 'webgpu' | 'cpu'): Promise<ModelFile & { loaded: LoadedModel; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${kind}`)]);
  const text = readFileSync((await download.path())!, 'utf8');
  return { ...(JSON.parse(text) as ModelFile), loaded: parseModelFile(text, download.suggestedFilename()), name: download.suggestedFilename() };
}

/** A metric a backend's line shows (its data-value). */
export const metric = (page: Page, kind: string, name: string) =>
  page.$eval(`#metrics li[data-backend=${kind}] [data-metric="${name}"]`, (el) => Number((el as HTMLElement).dataset.value));

/** The largest difference between two vectors. */
export const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** Screenshots the whole page into SHOTS and says where. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

/** Whether the page scrolls sideways (wider than its viewport). */
export const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
