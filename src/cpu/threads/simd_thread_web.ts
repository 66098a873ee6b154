// A fast-CPU worker in the browser (a module Web Worker started by ../simd_web.ts): runs the pool's loop
// (../simd_pool.ts) on the shared arena its first message carries.
import { threadLoop, type ThreadInit } from '../simd_pool';

self.onmessage = (e: MessageEvent<ThreadInit>) => threadLoop(e.data);
