// Moved to core/sparse_sums.ts (the GPU's sparse session shares them); re-exported for the CPU backends.
export * from '../core/sparse_sums';
