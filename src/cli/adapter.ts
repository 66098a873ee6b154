// --adapter NAME|INDEX|local-rank (or DOWNHILL_ADAPTER): which WebGPU adapter a process takes. `local-rank` is the
// process's rank on its machine (DOWNHILL_LOCAL_RANK from `downhill launch --gpus`, OMPI_COMM_WORLD_LOCAL_RANK under
// mpirun, SLURM_LOCALID under srun), so rank i of a machine takes adapter i. The plan (src/gpu/adapters.ts) may need
// Vulkan's devices with their PCI addresses: a child process asks Mesa's device-select layer for them
// (MESA_VK_DEVICE_SELECT=list makes the layer print them and end the process).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AdapterError, parseDawnAdapters, parseVulkanList, planAdapter, type AdapterPlan, type DawnAdapter, type VulkanDevice } from '../gpu/adapters';
import { dawnAdapterMessage } from '../gpu/device';
import { UsageError } from './args';

/** The adapter asked for by the flag, else by DOWNHILL_ADAPTER: a name or an index (local-rank resolved); undefined: none. */
export function adapterChoice(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const choice = (flag ?? env.DOWNHILL_ADAPTER)?.trim();
  if (!choice) return undefined;
  if (choice !== 'local-rank') return choice;
  const local = env.DOWNHILL_LOCAL_RANK ?? env.OMPI_COMM_WORLD_LOCAL_RANK ?? env.SLURM_LOCALID;
  if (local === undefined || !/^\d+$/.test(local)) {
    throw new UsageError('--adapter local-rank takes the rank on this machine from DOWNHILL_LOCAL_RANK, OMPI_COMM_WORLD_LOCAL_RANK or ' +
      'SLURM_LOCALID, and none is set (is this process started by downhill launch, mpirun or srun?)');
  }
  return local;
}

/** Dawn's adapters on this machine, in its order of choice. */
export async function dawnAdapters(): Promise<DawnAdapter[]> {
  return parseDawnAdapters(await dawnAdapterMessage());
}

/** Vulkan's devices as Mesa's device-select layer lists them, from a child process; null without the layer. */
export function vulkanDevices(): VulkanDevice[] | null {
  const webgpu = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  const script = `const { create } = await import(${JSON.stringify(webgpu)}); await create([]).requestAdapter(); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, MESA_VK_DEVICE_SELECT: 'list' }, encoding: 'utf8', timeout: 60_000,
  });
  return /selectable devices:/.test(r.stderr ?? '') ? parseVulkanList(r.stderr) : null;
}

/**
 * Plans the adapter `choice` and sets the Vulkan selection it needs in this process's environment (before Dawn's
 * first instance); the plan's flags go to the backend (WebGpuOptions.dawnFlags). An impossible choice is a usage
 * error that lists the adapters.
 */
export async function chooseAdapter(choice: string): Promise<AdapterPlan> {
  try {
    const plan = await planAdapter(choice, await dawnAdapters(), async () => vulkanDevices());
    Object.assign(process.env, plan.env);
    return plan;
  } catch (e) {
    throw e instanceof AdapterError ? new UsageError(`--adapter ${choice}: ${e.message}`) : e;
  }
}
