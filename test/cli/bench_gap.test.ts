// `downhill bench --to-gap` from the built CLI on a tiny NPY problem (logistic + L2): Newton and L-BFGS report the
// fewest iterations that reach the gap with their measured gap ≤ g (and the iteration before does not), gradient
// descent with its default ten epochs is reported as not reaching it with the gap it got to, the table names every
// candidate and the command, scikit-learn runs beside them when python3 imports it (else the table says why not),
// and bad options exit 2 with what is wrong. No timed assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downhill, parseJson, runCliOk } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'tiny.npy');
runCliOk(['gen', '-o', data, '--rows', '2000', '--features', '4', '--task', 'binary', '--seed', '3']);
const PROBLEM = ['--loss', 'logistic', '--penalty', 'l2', '--alpha', '1e-3'];

interface Row { backend: string; solver: string; reached: boolean; gap: number; iterations: number; note?: string; runs: number[] }

describe('downhill bench --to-gap', () => {
  it('times the solvers that reach the gap and reports the one that does not', () => {
    const r = downhill('bench', '--to-gap', '1e-7', data, ...PROBLEM, '--backend', 'cpu', '--solver', 'newton,lbfgs,gd', '--runs', '2', '--no-peers', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson(r.stdout);
    expect(out.command).toContain('--to-gap 1e-7');
    expect(out.reference.converged).toBe(true);
    const row = (s: string): Row => out.results.find((x: Row) => x.solver === s);
    for (const s of ['newton', 'lbfgs']) {
      expect(row(s).reached, s).toBe(true);
      expect(row(s).gap).toBeLessThanOrEqual(1e-7);
      expect(row(s).gap).toBeGreaterThan(-1e-12);
      expect(row(s).runs).toHaveLength(2);
    }
    const gd = row('gd');
    expect(gd.reached).toBe(false);
    expect(gd.gap).toBeGreaterThan(1e-7);
    expect(gd.note).toMatch(/not within its budget of 10 epochs/);
    expect(gd.runs).toHaveLength(1);
    // The fewest iterations: Newton one iteration short of its count does not reach the gap.
    const k = row('newton').iterations;
    if (k > 1) {
      const short = downhill('bench', '--to-gap', '1e-7', data, ...PROBLEM, '--backend', 'cpu', '--solver', 'newton', '--max-iter', String(k - 1), '--runs', '1', '--no-peers', '--json');
      expect(short.code, short.stderr).toBe(0);
      const n = parseJson(short.stdout).results[0] as Row;
      expect(n.reached).toBe(false);
      expect(n.note).toMatch(new RegExp(`budget of ${k - 1} iterations`));
    }
  });

  it('prints a table with every candidate, scikit-learn beside them or why not', () => {
    const r = downhill('bench', '--to-gap', '1e-6', data, ...PROBLEM, '--backend', 'reference', '--solver', 'lbfgs', '--runs', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('downhill bench --to-gap 1e-6');
    expect(r.stdout).toMatch(/^reference\s+lbfgs\s+yes/m);
    if (/scikit-learn: not run|no scikit-learn|did not run/.test(r.stdout)) return;
    expect(r.stdout).toMatch(/^scikit-learn\s+lbfgs\s+yes/m);
    expect(r.stdout).toMatch(/^scikit-learn \(defaults\)\s+lbfgs/m);
  });

  it.each([
    [['--to-gap', '0'], /--to-gap/],
    [['--to-gap', '2'], /below 1/],
    [['--to-gap', '1e-6', '--solver', 'dcd'], /--solver dcd cannot fit this.*use --solver gd, newton, lbfgs/],
    [['--to-gap', '1e-6', '--backend', 'tpu'], /--backend must be one of/],
    [['--to-gap', '1e-6', '--runs', '0'], /--runs/],
    [['--to-gap', '1e-6', '--solver', 'newton', '--lr', '0.1'], /--lr applies to none of the solvers timed \(newton\)/],
  ])('refuses %j', (args, message) => {
    const r = downhill('bench', ...args, data, ...PROBLEM);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('needs a data file', () => {
    const r = downhill('bench', '--to-gap', '1e-6', ...PROBLEM);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a data file/);
  });
});
