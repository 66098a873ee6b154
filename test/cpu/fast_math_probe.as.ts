// AssemblyScript probe for test/cpu/fast_math.test.ts: the vectorized f32 exp, log and log1p
// (src/cpu/simd/fast_math.ts) over n floats at x (n a multiple of 4) into out.
import { expv, log1pv, logv } from '../../src/cpu/simd/fast_math';

export function exp_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, expv(v128.load(x + i)));
}

export function log_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, logv(v128.load(x + i)));
}

export function log1p_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, log1pv(v128.load(x + i)));
}
