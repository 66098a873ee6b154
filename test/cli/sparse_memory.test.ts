// The memory budget with a wide sparse model, through the built CLI (issue 18): 2^24 hashed buckets, trained at the
// smallest --memory-budget the run accepts (what its refusal says the block and the program keep, plus a little for
// rows), must peak (maxRSS of a process of its own) within that budget on the fast CPU backend and on the reference. Checked by
// hand: handing back a full-width copy of the weights (128 MiB) instead of the session's own breaks both.
import { describe, expect, it } from 'vitest';
import { runCli, runCliOk } from '../helpers/cli';
import { tempDir } from '../data/helpers';

const tmp = tempDir('cli-sparse-memory');
const MiB = 2 ** 20;
// Prints the process's peak resident set (KiB) when it exits.
const rss = tmp.file('rss.cjs', "process.on('exit', () => process.stderr.write(`\\nmaxrss ${process.resourceUsage().maxRSS}\\n`));\n");

describe('a 2^24-bucket sparse model within --memory-budget', () => {
  const dh = tmp.file('ctr24.dh');
  runCliOk(['gen', '-o', dh, '--task', 'ctr', '--rows', '20000', '--hash-bits', '24', '--seed', '1']);
  const train = ['train', dh, '--loss', 'logistic', '--lr', '0.001', '--epochs', '1', '--batch', '256'];

  it.each(['cpu', 'reference'])('%s: refused when the block leaves no room, and peaks within the smallest budget it takes', (backend) => {
    const refused = runCli([...train, '--backend', backend, '--memory-budget', '64MB'], { process: true });
    expect(refused.code).toBe(2);
    const m = /keeps about ([\d.]+) MiB in memory and the program about ([\d.]+) MiB/.exec(refused.stderr);
    expect(m, refused.stderr).not.toBeNull();
    const budget = Math.ceil(Number(m![1]) + Number(m![2])) + 4;
    const r = runCli([...train, '--backend', backend, '--memory-budget', `${budget}MB`], { env: { NODE_OPTIONS: `--require ${rss}` }, process: true });
    expect(r.code, r.stderr).toBe(0);
    const peak = Number(/maxrss (\d+)/.exec(r.stderr)![1]) * 1024;
    expect(peak / MiB, `peak RSS against --memory-budget ${budget}MB`).toBeLessThanOrEqual(budget);
  });
});
