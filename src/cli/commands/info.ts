// `downhill info`: the WebGPU adapter, its limits and features; `--adapters` lists every adapter (the indices
// --adapter takes) with, where Mesa's device-select layer gives them, Vulkan's devices and PCI addresses.
import { adapterList } from '../../gpu/adapters';
import { acquireGpu } from '../../gpu/device';
import { adapterChoice, chooseAdapter, dawnAdapters, vulkanDevices } from '../adapter';
import { parse } from '../args';

/** Runs the info command; returns the exit code. */
export async function infoCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, adapters: { type: 'boolean' }, adapter: { type: 'string' } });
  if (values.adapters) return listAdapters(values.json === true);
  const choice = adapterChoice(values.adapter as string | undefined);
  const plan = choice === undefined ? null : await chooseAdapter(choice);
  const ctx = await acquireGpu({ dawnFlags: plan?.flags ?? [] });
  try {
    if (values.json) {
      process.stdout.write(JSON.stringify({ adapter: ctx.description, ...(plan ? { index: plan.index } : {}), info: ctx.info, limits: ctx.limits, features: ctx.features }) + '\n');
      return 0;
    }
    console.log(`adapter: ${ctx.description}${plan ? ` (adapter ${plan.index})` : ''}`);
    for (const [k, v] of Object.entries(ctx.info)) console.log(`  ${k}: ${v}`);
    console.log('limits:');
    for (const [k, v] of Object.entries(ctx.limits)) console.log(`  ${k}: ${v}`);
    console.log(`features: ${ctx.features.join(', ')}`);
    return 0;
  } finally {
    ctx.destroy();
  }
}

async function listAdapters(json: boolean): Promise<number> {
  const adapters = await dawnAdapters();
  const vulkan = vulkanDevices();
  if (json) {
    process.stdout.write(JSON.stringify({ adapters, vulkan }) + '\n');
    return 0;
  }
  console.log(adapterList(adapters));
  if (vulkan) console.log(`Vulkan devices (Mesa's device-select layer):\n${vulkan.map((d) => `  ${d.index}: ${d.name} (${d.type}${d.pci ? `, PCI ${d.pci}` : ''})`).join('\n')}`);
  return 0;
}
