// Why WebGPU is or is not available here, in words a person can act on, and what the adapter offers.
// Pure functions of what the page observed, so they are tested without a browser.

/** What the page saw while looking for WebGPU. */
export interface GpuEnv {
  secureContext: boolean;
  hasNavigatorGpu: boolean;
  userAgent: string;
  /** The error from requesting the adapter or device, if any. */
  error?: string;
}

/** A headline and the reasons and fixes under it. */
export interface Explanation {
  title: string;
  details: string[];
}

const CPU_STILL_WORKS = 'The CPU backend still works: choose "CPU" under Backend and train as usual.';

function browserAdvice(ua: string): string {
  if (/Edg\//.test(ua) || /Chrome\/|Chromium\//.test(ua)) {
    const linux = /Linux/.test(ua) && !/Android/.test(ua);
    return linux
      ? 'Chrome/Chromium on Linux turns WebGPU on only for some GPUs: enable chrome://flags/#enable-unsafe-webgpu (and #enable-vulkan), or start it with --enable-unsafe-webgpu --enable-features=Vulkan.'
      : 'Chrome and Edge ship WebGPU from version 113 (Android from 121): update the browser, and check chrome://gpu that WebGPU is not disabled.';
  }
  if (/Firefox\//.test(ua)) return 'Firefox ships WebGPU on Windows from version 141; elsewhere set dom.webgpu.enabled to true in about:config.';
  if (/Safari\//.test(ua)) return 'Safari has WebGPU from version 26; on older versions enable it under Develop › Feature Flags.';
  return 'Use a browser with WebGPU, such as a recent Chrome or Edge.';
}

/** Explains a missing or failed WebGPU, most likely cause first. */
export function explainNoWebGpu(env: GpuEnv): Explanation {
  if (!env.secureContext) {
    return {
      title: 'WebGPU is off: this page is not a secure context',
      details: [
        'Browsers expose WebGPU only to https:// pages and to http://localhost or http://127.0.0.1.',
        'Open the page through https, or on this machine through localhost (npm run preview serves 127.0.0.1).',
        CPU_STILL_WORKS,
      ],
    };
  }
  if (!env.hasNavigatorGpu) {
    return {
      title: 'WebGPU is not available in this browser (navigator.gpu is missing)',
      details: [browserAdvice(env.userAgent), CPU_STILL_WORKS],
    };
  }
  return {
    title: 'WebGPU is present but gave no usable GPU adapter',
    details: [
      env.error ? `The browser said: ${env.error}` : 'requestAdapter() returned nothing.',
      'The GPU may be blocklisted or hardware acceleration turned off: see chrome://gpu. chrome://flags/#enable-unsafe-webgpu lets Chrome use it anyway.',
      CPU_STILL_WORKS,
    ],
  };
}

/** The adapter's identity and its limits, as label/value rows. */
export function adapterRows(info: Record<string, string | number>, limits: Record<string, number>): { info: [string, string][]; limits: [string, string][] } {
  const who: [string, string][] = [];
  for (const k of ['vendor', 'architecture', 'device', 'description']) {
    if (info[k] !== undefined && info[k] !== '') who.push([k, String(info[k])]);
  }
  const lim: [string, string][] = [];
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v === 'number') lim.push([k, v >= 2 ** 20 ? `${(v / 2 ** 20).toLocaleString('en-US')} MiB` : v.toLocaleString('en-US')]);
  }
  return { info: who, limits: lim };
}
