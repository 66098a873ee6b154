// The device module on the real adapter: what it reports, that it asked for the adapter's real limits,
// and that WebGPU errors become clear exceptions.
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();

describe('acquireGpu', () => {
  it('names the adapter and reports its limits and features', () => {
    const ctx = gpu();
    console.log(`adapter under test: ${ctx.description}`);
    expect(ctx.description.length).toBeGreaterThan(0);
    expect(ctx.description).not.toBe('unknown adapter');
    expect(ctx.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(ctx.limits.maxStorageBufferBindingSize).toBe(ctx.device.limits.maxStorageBufferBindingSize);
    expect(Array.isArray(ctx.features)).toBe(true);
  });

  it('requested the adapter limits rather than the defaults', () => {
    const { device } = gpu();
    // The WebGPU default maxBufferSize is 256 MiB; every adapter we run on offers more and we ask for it.
    expect(device.limits.maxBufferSize).toBeGreaterThan(256 * 2 ** 20);
  });

  it('turns a validation error inside a scope into an exception that names the scope', async () => {
    const ctx = gpu();
    await expect(ctx.scoped('bad-buffer', () => {
      ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    })).rejects.toThrow(/WebGPU validation error in bad-buffer/);
    await expect(ctx.scoped('fine', () => 42)).resolves.toBe(42);
  });
});
