// Shared helpers for the data tests: a temp directory removed after the file's tests, and a source's rows
// gathered from one pass.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Dataset, HostChunk } from '../../src/core/dataset';
import type { DataSource, ReadOptions } from '../../src/data/source';

/** A fresh temp directory for this test file, deleted (with everything in it) after its tests. */
export function tempDir(prefix: string): { dir: string; file: (name: string, content?: string | Uint8Array) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `downhill-${prefix}-`));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, content) => {
      const p = path.join(dir, name);
      if (content !== undefined) fs.writeFileSync(p, content);
      return p;
    },
  };
}

/** Every row of one pass, with the chunk sizes and firstRow values seen. */
export interface Gathered {
  rows: number;
  x: number[];
  y: number[];
  sizes: number[];
  firstRows: (number | undefined)[];
}

/** Reads one pass of a source into plain arrays. */
export async function gather(src: DataSource, opts?: ReadOptions): Promise<Gathered> {
  const g: Gathered = { rows: 0, x: [], y: [], sizes: [], firstRows: [] };
  for await (const c of src.read(opts)) add(g, c);
  return g;
}

function add(g: Gathered, c: HostChunk): void {
  g.rows += c.rows;
  g.sizes.push(c.rows);
  g.firstRows.push(c.firstRow);
  for (const v of c.x) g.x.push(v);
  for (const v of c.y) g.y.push(v);
}

/** An in-memory dataset's rows in the same shape. */
export function flatten(ds: Dataset): Gathered {
  const g: Gathered = { rows: 0, x: [], y: [], sizes: [], firstRows: [] };
  for (const c of ds.chunks) add(g, c);
  return g;
}

/** Index of the first element where a and b differ bit for bit (Object.is), or −1 when equal. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
