// The svmlight/libsvm reader: rows, indices (1-based by default, --zero-based), values, comments and qid, the
// width from the first pass, content detection, and every bad line named by file, line and token.
import { describe, expect, it } from 'vitest';
import { denseOf, type Csr } from '../../src/core/csr';
import type { HostChunk } from '../../src/core/dataset';
import { looksLikeSvmlight, svmlightSourceFromStream, type SvmlightOptions } from '../../src/data/svmlight';

const bytes = (text: string) => () => (async function* () {
  // Split in odd places, so lines span the stream's chunks.
  const b = new TextEncoder().encode(text);
  for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
})();

async function readAll(text: string, o: SvmlightOptions = {}, maxRows = 2) {
  const src = await svmlightSourceFromStream('t.svm', bytes(text), o);
  const chunks: HostChunk[] = [];
  for await (const c of src.read({ maxRows })) chunks.push(c);
  return { src, chunks };
}

describe('svmlight reader', () => {
  it('reads labels, 1-based indices, values, comments, blank lines and qid', async () => {
    const text = '# a comment\n1 1:0.5 3:2\n\n-1 qid:3 2:1e-3 # trailing\n+1\n0.25 4:-7\n';
    const { src, chunks } = await readAll(text);
    expect(src.rows).toBe(4);
    expect(src.features).toEqual([]);
    expect(src.sparse.width).toBe(4);
    expect(src.qids).toBe(1);
    expect(src.note).toMatch(/qid/);
    expect(chunks.map((c) => c.rows)).toEqual([2, 2]);
    expect(chunks.map((c) => c.firstRow)).toEqual([0, 2]);
    expect([...chunks.flatMap((c) => [...c.y])]).toEqual([1, -1, 1, 0.25]);
    const dense = chunks.flatMap((c) => [...denseOf(c.sparse as Csr, 4)]);
    expect(dense).toEqual([0.5, 0, 2, 0, 0, Math.fround(1e-3), 0, 0, 0, 0, 0, 0, 0, 0, 0, -7]);
  });

  it('reads 0-based files with --zero-based, CRLF line ends, tabs and no final line feed', async () => {
    const { src, chunks } = await readAll('1\t0:1 2:3\r\n2 1:4', { zeroBased: true });
    expect(src.sparse.width).toBe(3);
    expect(src.sparse.encoding.base).toBe(0);
    expect([...denseOf(chunks[0].sparse!, 3)]).toEqual([1, 0, 3, 0, 4, 0]);
  });

  it.each([
    ['1 0:1\n', /t\.svm:1: token "0:1": index 0 under 1-based indexing.*--zero-based/],
    ['1 1:1\n1 3:1 2:1\n', /t\.svm:2: token "2:1": unsorted indices: 2 after 3/],
    ['1 2:1 2:5\n', /t\.svm:1: token "2:5": repeated index 2/],
    ['1 -2:1\n', /t\.svm:1: token "-2:1": negative index/],
    ['1 2:abc\n', /t\.svm:1: token "2:abc": expected idx:value with a finite float32 number/],
    ['1 2:1e39\n', /token "2:1e39": expected idx:value with a finite float32/],
    ['x 2:1\n', /t\.svm:1: token "x": expected a number \(the label\)/],
    ['1 2=1\n', /token "2=1": expected idx:value/],
    ['1 1:1 qid:2\n', /token "qid:2": expected idx:value/],
    ['# nothing\n\n', /no data lines/],
  ])('rejects %j', async (text, message) => {
    await expect(readAll(text)).rejects.toThrow(message);
  });

  it('refuses an index beyond a fixed width (a model\'s)', async () => {
    await expect(readAll('1 5:1\n', { width: 4 })).rejects.toThrow(/index 5 is beyond the model's 4 features/);
  });

  it('recognises svmlight text by its content', () => {
    expect(looksLikeSvmlight('# header\n-1 3:1 11:1 14:1\n')).toBe(true);
    expect(looksLikeSvmlight('1 qid:2 1:0.5\n')).toBe(true);
    expect(looksLikeSvmlight('a,b,c\n1,2,3\n')).toBe(false);
    expect(looksLikeSvmlight('5\n6\n')).toBe(false);
  });
});
