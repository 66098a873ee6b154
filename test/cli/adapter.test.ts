// --adapter, DOWNHILL_ADAPTER and `launch --gpus` through the built CLI, with what a machine without GPUs allows: Mesa's
// lavapipe, and two identical lavapipe adapters made by listing its driver twice (VK_DRIVER_FILES). Chosen by name or
// index, an adapter trains; one that does not exist, or an identical twin that Vulkan gives no PCI address to tell
// apart, is a usage error that lists the adapters, before any rank trains. Choosing the ith of identical PCI GPUs
// (Mesa's device-select layer, DRI_PRIME=pci-…) needs a machine with several GPUs: test/gpu/adapters.test.ts checks the plan.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, runCliOk } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'd.npy');
runCliOk(['gen', '-o', data, '--rows', '2000', '--features', '4', '--seed', '3']);
const train = ['train', data, '--backend', 'webgpu', '--epochs', '2', '--batch', 'full', '--json'];
const adapters = parseJson(runCliOk(['info', '--adapters', '--json']).stdout).adapters as { name: string }[];

// Two adapters of one name: lavapipe's driver manifest listed twice.
const LVP = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/local/share/vulkan/icd.d/lvp_icd.json'].find((f) => existsSync(f));
const twins = (): Record<string, string> => {
  if (!LVP) throw new Error('lavapipe\'s Vulkan driver manifest (lvp_icd.json) is missing: install Mesa\'s mesa-vulkan-drivers (scripts/system-deps.sh)');
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  for (const f of [a, b]) writeFileSync(f, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libvulkan_lvp.so', api_version: '1.3.0' } }));
  return { VK_DRIVER_FILES: `${a}:${b}`, VK_ICD_FILENAMES: `${a}:${b}` };
};

describe('--adapter', () => {
  it('info --adapters lists the adapters with the indices --adapter takes; by index or by name a run trains on it', () => {
    expect(adapters.length).toBeGreaterThan(0);
    const first = adapters[0].name;
    const byIndex = parseJson(runCliOk([...train, '--adapter', '0']).stdout);
    const byName = parseJson(runCliOk([...train, '--adapter', first.slice(0, 6)], { env: { DOWNHILL_ADAPTER: '7' } }).stdout);
    expect(byIndex.weights).toEqual(byName.weights);
    expect(byIndex.training.backend).toBe('webgpu');
  });

  it('an adapter that does not exist, or --adapter for a CPU backend, is a usage error that lists the adapters', () => {
    const count = adapters.length;
    for (const r of [runCli([...train, '--adapter', String(count)]), runCli(train, { env: { DOWNHILL_ADAPTER: 'no such GPU' } })]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/the adapters here are:\n {2}0: /);
    }
    expect(runCli([...train, '--adapter', 'local-rank']).stderr).toMatch(/none is set/);
    expect(runCli(['train', data, '--backend', 'cpu', '--adapter', '0']).stderr).toMatch(/--adapter chooses a WebGPU adapter; this run uses --backend cpu/);
  });

  it('identical adapters: the first by index; the second needs a PCI address Vulkan does not give a CPU device', () => {
    const env = twins();
    const listed = parseJson(runCliOk(['info', '--adapters', '--json'], { env }).stdout);
    expect(listed.adapters).toHaveLength(2);
    expect(listed.adapters[1].name).toBe(listed.adapters[0].name);
    expect(listed.vulkan.map((d: { pci: string | null }) => d.pci)).toEqual([null, null]);
    expect(parseJson(runCliOk(['info', '--adapter', '0', '--json'], { env }).stdout).index).toBe(0);
    const r = runCli(['info', '--adapter', '1'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/adapter 1 is named ".*" like an earlier one, and Dawn chooses adapters by name; Vulkan does not give its PCI address/);
  });
});

describe('launch --gpus', () => {
  it('one rank per adapter: refused at once with fewer adapters than ranks; rank i takes adapter i', () => {
    const count = adapters.length;
    const over = runCli(['launch', '-n', String(count + 1), '--gpus', '--', ...train]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(new RegExp(`launch -n ${count + 1} --gpus needs ${count + 1} WebGPU adapters; the adapters here are:`));
    const one = parseJson(runCliOk(['launch', '-n', '1', '--gpus', '--', ...train]).stdout);
    expect(one.training.ranks).toBe(1);
    // Two identical lavapipe adapters: rank 0 takes the first; rank 1's twin cannot be told apart, and every rank stops.
    const two = runCli(['launch', '-n', '2', '--gpus', '--', ...train], { env: twins() });
    expect(two.code).not.toBe(0);
    expect(two.stderr).toMatch(/rank 1 of 2.*--adapter 1: adapter 1 is named/);
    // A CPU backend on the ranks takes no adapter: --gpus is refused before any rank starts.
    for (const backend of [['--backend', 'cpu'], ['--backend=reference']]) {
      const cpu = runCli(['launch', '-n', '2', '--gpus', '--', 'train', data, ...backend]);
      expect(cpu.code).toBe(2);
      expect(cpu.stderr).toMatch(/launch --gpus gives each rank a WebGPU adapter; the ranks train with --backend (cpu|reference): drop --gpus/);
    }
  });
});
