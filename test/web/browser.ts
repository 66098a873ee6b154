// Browser-test setup: the built page (dist-web, built here only when missing), Debian's Chromium driven by
// playwright-core (never a downloaded browser) with SwiftShader WebGPU, a fresh profile per launch, and
// helpers that read what the page shows. A missing browser is an error, never a skip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built page. */
export const DIST_WEB = join(ROOT, 'dist-web');
/** Debian's Chromium (scripts/system-deps.sh installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Builds dist-web when it is missing (`npm test` builds it first through pretest); warns when it looks stale. */
export function ensureBuilt(): void {
  const index = join(DIST_WEB, 'index.html');
  if (!existsSync(index)) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'inherit' });
    return;
  }
  const sources = Math.max(...['src', 'shaders', 'index.html'].map((p) => newestMtime(join(ROOT, p))));
  if (sources > statSync(index).mtimeMs) {
    console.warn('dist-web is older than the sources: run `npm run build:web` (npm test does) to test the current page');
  }
}

/** A browser with a fresh profile; close() removes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with WebGPU on SwiftShader; throws with a fix when Chromium is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install it with scripts/system-deps.sh (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'downhill-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 }, acceptDownloads: true,
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

/** Problems a page reported: console errors, uncaught exceptions, and requests that left the server. */
export function watchPage(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url)) problems.push(`request outside the page's server: ${url}`);
  });
  return problems;
}

/** What a status element is and says. */
export interface State {
  state: string;
  text: string;
}

type StateLog = Record<string, { states: string[]; observer: MutationObserver }>;

/**
 * Records from now on every write of a status element's data-state, in order (a MutationObserver sees each write,
 * however brief, and a write of the state it already had), so a wait cannot mistake the last run's end for this one's.
 */
export async function recordStates(page: Page, selector: string): Promise<void> {
  await page.$eval(selector, (el, sel) => {
    const log = ((window as unknown as { downhillStates?: StateLog }).downhillStates ??= {});
    log[sel]?.observer.disconnect();
    const states: string[] = [];
    const observer = new MutationObserver((records) => {
      // Each record holds the value before its write: the value a write left is the next record's old value.
      records.forEach((r, i) => states.push(i + 1 < records.length ? records[i + 1].oldValue ?? '' : (el as HTMLElement).dataset.state ?? ''));
    });
    observer.observe(el, { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
    log[sel] = { states, observer };
  }, selector);
}

/**
 * Waits until the status element, written since recordStates, was last written one of `states`, and `count` of its
 * writes were (two backends each write "paused" once); returns the state and its text. Fails with the states seen.
 */
export async function waitForRecordedState(page: Page, selector: string, states: string[], timeout = 60_000, count = 1): Promise<State> {
  try {
    await page.waitForFunction(([sel, want, n]) => {
      const seen = (window as unknown as { downhillStates?: StateLog }).downhillStates?.[sel]?.states ?? [];
      return seen.length > 0 && want.includes(seen[seen.length - 1]) && seen.filter((s) => want.includes(s)).length >= n;
    }, [selector, states, count] as const, { timeout });
  } catch (e) {
    const seen = await page.evaluate((sel) => (window as unknown as { downhillStates?: StateLog }).downhillStates?.[sel]?.states, selector);
    const text = await page.textContent(selector);
    throw new Error(`${selector} did not reach ${states.join('/')}${count > 1 ? ` ${count} times` : ''} within ${timeout / 1000} s: `
      + `states written ${JSON.stringify(seen)}, it says ${JSON.stringify(text)}`, { cause: e });
  }
  return page.$eval(selector, (el) => ({ state: (el as HTMLElement).dataset.state ?? '', text: el.textContent ?? '' }));
}

/** Clicks `button` and waits for the run it starts to end: its status element's next write of one of `states`. */
export async function clickAndWaitForState(page: Page, button: string, selector: string, states: string[], timeout = 60_000, count = 1): Promise<State> {
  await recordStates(page, selector);
  await page.click(button);
  return waitForRecordedState(page, selector, states, timeout, count);
}

/**
 * Waits until an element's text (or its attribute `attr`) equals `want` or matches it, checked on every animation
 * frame; returns it. Fails with what the element holds instead.
 */
export async function waitForValue(page: Page, selector: string, want: string | RegExp, o: { attr?: string; timeout?: number } = {}): Promise<string> {
  const { attr = null, timeout = 60_000 } = o;
  const w = typeof want === 'string' ? { text: want } : { source: want.source, flags: want.flags };
  const read = ([sel, a]: readonly [string, string | null]) => {
    const el = document.querySelector(sel);
    return !el ? null : a ? el.getAttribute(a) : el.textContent;
  };
  try {
    await page.waitForFunction(([sel, a, w]) => {
      const el = document.querySelector(sel);
      const v = !el ? null : a ? el.getAttribute(a) : el.textContent;
      return v !== null && ('text' in w ? v === w.text : new RegExp(w.source, w.flags).test(v));
    }, [selector, attr, w] as const, { timeout });
  } catch (e) {
    const now = await page.evaluate(read, [selector, attr] as const);
    throw new Error(`${selector}${attr ? `[${attr}]` : ''} is ${JSON.stringify(now)}, not ${String(want)} after ${timeout / 1000} s`, { cause: e });
  }
  return (await page.evaluate(read, [selector, attr] as const))!;
}

/** Waits until the elements that `selector` finds have exactly these texts, checked on every animation frame. */
export async function waitForTexts(page: Page, selector: string, want: (string | null)[], timeout = 60_000): Promise<void> {
  const texts = (sel: string) => Array.from(document.querySelectorAll(sel), (e) => e.textContent);
  try {
    await page.waitForFunction(([sel, w]) => JSON.stringify(Array.from(document.querySelectorAll(sel), (e) => e.textContent)) === w,
      [selector, JSON.stringify(want)] as const, { timeout });
  } catch (e) {
    throw new Error(`${selector} reads ${JSON.stringify(await page.evaluate(texts, selector))}, not ${JSON.stringify(want)} after ${timeout / 1000} s`, { cause: e });
  }
}

/** Waits until `selector` finds exactly `n` elements, checked on every animation frame. */
export async function waitForCount(page: Page, selector: string, n: number, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction(([sel, k]) => document.querySelectorAll(sel).length === k, [selector, n] as const, { timeout });
  } catch (e) {
    throw new Error(`${selector} finds ${(await page.$$(selector)).length} elements, not ${n}, after ${timeout / 1000} s`, { cause: e });
  }
}

/** Waits for `n` animation frames: what a resize or a data change schedules (ResizeObserver, one redraw a frame) has run. */
export const frames = (page: Page, n = 3) => page.evaluate((k) => new Promise<void>((done) => {
  const step = (left: number) => (left === 0 ? done() : requestAnimationFrame(() => step(left - 1)));
  step(k);
}), n);

/** The coefficient table as numbers: one entry per row (features, then the intercept) per source. */
export async function readCoefficients(page: Page): Promise<Record<string, number[]>> {
  return page.$$eval('#coef-table tbody tr[data-coef]', (rows) => {
    const out: Record<string, number[]> = {};
    for (const row of rows) {
      for (const td of Array.from(row.querySelectorAll<HTMLElement>('td[data-source]'))) {
        const v = td.dataset.value !== undefined ? Number(td.dataset.value) : Number(td.textContent);
        (out[td.dataset.source!] ??= []).push(v);
      }
    }
    return out;
  });
}

/** Counts canvas pixels close to a color inside a chart element (to prove that a series was drawn). */
export async function pixelsOfColor(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(selector, (el, [r, g, b]) => {
    let n = 0;
    for (const canvas of Array.from(el.querySelectorAll('canvas'))) {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24 && data[i + 3] > 200) n++;
      }
    }
    return n;
  }, rgb);
}
