// The package's Node entry (`import … from 'downhill'` in Node): everything the browser entry has, plus WebGPU
// through Dawn's `webgpu` package, the fast CPU backend on worker threads, backends by name, and file sources
// (CSV, NPY, Parquet, the .dh cache) and model files on disk.
export * from './browser';
export { nodeCpuBackend } from './cpu/simd_node';
export { BACKENDS, createBackend, parseBackend } from './train/backends';
export { csvSource, parquetFileSource } from './data/node_files';
export { npySource, NpySource, NpyWriter, type NpySourceOptions } from './data/npy';
export { cacheSource, CacheSource, CacheWriter, writeCache, type CacheInfo } from './data/cache';
export { readModelFile, saveModelFile } from './data/model_io';
