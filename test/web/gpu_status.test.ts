// The page's explanations of a missing WebGPU, and the adapter rows it lists.
import { describe, expect, it } from 'vitest';
import { adapterRows, explainNoWebGpu } from '../../src/web/gpu_status';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

describe('explainNoWebGpu', () => {
  it('blames an insecure context first', () => {
    const e = explainNoWebGpu({ secureContext: false, hasNavigatorGpu: false, userAgent: CHROME_LINUX });
    expect(e.title).toMatch(/secure context/);
    expect(e.details.join(' ')).toMatch(/https.*localhost/);
  });
  it('gives browser-specific advice when navigator.gpu is missing', () => {
    const chrome = explainNoWebGpu({ secureContext: true, hasNavigatorGpu: false, userAgent: CHROME_LINUX });
    expect(chrome.title).toMatch(/navigator\.gpu is missing/);
    expect(chrome.details[0]).toMatch(/enable-unsafe-webgpu/);
    const firefox = explainNoWebGpu({ secureContext: true, hasNavigatorGpu: false, userAgent: FIREFOX });
    expect(firefox.details[0]).toMatch(/dom\.webgpu\.enabled/);
  });
  it('reports the browser’s error when there is no adapter', () => {
    const e = explainNoWebGpu({ secureContext: true, hasNavigatorGpu: true, userAgent: CHROME_LINUX, error: 'No WebGPU adapter was found.' });
    expect(e.title).toMatch(/no usable GPU adapter/);
    expect(e.details[0]).toMatch(/No WebGPU adapter was found/);
  });
  it('always says that the CPU path works', () => {
    for (const env of [
      { secureContext: false, hasNavigatorGpu: false, userAgent: '' },
      { secureContext: true, hasNavigatorGpu: false, userAgent: '' },
      { secureContext: true, hasNavigatorGpu: true, userAgent: '' },
    ]) expect(explainNoWebGpu(env).details.at(-1)).toMatch(/CPU backend still works/);
  });
});

describe('adapterRows', () => {
  it('lists identity fields that are set and limits with MiB for large ones', () => {
    const rows = adapterRows({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' },
      { maxBufferSize: 2 ** 30, maxComputeInvocationsPerWorkgroup: 256 });
    expect(rows.info).toEqual([['vendor', 'google'], ['architecture', 'swiftshader']]);
    expect(rows.limits).toEqual([['maxBufferSize', '1,024 MiB'], ['maxComputeInvocationsPerWorkgroup', '256']]);
  });
});
