// The README's loss, penalty and optimizer tables are generated from the registries (src/core/docs.ts): a unit added
// or changed without regenerating them fails here. `npm run docs` rewrites the marked blocks (this test, with
// DOWNHILL_WRITE_DOCS=1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitTables, withUnitTables } from '../../src/core/docs';
import { LOSS_NAMES } from '../../src/core/losses';
import { OPTIMIZER_NAMES } from '../../src/core/optim';
import { PENALTY_NAMES } from '../../src/core/penalties';

const path = join(__dirname, '../../README.md');

describe('README', () => {
  if (process.env.DOWNHILL_WRITE_DOCS === '1') writeFileSync(path, withUnitTables(readFileSync(path, 'utf8')));
  const readme = readFileSync(path, 'utf8');

  it('holds the unit tables generated from the registries (run `npm run docs` after adding a unit)', () => {
    expect(readme).toBe(withUnitTables(readme));
  });

  it('has a row per registered unit, cells without stray pipes', () => {
    const t = unitTables();
    for (const [name, names, cells] of [['losses', LOSS_NAMES, 7], ['penalties', PENALTY_NAMES, 6], ['optimizers', OPTIMIZER_NAMES, 6]] as const) {
      const rows = t[name].split('\n').slice(2);
      expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])).toEqual([...names]);
      for (const r of rows) expect(r.split('|')).toHaveLength(cells);
    }
  });

  it('a missing marker is an error that names it', () => {
    expect(() => withUnitTables('no tables here')).toThrow('<!-- units:losses -->');
  });
});
