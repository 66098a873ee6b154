// The sparse blocks of the fast CPU backend's slots: each slot's CSR (u32 row offsets from 0, u32 indices, f32 values
// or none for ±1 indicators) copied into the arena beside its dense rows, the allocations grown as needed (streamed
// slots are reloaded with chunks of other sizes).
import type { Csr } from '../core/csr';
import type { Arena } from './simd_arena';

/** One slot's sparse block in the arena: byte offsets (val 0: indicators) and capacities. */
export interface CsrSlot {
  ptr: number;
  idx: number;
  val: number;
  rows: number;
  nnz: number;
  /** The most entries one of the loaded rows holds. */
  maxRow: number;
}

/** The CSR blocks of a store's slots. */
export class CsrSlots {
  readonly slots: (CsrSlot | undefined)[] = [];

  constructor(private readonly arena: Arena) {}

  /** Copies a chunk's sparse block into slot `slot`. */
  load(slot: number, s: Csr, rows: number): void {
    const base = s.ptr[0];
    const nnz = s.ptr[rows] - base;
    let have = this.slots[slot];
    const valued = s.val !== null;
    if (!have || have.rows < rows || have.nnz < nnz || (have.val !== 0) !== valued) {
      if (have) this.free(have);
      const r = Math.ceil(rows * 1.25) + 1;
      const e = Math.max(16, Math.ceil(nnz * 1.25));
      have = this.slots[slot] = { ptr: this.arena.alloc(4 * (r + 1)), idx: this.arena.alloc(4 * e), val: valued ? this.arena.alloc(4 * e) : 0, rows: r, nnz: e, maxRow: 0 };
    }
    const { u32, f32 } = this.arena.views;
    const p = have.ptr >> 2;
    if (base === 0) u32.set(s.ptr.subarray(0, rows + 1), p);
    else for (let r = 0; r <= rows; r++) u32[p + r] = s.ptr[r] - base;
    u32.set(s.idx.subarray(base, base + nnz), have.idx >> 2);
    if (valued) f32.set(s.val!.subarray(base, base + nnz), have.val >> 2);
    let most = 0;
    for (let r = 0; r < rows; r++) most = Math.max(most, s.ptr[r + 1] - s.ptr[r]);
    have.maxRow = most;
  }

  private free(s: CsrSlot): void {
    this.arena.release(s.ptr);
    this.arena.release(s.idx);
    if (s.val) this.arena.release(s.val);
  }

  dispose(): void {
    for (const s of this.slots) if (s) this.free(s);
    this.slots.length = 0;
  }
}
