// The one place shaders are loaded and linked: a kernel's entry file, the parts it calls, and the units the
// user chose (loss, penalty, optimizer), concatenated whole and compiled once per device and combination. Every .wgsl
// file comes in through import.meta.glob keyed by its stem (Vite inlines them in the dev server, Vitest and the
// bundles), and a unit finds its part by its registry stem: adding a loss, penalty or optimizer needs no line here
// (test/gpu/shaders.test.ts checks that the parts and the registries name the same units). Two variant axes pick
// whole parts too: the data encoding (x_f32 / x_f16) and the reductions (workgroup memory, or subgroups: their
// variant's directive part, `enable subgroups;`, goes first, since WGSL directives must lead the module).
import type { DType } from '../core/f16';
import { LOSSES, type LossKind } from '../core/losses';
import { OPTIMIZERS, type OptimizerKind } from '../core/optim';
import { PENALTIES, type PenaltyKind } from '../core/penalties';

type Glob = Record<string, string>;

/** A glob of .wgsl files keyed by file stem. */
function byStem(files: Glob): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1, -'.wgsl'.length), text]));
}

/** Every shader file, by folder and stem (Vite inlines them: dev server, Vitest and the bundles alike). */
export const WGSL = {
  kernels: byStem(import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob),
  parts: byStem(import.meta.glob('../../shaders/parts/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob),
  losses: byStem(import.meta.glob('../../shaders/losses/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob),
  penalties: byStem(import.meta.glob('../../shaders/penalties/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob),
  optim: byStem(import.meta.glob('../../shaders/optim/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob),
};

/** One file of a folder, or an error naming the file a unit or kernel lacks. */
function file(folder: keyof typeof WGSL, stem: string, what: string): string {
  const text = WGSL[folder][stem];
  if (text === undefined) throw new Error(`${what} has no WGSL part: shaders/${folder === 'kernels' ? '' : `${folder}/`}${stem}.wgsl is missing`);
  return text;
}

/**
 * Kernel entry files and the parts each always links; `units` says which user-chosen parts it takes (linear_grad's
 * fused step always links SGD), `data` whether it reads rows through a data part, `reductions` which reduction parts it
 * links in the chosen variant.
 */
const KERNELS = {
  linear_grad: { parts: ['permute', 'load_x', 'fused_prologue', 'row_values'], data: true, reductions: ['reduce', 'lanes'], units: { loss: true, penalty: true, optimizer: 'sgd' } },
  softmax_grad: { parts: ['permute', 'load_x', 'row_values'], data: true, reductions: ['reduce'], units: { loss: true, penalty: false, optimizer: false } },
  gram: { parts: ['row_values'], data: true, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
  curvature: { parts: ['load_x', 'row_values'], data: true, reductions: [], units: { loss: true, penalty: false, optimizer: false } },
  apply_update: { parts: [], data: false, reductions: [], units: { loss: false, penalty: true, optimizer: true } },
  read_ceiling: { parts: [], data: false, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
  subgroup_probe: { parts: [], data: false, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
  sparse_grad: { parts: ['permute', 'sparse_row'], data: false, reductions: [], units: { loss: true, penalty: false, optimizer: false } },
  sparse_softmax: { parts: ['permute', 'sparse_row'], data: false, reductions: [], units: { loss: true, penalty: false, optimizer: false } },
  sparse_scatter: { parts: ['permute'], data: false, reductions: [], units: { loss: false, penalty: false, optimizer: false } },
} as const satisfies Record<string, { parts: readonly string[]; data: boolean; reductions: readonly ReductionPart[]; units: { loss: boolean; penalty: boolean; optimizer: boolean | OptimizerKind } }>;

/** How a kernel's invocations add up values: through workgroup memory and barriers, or subgroup shuffles. */
export type Reduction = 'workgroup' | 'subgroup';

/** The reduction parts a kernel may link: reduce_tree (parts/reduce*.wgsl) and lane_sum (parts/lanes*.wgsl). */
type ReductionPart = 'reduce' | 'lanes';

/** Each reduction variant: the directive parts that lead the module, and the stem of each reduction part. */
const REDUCTION_PARTS = {
  workgroup: { directives: [], reduce: 'reduce', lanes: 'lanes' },
  subgroup: { directives: ['enable_subgroups'], reduce: 'reduce_subgroup', lanes: 'lanes_subgroup' },
} as const satisfies Record<Reduction, { directives: readonly string[] } & Record<ReductionPart, string>>;

/** Each stored data type's part (XWord and x_word). */
export const DTYPE_PARTS = { f32: 'x_f32', f16: 'x_f16' } as const satisfies Record<DType, string>;

/** Kernel stems, matching the entry files in shaders/. */
export type ShaderStem = keyof typeof KERNELS;

/** The gradient kernels a loss can run in. */
export type GradKernel = 'linear_grad' | 'softmax_grad';

/** The gradient kernel a loss runs in: K outputs for a multiclass loss, else one. */
export function gradKernel(loss: LossKind): GradKernel {
  return LOSSES[loss].task === 'multiclass' ? 'softmax_grad' : 'linear_grad';
}

/** A loss's WGSL: its part (shaders/losses/<stem>.wgsl), then its task's metric sums (scalar losses). */
export function lossParts(loss: LossKind): string[] {
  const u = LOSSES[loss];
  const metrics = { regression: ['metrics_regression'], binary: ['metrics_binary'], multiclass: [] }[u.task];
  return [file('losses', u.stem, `the ${loss} loss`), ...metrics.map((m) => file('parts', m, 'linear_grad'))];
}

/** A penalty's WGSL part (shaders/penalties/<stem>.wgsl). */
export function penaltyPart(penalty: PenaltyKind): string {
  return file('penalties', PENALTIES[penalty].stem, `the ${penalty} penalty`);
}

/** An optimizer's WGSL part (shaders/optim/<stem>.wgsl, or the part of the unit it shares one with). */
export function optimPart(optimizer: OptimizerKind): string {
  const u = OPTIMIZERS[optimizer];
  return file('optim', u.wgsl ?? u.stem, `the ${optimizer} optimizer`);
}

/** The units linked into a kernel, and its variant (what a kernel does not take is ignored). */
export interface Units {
  loss?: LossKind;
  penalty?: PenaltyKind;
  optimizer?: OptimizerKind;
  /** How the rows' features are stored (default f32). */
  dtype?: DType;
  /** Reductions through workgroup memory (default) or subgroups (needs the device's `subgroups` feature). */
  reduction?: Reduction;
}

/** The full WGSL of a kernel with its parts and units: directive parts, the entry file, then whole part files. */
export function linkShader(stem: ShaderStem, u: Units = {}): string {
  const k = KERNELS[stem];
  const loss = u.loss ?? (stem === 'softmax_grad' || stem === 'sparse_softmax' ? 'softmax' : 'squared');
  // Scalar losses in linear_grad (and in sparse_grad, its one-output relative), K outputs in softmax_grad (and sparse_softmax).
  const grad = stem === 'sparse_grad' ? 'linear_grad' : stem === 'sparse_softmax' ? 'softmax_grad' : stem;
  if ((grad === 'linear_grad' || grad === 'softmax_grad') && gradKernel(loss) !== grad) throw new Error(`the ${loss} loss does not run in ${stem}`);
  const variant = REDUCTION_PARTS[stem === 'subgroup_probe' ? 'subgroup' : u.reduction ?? 'workgroup'];
  const optimizer = typeof k.units.optimizer === 'string' ? k.units.optimizer : u.optimizer ?? 'sgd';
  const units = [
    ...(k.units.loss ? lossParts(loss) : []), ...(k.units.penalty ? [penaltyPart(u.penalty ?? 'none')] : []),
    ...(k.units.optimizer ? [optimPart(optimizer)] : []),
  ];
  const reductions = (k.reductions as readonly ReductionPart[]).map((r) => variant[r]);
  const directives = reductions.length || stem === 'subgroup_probe' ? variant.directives : [];
  const parts = [...reductions, ...k.parts, ...(k.data ? [DTYPE_PARTS[u.dtype ?? 'f32']] : [])];
  return [
    ...directives.map((p) => file('parts', p, stem)), file('kernels', stem, 'the kernel'), ...parts.map((p) => file('parts', p, stem)), ...units,
  ].join('\n');
}

const cache = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

/** The compiled module of a kernel and units on a device (compiled on first use). */
export function shaderModule(device: GPUDevice, stem: ShaderStem, u: Units = {}): GPUShaderModule {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const k = KERNELS[stem].units;
  const { data, reductions } = KERNELS[stem];
  const key = `${stem}/${k.loss ? u.loss ?? '' : ''}/${k.penalty ? u.penalty ?? 'none' : ''}/${k.optimizer === true ? u.optimizer ?? 'sgd' : ''}` +
    `/${data ? u.dtype ?? 'f32' : ''}/${reductions.length ? u.reduction ?? 'workgroup' : ''}`;
  let mod = perDevice.get(key);
  if (!mod) {
    mod = device.createShaderModule({ label: key, code: linkShader(stem, u) });
    perDevice.set(key, mod);
  }
  return mod;
}

function descriptor(device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>): GPUComputePipelineDescriptor {
  return { label: stem, layout, compute: { module: shaderModule(device, stem, u), entryPoint: 'main', constants } };
}

/** A compute pipeline for a kernel and units with override constants. */
export function computePipeline(
  device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>,
): GPUComputePipeline {
  return device.createComputePipeline(descriptor(device, stem, u, layout, constants));
}

/** Like computePipeline, compiled off the calling thread (several can compile at once). */
export function computePipelineAsync(
  device: GPUDevice, stem: ShaderStem, u: Units, layout: GPUPipelineLayout, constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  return device.createComputePipelineAsync(descriptor(device, stem, u, layout, constants));
}

/**
 * A kernel's pipelines by variant name (override constants), compiled when first needed: `prepare` compiles the ones a
 * run will use off the calling thread, all at once; `get` returns one, compiling it on the spot if nobody prepared it.
 * A model that trains unshuffled never compiles the shuffled variants (on a software adapter each costs seconds).
 */
export class PipelineSet<N extends string> {
  private readonly ready = new Map<N, GPUComputePipeline>();
  private readonly compiling = new Map<N, Promise<GPUComputePipeline>>();

  constructor(
    private readonly device: GPUDevice, private readonly stem: ShaderStem, private readonly units: Units,
    private readonly layout: GPUPipelineLayout, private readonly variants: Readonly<Record<N, Record<string, number>>>,
  ) {}

  /** Compiles the named variants (those not compiled yet) side by side. */
  async prepare(names: Iterable<N>): Promise<void> {
    await Promise.all([...new Set(names)].filter((n) => !this.ready.has(n)).map(async (n) => {
      let p = this.compiling.get(n);
      if (!p) this.compiling.set(n, (p = computePipelineAsync(this.device, this.stem, this.units, this.layout, this.variants[n])));
      const pipeline = await p;
      this.ready.set(n, pipeline);
      this.compiling.delete(n);
    }));
  }

  /** The named variant, compiled now (synchronously) if it was not prepared. */
  get(name: N): GPUComputePipeline {
    let p = this.ready.get(name);
    if (!p) this.ready.set(name, (p = computePipeline(this.device, this.stem, this.units, this.layout, this.variants[name])));
    return p;
  }

  /** How many variants are compiled (tests). */
  get compiled(): number {
    return this.ready.size;
  }
}

