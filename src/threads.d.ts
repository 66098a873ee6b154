// Build-time imports (vite.plugins.ts): `?thread`, the bundled source text of a worker module; `?simd`, an
// AssemblyScript module compiled to WebAssembly for a shared and for a plain memory (base64).
declare module '*?thread' {
  const source: string;
  export default source;
}

declare module '*?simd' {
  const binaries: { shared: string; plain: string };
  export default binaries;
}
