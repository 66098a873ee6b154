// WebGPU device acquisition for the browser (navigator.gpu) and Node (Dawn's `webgpu` package):
// requests the adapter's real limits, keeps Dawn's `create()` object alive with the device, turns
// validation errors and device loss into clear errors, and releases everything so Node can exit.

/** A device and what was learned about its adapter. */
export interface GpuContext {
  device: GPUDevice;
  /** Human-readable adapter description (vendor, architecture, device, driver). */
  description: string;
  info: Record<string, string | number>;
  limits: Record<string, number>;
  features: string[];
  hasTimestamps: boolean;
  /** Throws the first uncaptured WebGPU error or device loss seen so far, if any. */
  check(): void;
  /** Runs `fn` inside validation and out-of-memory error scopes; rejects with the first error. */
  scoped<T>(label: string, fn: () => T | Promise<T>): Promise<T>;
  destroy(): void;
}

/** Options for acquiring a device. */
export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Dawn toggles for Node, e.g. ['disable-dawn-features=timestamp_quantization']. */
  dawnFlags?: string[];
}

const NODE_HINT =
  'On Linux without a GPU install Mesa ≥ 24 lavapipe (Debian bookworm: mesa-vulkan-drivers from ' +
  'bookworm-backports; see scripts/system-deps.sh); in Chrome use a secure context with WebGPU enabled.';

// Held for the life of each device: dawn.node aborts if the object from create() is collected.
const keepAlive = new Set<unknown>();

async function getGpu(flags: string[]): Promise<{ gpu: GPU; holder: unknown }> {
  if (typeof navigator !== 'undefined' && (navigator as Navigator).gpu) {
    return { gpu: (navigator as Navigator).gpu, holder: null };
  }
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error(`WebGPU is not available in this browser (navigator.gpu is missing). ${NODE_HINT}`);
  }
  const mod = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const gpu = mod.create(flags);
  return { gpu, holder: gpu };
}

/** A name no adapter has: asking Dawn for it draws the list of adapters it has (src/gpu/adapters.ts). */
const NO_SUCH_ADAPTER = 'adapter=<downhill: no adapter has this name>';

/**
 * Node: the message Dawn gives when asked for an adapter no one has, which lists every adapter of the backend in
 * its order of choice (empty when it found none); `flags` as for acquireGpu (e.g. backend=vulkan).
 */
export async function dawnAdapterMessage(flags: string[] = [], powerPreference: GPUPowerPreference = 'high-performance'): Promise<string> {
  const { gpu } = await getGpu([...flags.filter((f) => !f.startsWith('adapter=')), NO_SUCH_ADAPTER]);
  try {
    await gpu.requestAdapter({ powerPreference });
    return '';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function plain(obj: object, keys?: string[]): Record<string, never> {
  const out: Record<string, never> = {};
  for (const k of keys ?? Object.keys(Object.getPrototypeOf(obj) ?? {}).concat(Object.keys(obj))) {
    const v = (obj as Record<string, unknown>)[k];
    if (typeof v === 'number' || typeof v === 'string') out[k] = v as never;
  }
  return out;
}

function describeAdapter(info: GPUAdapterInfo): { text: string; fields: Record<string, string | number> } {
  const keys = ['vendor', 'architecture', 'device', 'description', 'subgroupMinSize', 'subgroupMaxSize'];
  const fields = plain(info, keys) as Record<string, string | number>;
  const parts = [fields.vendor, fields.architecture, fields.device, fields.description].filter((s) => s !== undefined && s !== '');
  return { text: parts.length ? [...new Set(parts)].join(' / ') : 'unknown adapter', fields };
}

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage', 'maxUniformBufferBindingSize', 'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment', 'maxDynamicUniformBuffersPerPipelineLayout',
];

/** Acquires an adapter and a device with the adapter's real limits. Throws a clear error if there is none. */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext> {
  const { gpu, holder } = await getGpu(opts.dawnFlags ?? []);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error(`No WebGPU adapter was found. ${NODE_HINT}`);
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number' && !name.startsWith('min')) requiredLimits[name] = v;
  }
  // subgroups: the kernels' subgroup variants (src/gpu/subgroups.ts decides whether to use them).
  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'downhill' });
  if (holder) keepAlive.add(holder);

  let failure: Error | null = null;
  let destroyed = false;
  device.addEventListener('uncapturederror', (ev) => {
    const e = (ev as GPUUncapturedErrorEvent).error;
    failure ??= new Error(`WebGPU error: ${e.message}`);
  });
  void device.lost.then((info) => {
    if (!destroyed) failure ??= new Error(`WebGPU device lost (${info.reason}): ${info.message}`);
  });
  const { text, fields } = describeAdapter(device.adapterInfo ?? adapter.info);
  const limits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) limits[name] = (device.limits as unknown as Record<string, number>)[name];

  const ctx: GpuContext = {
    device,
    description: text,
    info: fields,
    limits,
    features: [...device.features].map(String).sort(),
    hasTimestamps: device.features.has('timestamp-query'),
    check() {
      if (failure) throw failure;
    },
    async scoped<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      let result: T;
      try {
        result = await fn();
      } finally {
        const validation = await device.popErrorScope();
        const oom = await device.popErrorScope();
        const e = validation ?? oom;
        if (e) throw new Error(`WebGPU ${validation ? 'validation' : 'out-of-memory'} error in ${label}: ${e.message}`);
      }
      ctx.check();
      return result;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      device.destroy();
      // Let Dawn finish tearing down before the create() object may be collected.
      if (holder) setTimeout(() => keepAlive.delete(holder), 100).unref?.();
    },
  };
  return ctx;
}
