// Choosing a WebGPU adapter by name or index (src/gpu/adapters.ts): Dawn's and Mesa's lists parsed as they print
// them; an index becomes Dawn's name where the name picks it, and among identically named Vulkan GPUs a PCI address
// for Mesa's device-select layer; what cannot be chosen is an error that lists the adapters. The four-GPU lists here
// are written out: this machine has no PCI GPU (test/cli/adapter.test.ts runs what lavapipe allows).
import { describe, expect, it } from 'vitest';
import { parseDawnAdapters, parseVulkanList, planAdapter, primeTag, type DawnAdapter, type VulkanDevice } from '../../src/gpu/adapters';

const H100 = 'NVIDIA H100 80GB HBM3';
const fourGpus: DawnAdapter[] = [...Array(4)].map(() => ({ backend: 'vulkan', name: H100 }));
const LIST = `selectable devices:
  GPU 0: 10de:2330 "${H100}" discrete GPU 0000:19:00.0
  GPU 1: 10de:2330 "${H100}" discrete GPU 0000:3b:00.0
  GPU 2: 10de:2330 "${H100}" discrete GPU 0000:4c:00.0
  GPU 3: 10de:2330 "${H100}" discrete GPU 0000:5d:00.0
  GPU 4: 10005:0 "llvmpipe (LLVM 15.0.6, 256 bits)" CPU
`;
const noLayer = async (): Promise<VulkanDevice[] | null> => null;

describe('the lists', () => {
  it('reads Dawn\'s "Available adapters" message and Mesa\'s device list', () => {
    const message = "no suitable backends found\nAvailable adapters:\n * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'\n * backend: 'vulkan', name: 'O'Brien GPU'";
    // Dawn quotes names without escaping them: the name runs to the line's last quote.
    expect(parseDawnAdapters(message)).toEqual([{ backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, { backend: 'vulkan', name: "O'Brien GPU" }]);
    expect(parseDawnAdapters('')).toEqual([]);
    const devices = parseVulkanList(LIST);
    expect(devices).toHaveLength(5);
    expect(devices[1]).toEqual({ index: 1, name: H100, type: 'discrete GPU', pci: '0000:3b:00.0' });
    expect(devices[4]).toMatchObject({ type: 'CPU', pci: null });
    expect(primeTag('0000:3b:00.0')).toBe('pci-0000_3b_00_0');
    expect(primeTag('0001:c1:1f.7')).toBe('pci-0001_c1_1f_7');
  });
});

describe('planAdapter', () => {
  const mixed: DawnAdapter[] = [{ backend: 'vulkan', name: 'NVIDIA RTX A6000' }, { backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)' }];

  it('a name Dawn matches, and an index whose name picks it, need only Dawn\'s flag', async () => {
    expect(await planAdapter('llvmpipe', mixed, noLayer)).toEqual({ flags: ['adapter=llvmpipe'], env: {}, index: 1, name: mixed[1].name });
    expect(await planAdapter('1', mixed, noLayer)).toEqual({ flags: ['backend=vulkan', `adapter=${mixed[1].name}`], env: {}, index: 1, name: mixed[1].name });
    expect((await planAdapter('0', fourGpus, noLayer)).env).toEqual({});
  });

  it('the ith of identical GPUs: its PCI address for Mesa\'s device-select layer, the others hidden', async () => {
    const layer = async () => parseVulkanList(LIST);
    const tags = await Promise.all([0, 1, 2, 3].map(async (i) => (await planAdapter(String(i), fourGpus, layer)).env));
    expect(tags.slice(1)).toEqual(['3b', '4c', '5d'].map((bus) => ({ DRI_PRIME: `pci-0000_${bus}_00_0`, MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' })));
    // A name that an earlier, longer name contains is not Dawn's to pick either.
    const nested: DawnAdapter[] = [{ backend: 'vulkan', name: `${H100} (MIG)` }, { backend: 'vulkan', name: H100 }];
    expect((await planAdapter('1', nested, layer)).env.DRI_PRIME).toBe('pci-0000_19_00_0');
  });

  it('refuses what cannot be chosen, listing the adapters', async () => {
    await expect(planAdapter('4', fourGpus, noLayer)).rejects.toThrow(/no WebGPU adapter 4 .*\n {2}0: NVIDIA H100 80GB HBM3 \(vulkan\)\n {2}1: /);
    await expect(planAdapter('A100', fourGpus, noLayer)).rejects.toThrow(/no WebGPU adapter's name contains "A100"; the adapters here are:/);
    await expect(planAdapter('0', [], noLayer)).rejects.toThrow(/this machine has no WebGPU adapter/);
    await expect(planAdapter('2', fourGpus, noLayer)).rejects.toThrow(/like an earlier one.*device-select layer, which is not installed/);
    const cpuTwins = async () => parseVulkanList('  GPU 0: 10005:0 "llvmpipe" CPU\n  GPU 1: 10005:0 "llvmpipe" CPU\n');
    await expect(planAdapter('1', [...Array(2)].map(() => ({ backend: 'vulkan', name: 'llvmpipe' })), cpuTwins)).rejects.toThrow(/Vulkan does not give its PCI address/);
    await expect(planAdapter('1', [...Array(2)].map(() => ({ backend: 'metal', name: 'Apple M2' })), noLayer)).rejects.toThrow(/on metal there is no other way/);
  });
});
