// The test matrix: the one list of backends every multi-backend test runs on (the f64 reference, the fast CPU
// backend on one thread and on three, WebGPU on the real adapter) with their lifecycle, the unit lists taken from
// the registries in src/core, and the named tolerance presets. A suite written as
// `describe.each(useBackends())('%s', (b) => …)` runs on every backend, a new one included, without registration
// (Burn's backend-tests crate, jax-js's `suite.each(devices)`); per STYLE a missing adapter fails rather than skips.
import { afterAll } from 'vitest';
import type { Backend, BackendKind } from '../../src/backend';
import { TOL } from '../../src/core/allclose';
import { LOSS_NAMES, LOSSES, type LossKind } from '../../src/core/losses';
import { OPTIMIZER_NAMES } from '../../src/core/optim';
import { PENALTY_NAMES } from '../../src/core/penalties';
import { CpuBackend } from '../../src/cpu/backend';
import { SimdCpuBackend } from '../../src/cpu/simd_backend';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import { WebGpuBackend, type WebGpuOptions } from '../../src/gpu/backend';
import type { GpuContext } from '../../src/gpu/device';
import { useGpu } from './gpu';

/** The backends of the matrix, in the order suites run them. */
export const BACKEND_NAMES = ['reference', 'cpu (1 thread)', 'cpu (3 threads)', 'webgpu'] as const;

/** A backend's name in the matrix (also its label in test names). */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One backend of the matrix, as `describe.each` takes it (`%s` in a title prints its name). */
export interface BackendCase {
  readonly name: string;
  readonly kind: BackendKind;
  /** Its arithmetic: f64 on the reference, f32 elsewhere (which tolerance preset a comparison with the reference uses). */
  readonly precision: 'f64' | 'f32';
  /** The fast CPU backend's thread count (null elsewhere). */
  readonly threads: number | null;
  /** The backend, made on first use in this test file and disposed in afterAll. */
  backend(): Backend;
  /** The adapter's context (WebGPU cases only; throws elsewhere). */
  gpu(): GpuContext;
  /** The name, for `%s` in test titles. */
  toString(): string;
}

/**
 * The fast CPU backend's settings: one thread as users get it, and three threads with every job cut into the most
 * chunks however small and no measured choice of thread count, so all three threads take part in every step.
 */
const FAST_CPU = { 1: { threads: 1 }, 3: { threads: 3, minChunkBytes: 0, adapt: false } } as const;

const noGpu = (name: string) => (): GpuContext => {
  throw new Error(`${name} has no WebGPU context`);
};

/** A case whose backend is made once, when first asked for, and disposed after the file's tests. */
function lazyCase(name: string, kind: BackendKind, make: () => Backend, o: { gpu?: () => GpuContext; threads?: number } = {}): BackendCase {
  let made: Backend | undefined;
  afterAll(() => made?.dispose());
  return {
    name, kind, precision: kind === 'reference' ? 'f64' : 'f32', threads: o.threads ?? null,
    backend: () => (made ??= make()), gpu: o.gpu ?? noGpu(name), toString: () => name,
  };
}

/**
 * Registers the backends `names` (default: all of them) for this test file: WebGPU's adapter is acquired in beforeAll
 * (test/helpers/gpu.ts) only when it is among them; each backend is disposed in afterAll. Call once, at the top level.
 */
export function useBackends(names: readonly BackendName[] = BACKEND_NAMES): BackendCase[] {
  const gpu = names.includes('webgpu') ? useGpu() : null;
  const make: Record<BackendName, () => BackendCase> = {
    reference: () => lazyCase('reference', 'reference', () => new CpuBackend()),
    'cpu (1 thread)': () => lazyCase('cpu (1 thread)', 'cpu', () => nodeCpuBackend(FAST_CPU[1]), { threads: 1 }),
    'cpu (3 threads)': () => lazyCase('cpu (3 threads)', 'cpu', () => nodeCpuBackend(FAST_CPU[3]), { threads: 3 }),
    webgpu: () => lazyCase('webgpu', 'webgpu', () => WebGpuBackend.createSync(gpu!()), { gpu: gpu! }),
  };
  return BACKEND_NAMES.filter((n) => names.includes(n)).map((n) => make[n]());
}

/** Another WebGPU case on `base`'s adapter, with backend options (e.g. `{ fuse: false }`); registered like useBackends. */
export function gpuVariant(base: BackendCase, name: string, opts: WebGpuOptions): BackendCase {
  if (base.kind !== 'webgpu') throw new Error(`gpuVariant needs a WebGPU case, got ${base.name}`);
  return lazyCase(name, 'webgpu', () => WebGpuBackend.createSync(base.gpu(), opts), { gpu: base.gpu });
}

/** The fast CPU backend of a case, for tests that reach its arena or pool. */
export function fastCpu(c: BackendCase): SimdCpuBackend {
  const b = c.backend();
  if (!(b instanceof SimdCpuBackend)) throw new Error(`${c.name} is not the fast CPU backend`);
  return b;
}

/** The f64 reference backend, the oracle other backends are compared with (stateless: nothing to dispose). */
export const reference: Backend = new CpuBackend();

/** Every registered loss, in registry order. */
export const ALL_LOSSES: readonly LossKind[] = LOSS_NAMES;

/** The losses of one output (regression and binary), which the linear_grad kernel runs. */
export const SCALAR_LOSSES: readonly LossKind[] = LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass');

/** Every registered penalty. */
export const ALL_PENALTIES = PENALTY_NAMES;

/** Every registered optimizer. */
export const ALL_OPTIMIZERS = OPTIMIZER_NAMES;

/** A bound |got − want| ≤ atol + rtol·|want| (src/core/allclose.ts). */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Named tolerance presets; a test that needs a looser bound says why beside it. */
export const TOLERANCE = {
  /**
   * f64 against f64 computed another way (a closed form, QR, another order of summation): rounding of ~1e-16 per
   * operation, grown by sums over thousands of rows and by a modest condition number, stays below 1e-12.
   */
  f64: { atol: 1e-12, rtol: 1e-12 },
  /**
   * One f32 kernel against its f64 twin on the same inputs (STYLE's parity defaults): inputs and outputs rounded to
   * f32 (6e-8 relative) and partial sums in f32 over a workgroup's rows.
   */
  kernel: TOL.f32,
  /**
   * f32 training against the f64 reference from the same seed, a few hundred dependent steps: every step's f32
   * rounding (~1e-7 of the weights) feeds the next and compounds; weights of size ~1 stay within 1e-5 or so of the
   * reference, and 2e-4 (+ 1e-4 relative, for losses and larger weights) leaves room for a row that sits at a kink
   * in f64 landing on the other side in f32.
   */
  train: { atol: 2e-4, rtol: 1e-4 },
} as const satisfies Record<string, Tolerance>;
