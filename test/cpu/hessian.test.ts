// The fast CPU backend's Hessian (src/cpu/hessian.ts addHessianFast: the upper triangle, mirrored) against its oracle
// addHessian (entries within 1e-12 of √(H_ii·H_jj): the sums run in another order), for every one-output loss with a curvature, at awkward D, a block starting inside its rows, with and
// without the intercept and standardization, accumulated onto a non-zero h (both add into what is there).
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES, type ScalarLoss } from '../../src/core/losses';
import { modelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { addHessian, addHessianFast, type RowBlock } from '../../src/cpu/hessian';

const SMOOTH = LOSS_NAMES.filter((n) => LOSSES[n].task !== 'multiclass' && (LOSSES[n] as ScalarLoss).d2z);

describe('addHessianFast', () => {
  for (const loss of SMOOTH) {
    for (const [d, standardize, fitBias] of [[1, false, true], [3, true, false], [33, true, true], [64, false, true]] as const) {
      it(`${loss}, D=${d}${standardize ? ', standardized' : ''}${fitBias ? '' : ', no intercept'}`, () => {
        const rng = new Rng(d * 17 + loss.length);
        const rows = 101;
        const stride = Math.ceil(d / 4) * 4;
        const x = rng.uniformArray(rows * stride + 4);
        const unit = LOSSES[loss] as ScalarLoss;
        const positive = unit.checkTarget && unit.checkTarget(0) !== null;
        const y = Float32Array.from({ length: rows + 2 }, (_, i) => (unit.task === 'binary' ? i % 2 : unit.checkTarget ? (positive ? 0.5 : 0) + 3 * rng.float24() : rng.uniform(-1, 1)));
        const norm = standardize ? { mean: Float64Array.from(rng.uniformArray(d, -0.5, 0.5)), invStd: Float64Array.from(rng.uniformArray(d, 0.5, 2)) } : undefined;
        const spec = modelSpec({ d, loss, fitBias, standardize: norm, lossParams: { huberDelta: 0.5, tweediePower: 1.4 } });
        const scale = unit.link(8, spec.lossHp) > 100 ? 0.3 / Math.sqrt(d) : 1;
        const p = { weights: Float64Array.from(rng.uniformArray(d), (v) => v * scale), bias: Float64Array.of(fitBias ? 0.1 : 0) };
        const block: RowBlock = { x, x0: 4, stride, y, y0: 2, start: 3, count: rows - 7 };
        const size = (d + 1) ** 2;
        const alone = new Float64Array(size);
        addHessian(alone, block, p, spec);
        const want = Float64Array.from({ length: size }, (_, i) => i % 7);
        const got = Float64Array.from(want);
        addHessian(want, block, p, spec);
        addHessianFast(got, block, p, spec);
        // Sums in another order: each entry within 1e-12 of its natural scale √(H_ii·H_jj), or of the offset added.
        let worst = 0;
        for (let i = 0; i <= d; i++) {
          for (let j = 0; j <= d; j++) {
            const scale = Math.sqrt(Math.abs(alone[i * (d + 2)] * alone[j * (d + 2)])) + 7;
            worst = Math.max(worst, Math.abs(got[i * (d + 1) + j] - want[i * (d + 1) + j]) / scale);
          }
        }
        expect(worst, `max relative difference ${worst}`).toBeLessThanOrEqual(1e-12);
      });
    }
  }
});
