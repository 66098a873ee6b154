// Half-precision data through the built CLI: `convert --dtype f16` and `gen --dtype f16` write caches that train on
// WebGPU (packed halves on the GPU) to what the f64 reference computes from the same rounded values, resident and
// streamed alike, and to the f32 run within the rounding's small cost; the combinations that cannot work say why.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, runCliOk } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'downhill-f16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** Runs on WebGPU (lavapipe here, on shared cores): a longer limit than the default 120 s. */
const SLOW = { timeout: 300_000 };
const trainJson = (...args: string[]) => parseJson(runCliOk(['train', ...args, '--json'], SLOW).stdout);
const OPTS = ['--epochs', '3', '--batch', '256', '--lr', '0.05', '--seed', '2'];

describe('f16 caches', () => {
  it('convert --dtype f16 → train on WebGPU equals the reference on the same halves, and the f32 run within the rounding', () => {
    runCliOk(['gen', '-o', at('d.csv'), '--rows', '20000', '--features', '9', '--seed', '7'], SLOW);
    runCliOk(['convert', at('d.csv'), '-o', at('d32.dh'), '--target', 'y'], SLOW);
    expect(runCliOk(['convert', at('d.csv'), '-o', at('d16.dh'), '--target', 'y', '--dtype', 'f16'], SLOW).stdout).toMatch(/float16 features/);
    // 9 features: 4·10 bytes a row in f32, 2·9 + 4 in f16.
    expect(statSync(at('d32.dh')).size - statSync(at('d16.dh')).size).toBe(20000 * (40 - 22));
    const gpu16 = trainJson(at('d16.dh'), ...OPTS);
    const ref16 = trainJson(at('d16.dh'), ...OPTS, '--backend', 'reference');
    const gpu32 = trainJson(at('d32.dh'), ...OPTS);
    // The same rounded values on both backends: f32 arithmetic against f64.
    gpu16.weights.forEach((w: number, j: number) => expect(Math.abs(w - ref16.weights[j])).toBeLessThan(1e-5));
    expect(Math.abs(gpu16.loss - ref16.loss)).toBeLessThan(1e-5 * ref16.loss + 1e-7);
    // Against float32 data: halves hold ~11 significant bits (relative error ≤ 2^−11 on x ~ U(−1, 1)), so the
    // coefficients move by ~1e−4 and the loss (noise variance 0.01) by far less than its size.
    gpu16.weights.forEach((w: number, j: number) => expect(Math.abs(w - gpu32.weights[j])).toBeLessThan(1e-3));
    expect(Math.abs(gpu16.loss - gpu32.loss)).toBeLessThan(0.02 * gpu32.loss);
  });

  it('gen --dtype f16, streamed (a small memory budget), trains as the reference does; --dtype f32 reads the halves exactly', () => {
    runCliOk(['gen', '-o', at('g16.dh'), '--rows', '30000', '--features', '5', '--seed', '3', '--dtype', 'f16'], SLOW);
    const stream = [...OPTS, '--memory-budget', '200K'];
    const streamed = trainJson(at('g16.dh'), ...stream);
    const reference = trainJson(at('g16.dh'), ...stream, '--backend', 'reference');
    expect(streamed.streamed).toBe(true);
    streamed.weights.forEach((w: number, j: number) => expect(Math.abs(w - reference.weights[j])).toBeLessThan(1e-5));
    const resident = trainJson(at('g16.dh'), ...OPTS);
    const asF32 = trainJson(at('g16.dh'), ...OPTS, '--dtype', 'f32');
    asF32.weights.forEach((w: number, j: number) => expect(Math.abs(w - resident.weights[j])).toBeLessThan(1e-6));
  });

  it('combinations that cannot work fail with a message that says what to do', () => {
    const csv = runCli(['train', at('d.csv'), '--target', 'y', '--dtype', 'f16'], SLOW);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/--dtype f16 trains from a \.dh cache written with --dtype f16.*not a \.dh cache.*downhill convert/);
    const f32 = runCli(['train', at('d32.dh'), '--dtype', 'f16'], SLOW);
    expect(f32.code).toBe(2);
    expect(f32.stderr).toMatch(/d32\.dh holds float32 rows/);
    const gen = runCli(['gen', '-o', at('x.csv'), '--rows', '10', '--features', '2', '--dtype', 'f16'], SLOW);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toMatch(/--dtype f16 writes \.dh caches only/);
    const bad = runCli(['convert', at('d.csv'), '-o', at('x.dh'), '--target', 'y', '--dtype', 'bf16'], SLOW);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--dtype must be f32 or f16, got "bf16"/);
  });
});
