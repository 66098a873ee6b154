// The WebGPU backend (browser or Node/Dawn): chunk stores for rows, sessions for models, and the defaults
// chosen per adapter from the tuning table (src/gpu/tuning.ts).
import type { Backend, ChunkStore, GramPass, SessionUse, TrainSession } from '../backend';
import type { ModelParams, ModelSpec } from '../core/model';
import { zeroParams } from '../core/model';
import { acquireGpu, type AcquireOptions, type GpuContext } from './device';
import { LOSSES } from '../core/losses';
import type { DType } from '../core/f16';
import { NO_EXTRAS, type RowExtras } from '../core/dataset';
import { gramPassOn } from './gram';
import { gradLayout, linearGradPipelines, packNorm, type GradPipelines, type KernelVariant } from './linear_grad';
import { updatePipelines, type UpdatePipelines } from './apply_update';
import { PassProfiler } from './profiler';
import { GpuSession } from './session';
import { softmaxGradPipelines, softmaxLayout } from './softmax_grad';
import { SparseGradPass, sparsePipelines, type SparsePipelines } from './sparse_grad';
import { GpuSparseSession } from './sparse_session';
import { GpuStore, StagingRing, xRowBytes, type UploadMode } from './store';
import { subgroupPlan, type SubgroupPlan } from './subgroups';
import type { Reduction } from './shaders';
import { tuningEntry, type TuningEntry } from './tuning';

/** Options for the WebGPU backend. */
export interface WebGpuOptions extends AcquireOptions {
  /** Use an existing context (the caller keeps and destroys it). */
  ctx?: GpuContext;
  /** How rows are uploaded (default: the adapter's tuning entry). */
  upload?: UploadMode;
  /** Most workgroups per piece of rows (default: the adapter's entry in the tuning table, src/gpu/tuning.ts). */
  maxGroups?: number;
  /** Run small steps as one dispatch each, the update folded into the next step (default true). */
  fuse?: boolean;
  /** Steps needing at most this many workgroups run fused (default: the adapter's tuning entry). */
  fuseGroups?: number;
  /** Time every pass with timestamp queries (sessions then answer gpuSeconds()); needs `timestamp-query`. */
  profile?: boolean;
  /** How stores keep features (default f32; f16: packed halves, half the bytes, values rounded to halves). */
  dtype?: DType;
  /** Reductions through subgroups where the device allows (auto, the default), or always through workgroup memory. */
  reduction?: Reduction | 'auto';
}

/** What a session prepares for when its caller does not say: shuffled and plain mini-batches. */
const EVERY_USE: SessionUse = { batch: 256, shuffle: true, average: false, gradient: false };

/** The WebGPU backend (browser or Node/Dawn). */
export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  private readonly pipelines = new Map<string, { grad: GradPipelines; update: UpdatePipelines }>();
  private readonly sparsePipelines = new Map<string, SparsePipelines>();
  /** The uses each pipeline set has been run for once (compiled, on drivers that compile at first use). */
  private readonly prepared = new Map<string, Set<string>>();
  readonly staging: StagingRing;

  private readonly upload: UploadMode;
  /** Most workgroups one piece of rows is split over (each then reduces once into a partial row). */
  readonly maxGroups: number;
  readonly fuseGroups: number;
  /** The tuning table's entry for this adapter (options given to the backend override its values). */
  readonly tuning: TuningEntry;
  /** Whether sessions time their passes on the GPU. */
  readonly profile: boolean;
  /** How new stores keep features unless told otherwise. */
  readonly dtype: DType;
  private readonly reduction: Reduction | 'auto';

  private constructor(readonly ctx: GpuContext, private readonly ownsContext: boolean, o: WebGpuOptions = {}) {
    this.staging = new StagingRing(ctx.device);
    this.tuning = tuningEntry(ctx.info, ctx.description);
    const t = this.tuning.tuning;
    this.upload = o.upload ?? t.upload;
    this.maxGroups = o.maxGroups ?? t.maxGroups;
    this.fuseGroups = o.fuse === false ? 0 : o.fuseGroups ?? t.fuseGroups;
    this.profile = o.profile === true && ctx.hasTimestamps;
    this.dtype = o.dtype ?? 'f32';
    this.reduction = o.reduction ?? 'auto';
  }

  /** The reductions this backend's kernels use on its device (subgroups where the probe allows, unless told not to). */
  async reductions(): Promise<SubgroupPlan> {
    const plan = await subgroupPlan(this.ctx);
    if (this.reduction === 'workgroup') return { ...plan, reduction: 'workgroup', reason: 'asked for workgroup-memory reductions' };
    if (this.reduction === 'subgroup' && plan.reduction !== 'subgroup') throw new Error(`subgroup reductions are not available here: ${plan.reason}`);
    return plan;
  }

  /** Acquires a device (or uses `ctx`) and returns a backend on it. */
  static async create(opts: WebGpuOptions = {}): Promise<WebGpuBackend> {
    return opts.ctx ? new WebGpuBackend(opts.ctx, false, opts) : new WebGpuBackend(await acquireGpu(opts), true, opts);
  }

  /** A backend on an existing context, which the caller keeps and destroys. */
  static createSync(ctx: GpuContext, opts: WebGpuOptions = {}): WebGpuBackend {
    return new WebGpuBackend(ctx, false, opts);
  }

  get device(): string {
    return this.ctx.description;
  }

  maxChunkRows(d: number, dtype = this.dtype): number {
    const rowBytes = xRowBytes(d, dtype);
    const limit = Math.min(this.ctx.limits.maxStorageBufferBindingSize, this.ctx.limits.maxBufferSize);
    return Math.max(1, Math.floor(limit / rowBytes));
  }

  createStore(d: number, slotRows: number, exact = false, extras: RowExtras = NO_EXTRAS, dtype = this.dtype): GpuStore {
    return new GpuStore(this.ctx, d, Math.min(slotRows, this.maxChunkRows(d, dtype)), exact, this.staging, this.upload, dtype, extras);
  }

  async createSession(store: ChunkStore, spec: ModelSpec, init?: ModelParams, use: SessionUse = EVERY_USE): Promise<TrainSession> {
    const gpuStore = this.ownStore(store);
    if (spec.sparse) return this.sparseSession(gpuStore, spec, init);
    if (store.d !== spec.d) throw new Error(`the store holds ${store.d} features; the model has ${spec.d}`);
    // Hyperparameter values travel in a uniform; the code differs by loss, penalty, optimizer, clipping, shape and standardization.
    const { reduction, sg } = await this.reductions();
    const { extras } = gpuStore;
    const variant: KernelVariant = { dtype: gpuStore.dtype, reduction, sg, extras };
    const key = `${spec.d}/${spec.outputs}/${spec.loss}/${spec.penalty}/${spec.optimizer}/${spec.clipNorm > 0 ? 1 : 0}/${spec.standardize ? 1 : 0}/${gpuStore.dtype}/${reduction}` +
      `/${extras.weight ? 1 : 0}${extras.offset ? 1 : 0}`;
    let p = this.pipelines.get(key);
    let compileSeconds = 0;
    const ready = this.prepared.get(key) ?? new Set<string>();
    const useKey = `${use.shuffle}/${use.average}/${use.gradient}/${use.batch}`;
    const t0 = performance.now();
    if (!p) {
      const t0 = performance.now();
      const multi = LOSSES[spec.loss].task === 'multiclass';
      const units = { penalty: spec.penalty, optimizer: spec.optimizer, clip: spec.clipNorm > 0 };
      const layout = multi ? softmaxLayout(spec.d, spec.outputs, 256) : gradLayout(spec.d, 256);
      // Nothing compiles yet: compileAll compiles the variants this use runs; another use later compiles its own.
      const [grad, update] = await Promise.all([
        (multi ? softmaxGradPipelines : linearGradPipelines)(this.ctx.device, spec, 256, variant, []), updatePipelines(this.ctx.device, layout, units, []),
      ]);
      p = { grad, update };
      this.pipelines.set(key, p);
      this.prepared.set(key, ready);
    }
    if (!ready.has(useKey)) {
      await this.compileAll(p, spec, gpuStore.dtype, use, extras);
      ready.add(useKey);
      compileSeconds = (performance.now() - t0) / 1000;
    }
    const session = new GpuSession(gpuStore, spec, init ?? zeroParams(spec.d, spec.outputs), 65536, p.grad, p.update, this.maxGroups, this.fuseGroups,
      this.profile ? new PassProfiler(this.ctx.device) : null);
    session.compileSeconds = compileSeconds;
    return session;
  }

  /** A session of a model with a sparse block (f32 rows; one output, or K for a multiclass loss): the sparse kernels' sums, the shared host update. */
  private async sparseSession(store: GpuStore, spec: ModelSpec, init?: ModelParams): Promise<TrainSession> {
    if (store.dtype !== 'f32') throw new Error('WebGPU trains sparse rows from f32 dense columns; this store holds f16 (use --dtype f32)');
    const t0 = performance.now();
    const key = `sparse/${spec.d}/${spec.sparse!.dense}/${spec.loss}/${spec.outputs}/${spec.standardize ? 1 : 0}`;
    let p = this.sparsePipelines.get(key);
    if (!p) this.sparsePipelines.set(key, (p = await sparsePipelines(this.ctx.device, spec)));
    const dense = spec.sparse!.dense;
    const norm = packNorm({ d: dense, dp4: p.dp4 }, spec.standardize && { mean: spec.standardize.mean.subarray(0, dense), invStd: spec.standardize.invStd.subarray(0, dense) });
    const session = new GpuSparseSession(store, spec, init, new SparseGradPass(this.ctx.device, p, spec), norm);
    session.compileSeconds = (performance.now() - t0) / 1000;
    return session;
  }

  /** Runs pipelines once as `use` will on a throwaway session of four zero rows (see GpuSession.compileAll). */
  private async compileAll(
    p: { grad: GradPipelines; update: UpdatePipelines }, spec: ModelSpec, dtype: DType, use: SessionUse, extras: RowExtras,
  ): Promise<void> {
    const rows = 4;
    const store = this.createStore(spec.d, rows, true, extras, dtype);
    try {
      await store.load(0, {
        rows, x: new Float32Array(rows * spec.d), y: new Float32Array(rows),
        ...(extras.weight ? { w: new Float32Array(rows).fill(1) } : {}), ...(extras.offset ? { o: new Float32Array(rows) } : {}),
      });
      const session = new GpuSession(store, spec, zeroParams(spec.d, spec.outputs), 16, p.grad, p.update, this.maxGroups, this.fuseGroups);
      try {
        await session.compileAll(use);
      } finally {
        session.dispose();
      }
    } finally {
      store.dispose();
    }
  }

  gramPass(store: ChunkStore): Promise<GramPass> {
    return gramPassOn(this.ctx, this.ownStore(store));
  }

  private ownStore(store: ChunkStore): GpuStore {
    if (!(store instanceof GpuStore) || store.ctx !== this.ctx) throw new Error('WebGpuBackend: the store belongs to another backend');
    return store;
  }

  dispose(): void {
    void this.staging.dispose();
    if (this.ownsContext) this.ctx.destroy();
  }
}
