// `?thread` imports (vite.plugins.ts): the bundled source text of a worker module.
declare module '*?thread' {
  const source: string;
  export default source;
}
