// The shader loader: every registered loss and penalty has its WGSL part, every combination links and compiles on
// the real adapter without errors, and the parts define only functions (and constants). The uniform layouts are
// checked against the kernels in params.test.ts.
import { describe, expect, it } from 'vitest';
import { LOSS_NAMES, LOSSES } from '../../src/core/losses';
import { OPTIMIZER_NAMES, OPTIMIZERS } from '../../src/core/optim';
import { PENALTIES, PENALTY_NAMES } from '../../src/core/penalties';
import { DTYPE_PARTS, gradKernel, linkShader, lossParts, optimPart, penaltyPart, WGSL, type Reduction, type ShaderStem } from '../../src/gpu/shaders';
import { DTYPES } from '../../src/core/f16';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();

async function compileErrors(code: string): Promise<string[]> {
  const mod = gpu().device.createShaderModule({ code });
  const info = await mod.getCompilationInfo();
  return info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
}

describe('shader loader', () => {
  it('the unit parts in shaders/ are exactly the registered units (each has its part, each part has its unit)', () => {
    expect(Object.keys(WGSL.losses).sort()).toEqual(LOSS_NAMES.map((n) => LOSSES[n].stem).sort());
    expect(Object.keys(WGSL.penalties).sort()).toEqual(PENALTY_NAMES.map((n) => PENALTIES[n].stem).sort());
    expect(Object.keys(WGSL.optim).sort()).toEqual([...new Set(OPTIMIZER_NAMES.map((n) => OPTIMIZERS[n].wgsl ?? OPTIMIZERS[n].stem))].sort());
    for (const n of LOSS_NAMES) expect(gradKernel(n)).toBe(LOSSES[n].task === 'multiclass' ? 'softmax_grad' : 'linear_grad');
  });

  it('a unit without its part is an error that names the missing file', () => {
    const saved = WGSL.losses.huber;
    delete WGSL.losses.huber;
    try {
      expect(() => linkShader('linear_grad', { loss: 'huber' })).toThrow('the huber loss has no WGSL part: shaders/losses/huber.wgsl is missing');
    } finally {
      WGSL.losses.huber = saved;
    }
  });

  it('unit parts define functions and constants only: no bindings, no entry points', () => {
    const parts = [...LOSS_NAMES.flatMap((n) => lossParts(n)), ...PENALTY_NAMES.map(penaltyPart), ...OPTIMIZER_NAMES.map(optimPart)];
    for (const part of parts) expect(part).not.toMatch(/@binding|@compute|@group|\bvar\s*</);
  });

  it('links the entry file first, then whole parts', () => {
    const src = linkShader('linear_grad', { loss: 'huber', penalty: 'elasticnet' });
    expect(src.indexOf('fn main(')).toBeLessThan(src.indexOf('fn loss_eval('));
    expect(src).toContain('hp.loss.x');
    expect(src).toContain('fn penalty_prox(');
    expect(() => linkShader('softmax_grad', { loss: 'logistic' })).toThrow(/does not run in softmax_grad/);
  });

  it('every loss × penalty combination compiles without errors', async () => {
    const failures: string[] = [];
    for (const loss of LOSS_NAMES) {
      const stem: ShaderStem = gradKernel(loss);
      for (const penalty of stem === 'linear_grad' ? PENALTY_NAMES : (['none'] as const)) {
        const errors = await compileErrors(linkShader(stem, { loss, penalty }));
        if (errors.length) failures.push(`${stem} ${loss} ${penalty}: ${errors.join('; ')}`);
      }
    }
    for (const penalty of PENALTY_NAMES) {
      for (const optimizer of OPTIMIZER_NAMES) {
        const errors = await compileErrors(linkShader('apply_update', { penalty, optimizer }));
        if (errors.length) failures.push(`apply_update ${penalty} ${optimizer}: ${errors.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('variants: data encoding and reductions', () => {
  const REDUCTIONS: Reduction[] = ['workgroup', 'subgroup'];

  it('data parts declare the same word type and reader; the subgroup directive leads only subgroup variants', () => {
    for (const dtype of DTYPES) expect(WGSL.parts[DTYPE_PARTS[dtype]]).toMatch(/alias XWord = [^;]+;[\s\S]*fn x_word\(i: u32\) -> vec4<f32>/);
    const sub = linkShader('linear_grad', { reduction: 'subgroup', dtype: 'f16' });
    expect(sub.startsWith('enable subgroups;')).toBe(true);
    expect(sub).toContain('unpack2x16float');
    expect(sub).toContain('subgroupShuffleXor');
    const base = linkShader('linear_grad', {});
    expect(base).not.toMatch(/enable subgroups|subgroupShuffleXor|unpack2x16float/);
    expect(linkShader('apply_update', { reduction: 'subgroup' })).not.toContain('enable subgroups');
  });

  it('every kernel compiles in every data type and reduction variant', async () => {
    if (!gpu().device.features.has('subgroups')) throw new Error('this adapter has no `subgroups` feature (lavapipe and the H100/H200 through Dawn have it)');
    const failures: string[] = [];
    for (const dtype of DTYPES) {
      for (const reduction of REDUCTIONS) {
        for (const [stem, loss] of [['linear_grad', 'logistic'], ['softmax_grad', 'softmax'], ['gram', undefined]] as const) {
          const errors = await compileErrors(linkShader(stem, { loss, dtype, reduction }));
          if (errors.length) failures.push(`${stem} ${dtype} ${reduction}: ${errors.join('; ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
