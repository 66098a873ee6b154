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

/** Waits until a status element's data-state is one of `states`; returns the state and its text. */
export async function waitForState(page: Page, selector: string, states: string[], timeout = 60_000): Promise<{ state: string; text: string }> {
  await page.waitForFunction(([sel, want]) => want.includes((document.querySelector(sel) as HTMLElement | null)?.dataset.state ?? ''),
    [selector, states] as const, { timeout });
  return page.$eval(selector, (el) => ({ state: (el as HTMLElement).dataset.state ?? '', text: el.textContent ?? '' }));
}

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
