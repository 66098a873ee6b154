// Stands in for Dawn's Node `webgpu` package in the browser build: src/gpu/device.ts imports it only when
// navigator.gpu is missing outside a browser, which never happens on the page.

/** Never called on the page; throws if it is. */
export function create(): never {
  throw new Error('the Node webgpu package is not available in the browser');
}

/** No globals to install in the browser. */
export const globals: Record<string, unknown> = {};
