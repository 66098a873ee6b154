// Checkpoints through the built CLI: a run killed with SIGKILL after writing a checkpoint and resumed from it ends
// with the same weights as the uninterrupted run (bit-identical on the f64 reference, equal within f32 rounding on
// WebGPU); SIGTERM writes a final checkpoint and exits 143; a missing, corrupt or mismatched checkpoint and
// --early-stopping without --validation are clear errors that overwrite nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downhill, parseJson, spawnCli } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a run, waits until its checkpoint file exists (and has been rewritten once), then sends `signal`. */
async function interrupt(args: string[], checkpoint: string, signal: NodeJS.Signals): Promise<number | null> {
  const { child, exited } = spawnCli(args);
  let seen = 0;
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    if (existsSync(checkpoint)) {
      const m = statSync(checkpoint).mtimeMs;
      if (seen && m !== seen) break;
      seen = m;
    }
    if (child.exitCode !== null) break;
  }
  child.kill(signal);
  const { code, signal: sig } = await exited;
  return code ?? (sig ? -1 : null);
}

const data = join(dir, 'data.csv');
expect(downhill('gen', '-o', data, '--rows', '60000', '--features', '6', '--seed', '4').code).toBe(0);
const common = [data, '--target', 'y', '--batch', '64', '--lr', '0.01', '--optimizer', 'adam', '--average', '--lr-schedule', 'cosine', '--seed', '3', '--json'];

describe.each([
  ['reference', 25, 0],
  ['webgpu', 4, 1e-6],
] as const)('kill and resume (%s)', (backend, epochs, tol) => {
  it('SIGKILL after a checkpoint, then --resume: the same weights as the uninterrupted run', async () => {
    const args = [...common, '--epochs', String(epochs), '--backend', backend];
    const whole = downhill('train', ...args);
    expect(whole.code, whole.stderr).toBe(0);
    const ck = join(dir, `${backend}.ckpt.json`);
    const killedWith = await interrupt(['train', ...args, '--checkpoint', ck, '--checkpoint-every', '150steps'], ck, 'SIGKILL');
    const c = JSON.parse(readFileSync(ck, 'utf8'));
    expect(killedWith, 'the run was killed before it finished').toBe(-1);
    expect(c.epoch < epochs || c.step > 0, `checkpoint at epoch ${c.epoch}, step ${c.step}`).toBe(true);
    const resumed = downhill('train', ...args, '--checkpoint', ck, '--resume', ck);
    expect(resumed.code, resumed.stderr).toBe(0);
    const a = parseJson(whole.stdout);
    const b = parseJson(resumed.stdout);
    for (let j = 0; j < a.weights.length; j++) expect(Math.abs(b.weights[j] - a.weights[j]), `weight ${j}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(a.weights[j])));
    expect(Math.abs(b.bias - a.bias)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(a.bias)));
    expect(b.lossHistory).toHaveLength(epochs);
    if (tol === 0) expect(b.weights).toEqual(a.weights);
  });
});

describe('stopping and refusing', () => {
  it('SIGTERM writes a final checkpoint and exits 143; resuming from it finishes the run', async () => {
    const ck = join(dir, 'term.ckpt.json');
    const small = join(dir, 'small.csv');
    expect(downhill('gen', '-o', small, '--rows', '20000', '--features', '6', '--seed', '5').code).toBe(0);
    const args = [small, ...common.slice(1), '--epochs', '100', '--backend', 'reference', '--checkpoint', ck, '--checkpoint-every', '200steps'];
    const code = await interrupt(['train', ...args], ck, 'SIGTERM');
    expect(code).toBe(143);
    const c = JSON.parse(readFileSync(ck, 'utf8'));
    expect(c.format).toBe('downhill.checkpoint');
    const resumed = downhill('train', ...args, '--resume', ck);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(parseJson(resumed.stdout).lossHistory).toHaveLength(100);
  });

  it('a missing, corrupt or mismatched checkpoint is refused with what is wrong, and nothing is overwritten', () => {
    const args = [...common, '--epochs', '2', '--backend', 'reference'];
    expect(downhill('train', ...args, '--resume', join(dir, 'nope.json')).stderr).toMatch(/--resume: no checkpoint at .*nope\.json/);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "downhill.checkpoint", "version": 1, "spec": ');
    const bad = downhill('train', ...args, '--resume', corrupt, '--checkpoint', corrupt);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/corrupt\.json: not a checkpoint \(invalid JSON/);
    expect(readFileSync(corrupt, 'utf8')).toBe('{"format": "downhill.checkpoint", "version": 1, "spec": ');
    const ck = join(dir, 'good.json');
    expect(downhill('train', ...args, '--checkpoint', ck).code).toBe(0);
    const before = readFileSync(ck, 'utf8');
    const other = downhill('train', ...args.map((a) => (a === '0.01' ? '0.02' : a)), '--resume', ck, '--checkpoint', ck);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/cannot resume: lr: 0\.01 in the checkpoint, 0\.02 now/);
    const otherData = join(dir, 'other.csv');
    expect(downhill('gen', '-o', otherData, '--rows', '500', '--features', '6', '--seed', '9').code).toBe(0);
    const moved = downhill('train', otherData, ...args.slice(1), '--resume', ck);
    expect(moved.stderr).toMatch(/cannot resume: .*data rows: 60000 in the checkpoint, 500 now/);
    expect(readFileSync(ck, 'utf8')).toBe(before);
  });

  it('bad optimizer options and --early-stopping without --validation exit 2 naming the option', () => {
    for (const [extra, text] of [
      [['--optimizer', 'lbfgs'], /--optimizer must be one of sgd, momentum/],
      [['--optimizer', 'momentum', '--momentum', '1.5'], /--momentum expects a number in \[0, 1\)/],
      [['--optimizer', 'adamw', '--weight-decay=-0.1'], /--weight-decay expects a number ≥ 0/],
      [['--early-stopping'], /--early-stopping watches the held-out rows: give --validation/],
      [['--checkpoint-every', '3'], /--checkpoint-every needs --checkpoint FILE/],
    ] as const) {
      const r = downhill('train', data, '--target', 'y', ...extra);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(text);
    }
  });
});
