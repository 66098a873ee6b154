// End to end, the "Why the variants exist" card (issue 8) in Debian's headless Chromium: J(w) = w² charts one line
// per chosen optimizer and tables the notes' numbers (SGD at α = 0.1: 20, 16, 12.8, 10.24); unchecking an
// optimizer takes its line, column and valley path away; a bad field shows its error and leaves the last result in
// place, a good one recomputes; the valley draws a path per optimizer, and a rate past 2/κ reports SGD's divergence
// instead of failing; no sideways scroll at 390 px; no console errors. Screenshots of the card go to
// $TMPDIR/downhill-web-e2e.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OPTIMIZER_NAMES, OPTIMIZERS } from '../../src/core/optim';
import { frames, pixelsOfColor, recordStates, waitForCount, waitForRecordedState, waitForValue } from './browser';
import { browserSession, setField, SHOTS, sideways } from './session';

const { open } = browserSession();

/** SGD's path color (plot.ts's first): the only one near this blue on either canvas. */
const SGD_BLUE: [number, number, number] = [0x25, 0x63, 0xeb];

const attr = async (page: Page, selector: string, name: string) => (await page.getAttribute(selector, name)) ?? '';
/** The series the line chart's legend names, after the x series. */
const lineLegend = (page: Page) => page.$$eval('#line-chart .u-legend .u-series .u-label', (els) => els.slice(1).map((e) => e.textContent));
/** A column of the w² table: the exact value of each step (data-value) and the text shown. */
const column = (page: Page, k: string) =>
  page.$$eval(`#line-table td[data-optimizer=${k}]`, (tds) => tds.map((td) => ({ v: Number((td as HTMLElement).dataset.value), text: td.textContent })));

describe('the "Why the variants exist" card', () => {
  it('charts and tables each chosen optimizer, rejects bad fields without recomputing, and survives a diverging valley', async () => {
    const { page, problems } = await open();
    const titles = OPTIMIZER_NAMES.map((k) => OPTIMIZERS[k].title);
    await page.waitForSelector('#line-status[data-state=done]');
    await page.waitForSelector('#valley-status[data-state=done]');

    // The card's ids are its own, and every control in it has a label.
    const ids = await page.$$eval('[id]', (els) => els.map((e) => e.id));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(await page.$$eval('#variants input', (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id))).toEqual([]);

    // J(w) = w² from 20 at α = 0.1: a line per optimizer (21 points each), the notes' numbers in SGD's column.
    expect(await lineLegend(page)).toEqual(titles);
    await waitForValue(page, '#line-chart', String(OPTIMIZER_NAMES.length * 21), { attr: 'data-points' });
    expect(await page.$$eval('#line-table thead th', (th) => th.map((e) => e.textContent))).toEqual(['step', ...titles]);
    const sgd = await column(page, 'sgd');
    expect(sgd).toHaveLength(21);
    [20, 16, 12.8, 10.24].forEach((want, t) => {
      expect(sgd[t].v).toBeCloseTo(want, 10);
      expect(sgd[t].text).toBe(String(want));
    });
    expect(await pixelsOfColor(page, '#line-chart', SGD_BLUE)).toBeGreaterThan(50);

    // The valley at its defaults (α = 0.05 < 2/κ = 0.08): every optimizer's path, none diverged.
    await waitForValue(page, '#valley-chart', OPTIMIZER_NAMES.join(','), { attr: 'data-paths' });
    expect(await page.$$eval('#valley-legend li', (lis) => lis.map((li) => (li as HTMLElement).dataset.steps))).toEqual(OPTIMIZER_NAMES.map(() => '60'));
    expect(await pixelsOfColor(page, '#valley-chart', SGD_BLUE)).toBeGreaterThan(50);
    expect(await page.textContent('#valley-status')).not.toMatch(/diverged/i);
    await page.locator('#variants').screenshot({ path: join(SHOTS, 'variants-1400.png') });

    // Unchecking SGD takes its line, its column and its valley path away; checking it again brings them back.
    await page.uncheck('#why-optimizers input[value=sgd]');
    await waitForValue(page, '#line-chart', String((OPTIMIZER_NAMES.length - 1) * 21), { attr: 'data-points' });
    await waitForValue(page, '#valley-chart', OPTIMIZER_NAMES.filter((k) => k !== 'sgd').join(','), { attr: 'data-paths' });
    expect(await lineLegend(page)).toEqual(titles.slice(1));
    expect(await column(page, 'sgd')).toEqual([]);
    expect(await page.$$('#valley-legend li[data-optimizer=sgd]')).toHaveLength(0);
    expect(await pixelsOfColor(page, '#line-chart', SGD_BLUE)).toBe(0);
    expect(await pixelsOfColor(page, '#valley-chart', SGD_BLUE)).toBe(0);
    await page.check('#why-optimizers input[value=sgd]');
    await waitForValue(page, '#valley-chart', OPTIMIZER_NAMES.join(','), { attr: 'data-paths' });
    await waitForCount(page, '#line-table td[data-optimizer=sgd]', 21);

    // A bad α (negative, then text) shows its error and leaves the last result; a good one recomputes.
    for (const [raw, got] of [['-1', '; got "-1"'], ['abc', '; got "abc"']]) {
      await setField(page, '#line-lr', raw);
      await waitForValue(page, '#line-lr-error', `Learning rate α must be a number > 0${got}`);
      expect(await attr(page, '#line-lr', 'aria-invalid')).toBe('true');
      expect(await attr(page, '#line-status', 'data-state')).toBe('invalid');
      expect((await column(page, 'sgd'))[1].v).toBeCloseTo(16, 10);
      expect(await attr(page, '#line-chart', 'data-points')).toBe(String(OPTIMIZER_NAMES.length * 21));
    }
    // The view's own end: its status written "done" after this change (the last value left it "invalid").
    await recordStates(page, '#line-status');
    await setField(page, '#line-lr', '0.2');
    await waitForRecordedState(page, '#line-status', ['done', 'failed']);
    expect((await column(page, 'sgd'))[1].v).toBeCloseTo(12, 10); // 20·(1 − 2·0.2)
    expect(await page.textContent('#line-lr-error')).toBe('');
    expect(await attr(page, '#line-lr', 'aria-invalid')).toBe('false');
    expect(await attr(page, '#line-status', 'data-state')).toBe('done');

    // A bad optimizer setting holds both views and opens its disclosure to show the error.
    await setField(page, '#why-momentum', '1');
    await waitForValue(page, '#why-momentum-error', /^Momentum β must be a number in \[0, 1\); got "1"$/);
    expect(await page.isVisible('#why-momentum-error')).toBe(true);
    await waitForValue(page, '#valley-status', 'invalid', { attr: 'data-state' });
    expect(await attr(page, '#line-status', 'data-state')).toBe('invalid');
    await setField(page, '#why-momentum', '0.9');
    await waitForValue(page, '#valley-status', 'done', { attr: 'data-state' });

    // α = 0.1 > 2/κ = 0.08: SGD diverges across the valley; the card says so and draws what the engine computed.
    await setField(page, '#valley-lr', '0.1');
    await waitForValue(page, '#valley-status', /α < 2\/κ = 0\.08\. Diverged \(the engine stopped them\): SGD\b/);
    expect(await attr(page, '#valley-status', 'data-state')).toBe('done');
    expect(await page.textContent('#valley-legend li[data-optimizer=sgd]')).toMatch(/diverged: the engine stopped it after step \d+/);
    expect(Number(await attr(page, '#valley-legend li[data-optimizer=sgd]', 'data-steps'))).toBeLessThan(60);
    expect(await attr(page, '#valley-legend li[data-optimizer=adam]', 'data-steps')).toBe('60');
    await waitForValue(page, '#valley-chart', OPTIMIZER_NAMES.join(','), { attr: 'data-paths' });
    expect(await pixelsOfColor(page, '#valley-chart', SGD_BLUE)).toBeGreaterThan(20);
    await page.locator('#variants').screenshot({ path: join(SHOTS, 'variants-diverged-1400.png') });
    expect(await page.textContent('label[for=why-eps]')).toBe('Eps ε (AdaGrad, RMSprop, Adam, AdamW)');

    // On a phone the two views stack and nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page); // the charts follow their new size
    expect(await sideways(page)).toBe(false);
    await page.locator('#variants').screenshot({ path: join(SHOTS, 'variants-390.png') });

    expect(problems).toEqual([]);
    await page.close();
  });
});
