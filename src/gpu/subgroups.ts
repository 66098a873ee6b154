// Whether the subgroup variants of the kernels can run on a device, and with which run size SG: the device must have
// the `subgroups` feature and put a workgroup's invocations in aligned runs (subgroup_invocation_id = index mod size),
// which the kernels' shuffles assume. Checked once per device with shaders/subgroup_probe.wgsl; its CPU twin is the
// expectation in `checkProbe` (aligned runs, every subgroup's sum of indices).
import { readBuffer } from './buffers';
import type { GpuContext } from './device';
import { computePipelineAsync, type Reduction } from './shaders';

/** What a probe found: the reductions to use, the run size SG for the subgroup variants, and why not when not. */
export interface SubgroupPlan {
  reduction: Reduction;
  /** Invocations per shuffle run (the smallest subgroup size the adapter reports; the size measured if it reports none). */
  sg: number;
  /** The subgroup size measured in a probe workgroup of WG invocations (0 when not probed). */
  measured: number;
  /** Why the workgroup-memory path was chosen, when it was. */
  reason?: string;
}

const WG = 256;
const plans = new WeakMap<GPUDevice, Promise<SubgroupPlan>>();

/** Checks a probe's output (per invocation: id, size, subgroup sum of indices): null if aligned runs, else why not. */
export function checkProbe(out: Uint32Array, wg: number): string | null {
  const size = out[1];
  if (!(size >= 1 && (size & (size - 1)) === 0 && wg % size === 0)) return `subgroup size ${size} does not divide ${wg}`;
  for (let i = 0; i < wg; i++) {
    const [id, s, sum] = [out[4 * i], out[4 * i + 1], out[4 * i + 2]];
    const first = i - (i % size);
    const want = size * first + (size * (size - 1)) / 2;
    if (s !== size || id !== i % size || sum !== want) return `invocation ${i} is lane ${id} of a subgroup of ${s} (sum ${sum}); aligned runs need lane ${i % size} of ${size} (sum ${want})`;
  }
  return null;
}

async function probe(ctx: GpuContext): Promise<SubgroupPlan> {
  const { device } = ctx;
  if (!device.features.has('subgroups')) return { reduction: 'workgroup', sg: 0, measured: 0, reason: 'the device has no `subgroups` feature' };
  const layout = device.createBindGroupLayout({
    label: 'subgroup_probe', entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }],
  });
  const pl = device.createPipelineLayout({ label: 'subgroup_probe', bindGroupLayouts: [layout] });
  const out = device.createBuffer({ label: 'subgroup_probe.out', size: WG * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  try {
    const raw = await ctx.scoped('subgroup probe', async () => {
      const pipeline = await computePipelineAsync(device, 'subgroup_probe', {}, pl, { WG });
      const enc = device.createCommandEncoder({ label: 'subgroup_probe' });
      const pass = enc.beginComputePass({ label: 'subgroup_probe' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ label: 'subgroup_probe', layout, entries: [{ binding: 0, resource: { buffer: out } }] }));
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([enc.finish()]);
      return new Uint32Array(await readBuffer(device, out, 0, WG * 16));
    });
    const measured = raw[1];
    const why = checkProbe(raw, WG);
    if (why) return { reduction: 'workgroup', sg: 0, measured, reason: why };
    const min = Number(ctx.info.subgroupMinSize) || measured;
    const sg = Math.min(min, measured);
    if (!(sg >= 1 && (sg & (sg - 1)) === 0 && WG % sg === 0)) return { reduction: 'workgroup', sg: 0, measured, reason: `subgroup size ${sg} does not divide ${WG}` };
    return { reduction: 'subgroup', sg, measured };
  } catch (e) {
    return { reduction: 'workgroup', sg: 0, measured: 0, reason: `the subgroup probe failed: ${(e as Error).message}` };
  } finally {
    out.destroy();
  }
}

/** The reductions a device's kernels should use (probed once per device). */
export function subgroupPlan(ctx: GpuContext): Promise<SubgroupPlan> {
  let p = plans.get(ctx.device);
  if (!p) plans.set(ctx.device, (p = probe(ctx)));
  return p;
}
