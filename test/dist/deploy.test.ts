// The launch files in deploy/ stay consistent with what downhill reads: the Kubernetes Job's completions, world size,
// pod subdomain, Service and master address agree and give every index a valid place; the Slurm script is valid bash
// that gives srun a token file and the train command; both name only train options that exist.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rankEnv } from '../../src/dist/env';
import { TRAIN_USAGE } from '../../src/cli/commands/train';

const root = join(__dirname, '../..');
const job = readFileSync(join(root, 'deploy/k8s/downhill-job.yaml'), 'utf8');
const sbatch = readFileSync(join(root, 'deploy/slurm/downhill.sbatch'), 'utf8');
const one = (re: RegExp, text = job) => {
  const m = re.exec(text);
  if (!m) throw new Error(`not found: ${re}`);
  return m[1];
};
const envValue = (name: string) => one(new RegExp(`- name: ${name}\\n\\s+value: "?([^"\\n]+)"?`));
const flagsOf = (text: string) => [...text.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)].map((m) => m[1]);
const known = new Set(flagsOf(TRAIN_USAGE));

describe('deploy/k8s', () => {
  it('completions, DOWNHILL_WORLD_SIZE, subdomain, Service and master address agree', () => {
    const completions = one(/completions: (\d+)/);
    expect(envValue('DOWNHILL_WORLD_SIZE')).toBe(completions);
    expect(one(/parallelism: (\d+)/)).toBe(completions);
    const service = one(/kind: Service\nmetadata:\n\s+name: (\S+)/);
    expect(one(/subdomain: (\S+)/)).toBe(service);
    const name = one(/kind: Job\nmetadata:\n\s+name: (\S+)/);
    expect(envValue('DOWNHILL_MASTER_ADDR')).toBe(`${name}-0.${service}`);
    expect(one(/job-name: (\S+)/)).toBe(name);
    expect(envValue('DOWNHILL_MASTER_PORT')).toBe(one(/port: (\d+)/));
    for (let i = 0; i < Number(completions); i++) {
      const e = rankEnv({ JOB_COMPLETION_INDEX: String(i), DOWNHILL_WORLD_SIZE: completions, DOWNHILL_MASTER_ADDR: envValue('DOWNHILL_MASTER_ADDR'), DOWNHILL_MASTER_PORT: envValue('DOWNHILL_MASTER_PORT') });
      expect(e).toMatchObject({ rank: i, launcher: 'kubernetes' });
    }
  });

  it('runs train with options that exist and a token from a file', () => {
    const command = one(/command: \[([^\]]+)\]/s);
    expect(command).toMatch(/^downhill, train,/);
    for (const f of flagsOf(command)) expect(known, f).toContain(f);
    expect(envValue('DOWNHILL_TOKEN_FILE')).toMatch(/^\/secrets\//);
  });
});

describe('deploy/slurm', () => {
  it('is valid bash that runs srun … downhill train with a token file and options that exist', () => {
    expect(spawnSync('bash', ['-n', join(root, 'deploy/slurm/downhill.sbatch')]).status).toBe(0);
    expect(sbatch).toMatch(/export DOWNHILL_TOKEN_FILE=/);
    const line = one(/^(srun [\s\S]*?)\n(?!\s)/m, sbatch);
    expect(line).toMatch(/downhill train/);
    for (const f of flagsOf(line).filter((x) => x !== '--kill-on-bad-exit')) expect(known, f).toContain(f);
  });
});
