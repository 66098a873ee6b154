// Moved to core/grad_sums.ts (the GPU's sparse session shares them); re-exported for the CPU backends.
export * from '../core/grad_sums';
