// End to end in Debian's headless Chromium: the page fits a regularization path by Newton's method on the CPU
// backend (issue 19 items 4 and 8): the status says how many α's and which was kept, the metrics line says the
// solver's iterations and passes instead of epochs, and the path card charts every α (objective, held-out loss and
// nonzero weights) with the kept one marked; 3-fold cross-validation charts the cross-validated loss; a plain Newton
// fit reports its iterations and hides the path card.
import { describe, expect, it } from 'vitest';
import { waitForValue } from './browser';
import { browserSession, openMore, train } from './session';

const { open } = browserSession();

describe('solvers on the page', () => {
  it('fits a lasso path by Newton on the CPU, charts it and marks the α it kept; a plain Newton fit says its iterations', async () => {
    const { page, problems } = await open();
    await page.selectOption('#data-kind', 'linear');
    await openMore(page);
    await page.selectOption('#penalty', 'l1');
    await page.selectOption('#solver', 'newton');
    const text = await train(page, { 'alpha-path': '8', 'alpha-min-ratio': '0.01', validation: '0.2' }, 'cpu');
    expect(text).toMatch(/CPU: a regularization path of 8 α's by newton, kept α [\d.e+-]+ with \d+ nonzero weights \(the least validation loss/);
    expect(await page.isVisible('#path-card')).toBe(true);
    // 8 α's × (objective, held-out loss, nonzeros) = 24 points drawn.
    await waitForValue(page, '#path-chart', '24', { attr: 'data-points' });
    const chosen = Number(await page.getAttribute('#path-chart', 'data-chosen'));
    expect(chosen).toBeGreaterThan(0);
    expect(await page.textContent('#path-caption')).toMatch(/^8 α's from α_max [\d.e+-]+; kept α [\d.e+-]+ with \d+ nonzero weights/);
    expect(await page.textContent('#metrics li[data-backend=cpu]')).toMatch(/a regularization path of 8 α's/);

    // Cross-validation: 3 folds over the same path, the mean held-out loss charted, the α picked by the rule.
    await page.fill('#validation', '0');
    await page.locator('#validation').blur();
    const cv = await train(page, { cv: '3' }, 'cpu');
    expect(cv).toMatch(/kept α [\d.e+-]+ with \d+ nonzero weights \(the least mean held-out loss over 3 folds/);
    await waitForValue(page, '#path-chart', '24', { attr: 'data-points' });
    expect(await page.textContent('#path-chart .u-legend')).toMatch(/cross-validated loss \(3 folds\)/);
    await page.fill('#cv', '0');
    await page.locator('#cv').blur();

    await page.fill('#alpha-path', '0');
    await page.locator('#alpha-path').blur();
    const plain = await train(page, { alpha: '0.01' }, 'cpu');
    expect(plain).toMatch(/CPU: solved by newton in \d+ iterations?, \d+ passes over the data/);
    expect(await page.isVisible('#path-card')).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });
});
