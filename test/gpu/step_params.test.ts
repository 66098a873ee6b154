// The unrolled record writers of the encoding loop against uniformLayout.write (the per-step layout they replace):
// the same bytes for every field, with awkward values (rounding to f32, u32 wrap, negative and fractional u32s).
import { describe, expect, it } from 'vitest';
import { UPDATE_PARAMS } from '../../src/gpu/apply_update';
import { GRAD_PARAMS } from '../../src/gpu/linear_grad';
import { gradRecord, LITTLE_ENDIAN, updateRecord, writeGradRecord, writeUpdateRecord } from '../../src/gpu/step_params';
import type { UniformLayout } from '../../src/gpu/uniforms';

const AWKWARD = [0, 1, 0.1, 1 / 3, -2.5, 4294967295, 4294967296 + 7, 2 ** 31, 1e-40, 65504.123, 3.4e38, -0];

/** Fills every field of a record with a value drawn from AWKWARD, by field and round. */
function fill<R extends object>(rec: R, round: number): R {
  Object.keys(rec).forEach((k, i) => ((rec as Record<string, number>)[k] = AWKWARD[(i * 5 + round) % AWKWARD.length]));
  return rec;
}

function compare<R extends object>(
  layout: UniformLayout<string>, make: () => R, write: (u: Uint32Array, f: Float32Array, w: number, r: R) => void,
): void {
  expect(Object.keys(make())).toEqual(layout.fields.map(([name]) => name));
  for (let round = 0; round < AWKWARD.length; round++) {
    const rec = fill(make(), round);
    const SLOT = 256;
    const old = new ArrayBuffer(3 * SLOT);
    layout.write(new DataView(old), 2 * SLOT, rec as Record<string, number>);
    const now = new ArrayBuffer(3 * SLOT);
    write(new Uint32Array(now), new Float32Array(now), (2 * SLOT) / 4, rec);
    expect(new Uint8Array(now), `round ${round}: ${JSON.stringify(rec)}`).toEqual(new Uint8Array(old));
  }
}

describe('step records', () => {
  it('the host is little-endian (WGSL uniform layout through typed arrays)', () => expect(LITTLE_ENDIAN).toBe(true));
  it('writeGradRecord writes the bytes of GRAD_PARAMS.write', () => compare(GRAD_PARAMS, gradRecord, writeGradRecord));
  it('writeUpdateRecord writes the bytes of UPDATE_PARAMS.write', () => compare(UPDATE_PARAMS, updateRecord, writeUpdateRecord));
});
