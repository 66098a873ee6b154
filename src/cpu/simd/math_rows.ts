// The vectorized f32 exp, log and log1p (fast_math.ts) over n floats at x (n a multiple of 4) into out: the loss
// parts' math as row functions of the kernels, so test/cpu/fast_math.test.ts measures its accuracy on the compiled
// kernels themselves (no compiler in the test process).
import { expv, log1pv, logv } from './fast_math';

export function exp_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, expv(v128.load(x + i)));
}

export function log_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, logv(v128.load(x + i)));
}

export function log1p_rows(x: usize, out: usize, n: u32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(out + i, log1pv(v128.load(x + i)));
}
