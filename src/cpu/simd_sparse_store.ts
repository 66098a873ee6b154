// The sparse blocks of the fast CPU backend's slots, in one of two layouts. CSR (u32 row offsets from 0, u32 indices,
// f32 values or none for ±1 indicators) copied into the arena beside the slot's dense rows, the allocations grown as
// needed (streamed slots are reloaded with chunks of other sizes). Or, where the rows hold about as many entries each
// (hashed and one-hot columns: one a column), row records: the store (simd_backend.ts) lays each row out as one record —
// its dense x, its target, its count of entries, then S indices (and, valued, S values) — so that a shuffled row costs
// one page and three or so cache lines instead of four arrays' (the offsets, the indices, x and y: four TLB misses).
import type { Csr } from '../core/csr';
import type { Arena } from './simd_arena';

/**
 * One slot's sparse block in the arena: byte offsets (val 0: indicators) and capacities. rs = 0: CSR; else row
 * records of rs bytes, row r's count at idx + r·rs and its indices after it, its values `val` bytes after each index
 * (ptr unused; the store owns the records).
 */
export interface CsrSlot {
  ptr: number;
  idx: number;
  val: number;
  rs: number;
  rows: number;
  nnz: number;
  /** The most entries one of the loaded rows holds. */
  maxRow: number;
}

/** The most entries a row of s holds (rows [0, rows)). */
export function maxRowOf(s: Csr, rows: number): number {
  let most = 0;
  for (let r = 0; r < rows; r++) most = Math.max(most, s.ptr[r + 1] - s.ptr[r]);
  return most;
}

/**
 * The entries S a row record of these rows holds (every row's, its longest), or null where records would take more
 * room than CSR does (its arrays are allocated with a quarter to spare; the memory budget counts on no more).
 */
export function recordEntries(s: Csr, rows: number): number | null {
  const most = maxRowOf(s, rows);
  return recordsFit(rows, most, s.ptr[rows] - s.ptr[0]) ? most : null;
}

/** Whether records of `most` entries for `rows` rows holding nnz entries in all take no more room than CSR does (recordEntries). */
export function recordsFit(rows: number, most: number, nnz: number): boolean {
  return rows * most <= 1.25 * nnz + 0.25 * rows;
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
    if (!have || have.rs || have.rows < rows || have.nnz < nnz || (have.val !== 0) !== valued) {
      if (have) this.free(have);
      const r = Math.ceil(rows * 1.25) + 1;
      const e = Math.max(16, Math.ceil(nnz * 1.25));
      have = this.slots[slot] = { ptr: this.arena.alloc(4 * (r + 1)), idx: this.arena.alloc(4 * e), val: valued ? this.arena.alloc(4 * e) : 0, rs: 0, rows: r, nnz: e, maxRow: 0 };
    }
    const { u32, f32 } = this.arena.views;
    const p = have.ptr >> 2;
    if (base === 0) u32.set(s.ptr.subarray(0, rows + 1), p);
    else for (let r = 0; r <= rows; r++) u32[p + r] = s.ptr[r] - base;
    u32.set(s.idx.subarray(base, base + nnz), have.idx >> 2);
    if (valued) f32.set(s.val!.subarray(base, base + nnz), have.val >> 2);
    have.maxRow = maxRowOf(s, rows);
  }

  /**
   * Writes a chunk's sparse block into row records of rs bytes that hold up to S entries each, row r's count at byte
   * at + r·rs (the records are the caller's: a store's rows, or a test's).
   */
  loadRecords(slot: number, s: Csr, rows: number, at: number, rs: number, S: number): void {
    const valued = s.val !== null;
    const { u32, f32 } = this.arena.views;
    const ptr = s.ptr;
    const idx = s.idx;
    const val = s.val ?? idx;
    // Plain loops without arrays: this runs once over every row of the data, mostly before it is optimized.
    let most = 0;
    for (let r = 0, o = at >>> 2; r < rows; r++, o += rs >>> 2) {
      const e0 = ptr[r];
      const n = ptr[r + 1] - e0;
      if (n > S) throw new Error(`a row of ${n} entries does not fit a record of ${S}`);
      if (n > most) most = n;
      u32[o] = n;
      for (let e = 0; e < n; e++) u32[o + 1 + e] = idx[e0 + e];
      if (valued) for (let e = 0; e < n; e++) f32[o + 1 + S + e] = val[e0 + e];
    }
    this.recordSlot(slot, at, rs, S, rows, valued, most);
  }

  /** Slot `slot` holds rows as records (written by loadRecords, or by a source: DataSource.readRecordsInto), the longest `most` entries. */
  recordSlot(slot: number, at: number, rs: number, S: number, rows: number, valued: boolean, most: number): void {
    const have = this.slots[slot];
    if (have && !have.rs) this.free(have);
    this.slots[slot] = { ptr: 0, idx: at, val: valued ? S * 4 : 0, rs, rows, nnz: rows * S, maxRow: most };
  }

  private free(s: CsrSlot): void {
    if (s.rs) return;
    this.arena.release(s.ptr);
    this.arena.release(s.idx);
    if (s.val) this.arena.release(s.val);
  }

  dispose(): void {
    for (const s of this.slots) if (s) this.free(s);
    this.slots.length = 0;
  }
}
