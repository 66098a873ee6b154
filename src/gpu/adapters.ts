// Choosing one WebGPU adapter among several in Node (--adapter NAME|INDEX, one rank per GPU). Dawn's node binding
// chooses by name alone: `create(['adapter=NAME'])` takes the first adapter whose name contains NAME, and a name no
// adapter has draws an error that lists them all (its only enumeration). An index whose adapter's name is not taken
// by an earlier one becomes that name; among identically named GPUs (four of one model) no Dawn option reaches the
// second, so the choice moves one level down, to Vulkan: Mesa's device-select layer (an implicit layer that applies
// to every driver, NVIDIA's too) exposes only the device at one PCI address when DRI_PRIME=pci-DDDD_BB_DD_F and
// MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1 are set before the Vulkan instance is made. The PCI addresses, in
// Vulkan's order, come from the same layer (MESA_VK_DEVICE_SELECT=list), read by the caller (src/cli/adapter.ts).

/** One adapter as Dawn lists it. */
export interface DawnAdapter {
  backend: string;
  name: string;
}

/** One Vulkan device as Mesa's device-select layer lists it (`pci`: DDDD:BB:DD.F, null when the driver gives none). */
export interface VulkanDevice {
  index: number;
  name: string;
  type: string;
  pci: string | null;
}

/** How to create Dawn's GPU object so that it picks the adapter asked for. */
export interface AdapterPlan {
  /** Flags for `create()` (adapter=NAME, backend=…). */
  flags: string[];
  /** Variables to set in this process's environment before the first `create()` (Vulkan device selection). */
  env: Record<string, string>;
  /** The adapter's index and name in Dawn's list. */
  index: number;
  name: string;
}

/** The adapters named in Dawn's "Available adapters:" message, in its order. */
export function parseDawnAdapters(message: string): DawnAdapter[] {
  const out: DawnAdapter[] = [];
  for (const m of message.matchAll(/^ \* backend: '([^']*)', name: '(.*)'$/gm)) out.push({ backend: m[1], name: m[2] });
  return out;
}

/** The devices in the output of MESA_VK_DEVICE_SELECT=list ("  GPU 0: 10de:2330 "NAME" discrete GPU 0000:19:00.0"). */
export function parseVulkanList(text: string): VulkanDevice[] {
  const out: VulkanDevice[] = [];
  const line = /^\s*GPU (\d+): [0-9a-f]+:[0-9a-f]+ "(.*)" (other|integrated GPU|discrete GPU|virtual GPU|CPU)(?: ([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-9a-f]))?\s*$/gm;
  for (const m of text.matchAll(line)) {
    out.push({ index: Number(m[1]), name: m[2], type: m[3], pci: m[4] ? `${m[4]}:${m[5]}:${m[6]}.${m[7]}` : null });
  }
  return out;
}

/** The DRI_PRIME tag of a PCI address DDDD:BB:DD.F (Mesa's "pci-%04x_%02x_%02x_%1u"). */
export function primeTag(pci: string): string {
  const [domain, bus, rest] = pci.split(':');
  const [dev, fn] = rest.split('.');
  return `pci-${domain}_${bus}_${dev}_${parseInt(fn, 16)}`;
}

/** The adapters, one a line, for messages. */
export function adapterList(adapters: readonly DawnAdapter[]): string {
  if (!adapters.length) return 'this machine has no WebGPU adapter';
  return `the adapters here are:\n${adapters.map((a, i) => `  ${i}: ${a.name} (${a.backend})`).join('\n')}`;
}

/** An adapter that cannot be had, with the list of those that can. */
export class AdapterError extends Error {
  override name = 'AdapterError';
}

/**
 * How to get the adapter `choice` names (an index into Dawn's list, or a name) from Dawn's list; `vulkan` gives the
 * Vulkan devices with their PCI addresses when an index falls on a name an earlier adapter also has (null: Mesa's
 * device-select layer is not installed). Throws an AdapterError that lists the adapters when there is no way.
 */
export async function planAdapter(
  choice: string, adapters: readonly DawnAdapter[], vulkan: () => Promise<VulkanDevice[] | null>,
): Promise<AdapterPlan> {
  if (!/^\d+$/.test(choice)) {
    const index = adapters.findIndex((a) => a.name.includes(choice));
    if (index < 0) throw new AdapterError(`no WebGPU adapter's name contains "${choice}"; ${adapterList(adapters)}`);
    return { flags: [`adapter=${choice}`], env: {}, index, name: adapters[index].name };
  }
  const index = Number(choice);
  const a = adapters[index];
  if (!a) throw new AdapterError(`there is no WebGPU adapter ${index} (adapters count from 0); ${adapterList(adapters)}`);
  const flags = [`backend=${a.backend}`, `adapter=${a.name}`];
  // Dawn takes the first adapter whose name contains the one asked for.
  if (adapters.findIndex((b) => b.name.includes(a.name)) === index) return { flags, env: {}, index, name: a.name };
  const same = adapters.slice(0, index).filter((b) => b.name === a.name).length;
  const why = `adapter ${index} is named "${a.name}" like an earlier one, and Dawn chooses adapters by name`;
  if (a.backend !== 'vulkan') throw new AdapterError(`${why}; on ${a.backend} there is no other way to choose it: give each process its own GPU (the launcher's or the container's GPU assignment)`);
  const devices = await vulkan();
  if (!devices) {
    throw new AdapterError(`${why}; choosing among identical GPUs goes through Mesa's Vulkan device-select layer, which is not installed ` +
      '(Debian: mesa-vulkan-drivers); or give each process its own GPU (the launcher\'s or the container\'s GPU assignment)');
  }
  const twin = devices.filter((d) => d.name === a.name)[same];
  if (!twin?.pci) {
    throw new AdapterError(`${why}; Vulkan does not give ${twin ? 'its PCI address' : `a ${same + 1}th device of that name`}, which choosing it needs`);
  }
  return { flags, env: { DRI_PRIME: primeTag(twin.pci), MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' }, index, name: a.name };
}
