// The hash, the sparse rows and the encoder: MurmurHash3 x86_32 against published test vectors (SMHasher's
// verification values as listed with the algorithm, and scikit-learn's murmurhash3_32("foo") = −156908512), the
// string, byte and word entry points agreeing, CSR slicing and joining, one-hot vocabularies and hashed rows.
import { describe, expect, it } from 'vitest';
import { concatCsr, CsrBuilder, denseOf, entry, NEG, selectCsr, sliceCsr, type Csr } from '../../src/core/csr';
import { checkEncoding, encodingLayout, RowEncoder, sparseColumnName, vocabulary, type Encoding } from '../../src/core/encoding';
import { murmur3Bytes, murmur3String, murmur3Words } from '../../src/core/murmur3';

describe('MurmurHash3 x86_32', () => {
  it.each([
    ['', 0, 0], ['', 1, 0x514e28b7], ['', 0xffffffff, 0x81f16f39], ['\0\0\0\0', 0, 0x2362f9de], ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa], ['Hello, world!', 0x9747b28c, 0x24884cba], ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ['foo', 0, (-156908512) >>> 0],
  ])('hash(%j, %d)', (s, seed, want) => {
    expect(murmur3String(s as string, seed as number)).toBe(want);
    const b = new TextEncoder().encode(s as string);
    expect(murmur3Bytes(b, 0, b.length, seed as number)).toBe(want);
  });

  it('hashes a string as its UTF-8 bytes (multi-byte, astral and lone surrogates as TextEncoder)', () => {
    for (const s of ['é', 'Zürich', '東京', '😀x', 'a\ud800b', '\udc00', 'x'.repeat(13)]) {
      const b = new TextEncoder().encode(s);
      const padded = new Uint8Array(b.length + 6);
      padded.set(b, 3);
      expect(murmur3String(s, 42)).toBe(murmur3Bytes(padded, 3, 3 + b.length, 42));
    }
  });

  it('hashes two words as their 8 little-endian bytes', () => {
    const b = new Uint8Array(new Uint32Array([0xdeadbeef, 7]).buffer);
    expect(murmur3Words(0xdeadbeef, 7, 9)).toBe(murmur3Bytes(b, 0, 8, 9));
  });
});

describe('CSR blocks', () => {
  const block = (): Csr => {
    const b = new CsrBuilder(true, 1, 1);
    [[[0, 1], [2, 2]], [], [[1, 3]], [[0, 4], [1, 5], [2, 6]]].forEach((row) => {
      for (const [j, v] of row) b.push(j, v);
      b.endRow();
    });
    return b.take();
  };
  it('builds, slices, selects and joins rows', () => {
    const c = block();
    expect([...c.ptr]).toEqual([0, 2, 2, 3, 6]);
    expect([...denseOf(sliceCsr(c, 1, 2), 3)]).toEqual([0, 0, 0, 0, 3, 0]);
    expect([...denseOf(selectCsr(c, [3, 0]), 3)]).toEqual([4, 5, 6, 1, 0, 2]);
    const joined = concatCsr([sliceCsr(c, 0, 2), sliceCsr(c, 2, 2)]);
    expect([...denseOf(joined, 3)]).toEqual([...denseOf(c, 3)]);
  });
  it('keeps indicator signs in the top bit', () => {
    const ind: Csr = { ptr: Uint32Array.of(0, 2), idx: Uint32Array.of(1, (2 | NEG) >>> 0), val: null };
    expect(entry(ind, 1)).toEqual([2, -1]);
    expect([...denseOf(concatCsr([ind, block()]), 3)].slice(0, 3)).toEqual([0, 1, -1]);
  });
});

describe('the encoder', () => {
  const enc = (o: Partial<Encoding> = {}): Encoding => {
    const e: Encoding = {
      format: 'columns', crosses: [], hash: { function: 'murmur3_x86_32', bits: 4, seed: 0 },
      categorical: [{ name: 'city', kind: 'onehot', levels: ['b', 'a'] }, { name: 'user', kind: 'hash' }], width: 0, ...o,
    };
    e.width = encodingLayout(e).width;
    return e;
  };

  it('orders levels by frequency, ties by first appearance; rare levels leave for "other"', () => {
    const counts = new Map([['x', 1], ['y', 3], ['z', 3], ['w', 2]]);
    expect(vocabulary('c', counts, { minCount: 1, maxLevels: 0 }).levels).toEqual(['y', 'z', 'w', 'x']);
    expect(vocabulary('c', counts, { minCount: 2, maxLevels: 0 }).levels).toEqual(['y', 'z', 'w']);
    expect(vocabulary('c', counts, { minCount: 1, maxLevels: 2 }).levels).toEqual(['y', 'z']);
    const many = new Map(Array.from({ length: 70000 }, (_, i) => [`v${i}`, 1]));
    expect(() => vocabulary('zip', many, { minCount: 1, maxLevels: 0 })).toThrow(/column "zip" has 70000 levels.*--hashed zip.*--max-levels/);
  });

  it('one-hot ranks, "other" for unseen levels, signed hash buckets and crosses', () => {
    const e = enc({ crosses: [['city', 'user']] });
    const r = new RowEncoder(e);
    expect(e.width).toBe(3 + 16);
    expect(r.perRow).toBe(3);
    const out = new Uint32Array(3);
    expect(r.encode(['a', 'u1'], out, 0)).toBe(3);
    expect(out[0]).toBe(1);
    const h = murmur3String('u1', murmur3String('user', 0));
    expect(out[1]).toBe(((3 + (h & 15)) | (h & NEG)) >>> 0);
    const hc = murmur3Words(murmur3String('a', murmur3String('city', 0)), h, 0);
    expect(out[2]).toBe(((3 + (hc & 15)) | (hc & NEG)) >>> 0);
    r.encode(['never seen', 'u1'], out, 0);
    expect(out[0]).toBe(2);
    expect(sparseColumnName(e, 0)).toBe('city=b');
    expect(sparseColumnName(e, 2)).toBe('city=(other)');
    expect(sparseColumnName(e, 7)).toBe('hash[4]');
  });

  it('checks an encoding record read from a model file', () => {
    const e = enc();
    expect(checkEncoding(JSON.parse(JSON.stringify(e)), ['x'])).toEqual(e);
    expect(() => checkEncoding({ ...e, width: 5 }, ['x'])).toThrow(/width must be 19/);
    expect(() => checkEncoding({ ...e, hash: { ...e.hash, bits: 31 } }, ['x'])).toThrow(/hash.bits must be an integer from 1 to 30/);
    expect(() => checkEncoding({ ...e, crosses: [['city', 'nope']] }, ['x'])).toThrow(/crosses must be pairs/);
    expect(() => checkEncoding(e, ['city'])).toThrow(/distinct from the features/);
  });
});
