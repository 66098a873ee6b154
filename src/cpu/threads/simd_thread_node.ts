// A fast-CPU worker thread in Node (bundled into a script by vite.plugins.ts `?thread`): runs the pool's loop
// (../simd_pool.ts) on the shared arena it was given.
import { workerData } from 'node:worker_threads';
import { threadLoop, type ThreadInit } from '../simd_pool';

threadLoop(workerData as ThreadInit);
