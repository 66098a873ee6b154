// The README documents every registered loss, penalty and optimizer, one table row each made from the unit's own
// doc (objective, gradient or rule, when to use it): a unit added without its README line fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES } from '../../src/core/losses';
import { OPTIMIZER_NAMES, OPTIMIZERS } from '../../src/core/optim';
import { PENALTY_NAMES, PENALTIES } from '../../src/core/penalties';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** The README table row of a loss. */
export const lossRow = (n: (typeof LOSS_NAMES)[number]) => {
  const u = LOSSES[n];
  return `| \`${n}\` | ${u.task} | ${u.doc.objective} | ${u.doc.gradient} | ${u.doc.use} |`;
};
/** The README table row of a penalty. */
export const penaltyRow = (n: (typeof PENALTY_NAMES)[number]) => {
  const u = PENALTIES[n];
  return `| \`${n}\` | ${u.doc.objective} | ${u.doc.step} | ${u.doc.use} |`;
};

/** The README table row of an optimizer. */
export const optimizerRow = (n: (typeof OPTIMIZER_NAMES)[number]) => {
  const u = OPTIMIZERS[n];
  return `| \`${n}\` | ${u.doc.rule} | ${u.options.map((o) => `\`--${o.name}\``).join(', ') || '—'} | ${u.doc.use} |`;
};

describe('README', () => {
  it.each(OPTIMIZER_NAMES)('documents the %s optimizer', (n) => expect(readme).toContain(optimizerRow(n)));
  it.each(LOSS_NAMES)('documents the %s loss', (n) => expect(readme).toContain(lossRow(n)));
  it.each(PENALTY_NAMES)('documents the %s penalty', (n) => expect(readme).toContain(penaltyRow(n)));
  it('table cells hold no stray pipes', () => {
    for (const n of LOSS_NAMES) expect(lossRow(n).split('|')).toHaveLength(7);
    for (const n of PENALTY_NAMES) expect(penaltyRow(n).split('|')).toHaveLength(6);
    for (const n of OPTIMIZER_NAMES) expect(optimizerRow(n).split('|')).toHaveLength(6);
  });
});
