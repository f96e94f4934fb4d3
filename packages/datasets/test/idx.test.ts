import { FormatError, ValueError } from '@tapegrad/core';
import { IDX_MAX_HEADER, readIdx, readIdxHeader } from '@tapegrad/datasets';
import { describe, expect, it } from 'vitest';

/** Builds an IDX buffer by hand: magic 0x00 0x00 type ndim, big-endian uint32 dims, then the values. */
function idx(dims: number[], values: number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

describe('readIdx', () => {
  it('reads a 1-D label file', () => {
    const file = idx([5], [5, 0, 4, 1, 9]);
    expect(Array.from(file.subarray(0, 4))).toEqual([0, 0, 8, 1]);
    const { dims, data } = readIdx(file);
    expect(dims).toEqual([5]);
    expect(Array.from(data)).toEqual([5, 0, 4, 1, 9]);
  });

  it('reads a 3-D image file row-major, with dims wider than one byte', () => {
    const values = Array.from({ length: 2 * 3 * 300 }, (_, i) => (i * 7) % 256);
    const { dims, data } = readIdx(idx([2, 3, 300], values));
    expect(dims).toEqual([2, 3, 300]);
    expect(data.length).toBe(1800);
    expect(Array.from(data)).toEqual(values);
  });

  it('reads from a view with a non-zero byteOffset (a Buffer slice of a larger pool)', () => {
    const file = idx([2, 2], [1, 2, 3, 4]);
    const big = new Uint8Array(file.length + 10);
    big.set(file, 7);
    const { dims, data } = readIdx(big.subarray(7, 7 + file.length));
    expect(dims).toEqual([2, 2]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4]);
  });

  it('accepts an empty dimension (zero values)', () => {
    const { dims, data } = readIdx(idx([0, 28], []));
    expect(dims).toEqual([0, 28]);
    expect(data.length).toBe(0);
  });

  it('rejects every truncation of a valid file', () => {
    const file = idx([3, 2, 2], Array.from({ length: 12 }, (_, i) => i));
    expect(readIdx(file).dims).toEqual([3, 2, 2]);
    for (let len = 0; len < file.length; len++) {
      expect(() => readIdx(file.subarray(0, len), 'cut.idx'), `length ${len}`).toThrow(FormatError);
    }
    expect(() => readIdx(file.subarray(0, 2), 'cut.idx')).toThrow(/\[readIdx\] cut\.idx: expected an IDX file starting with a 4-byte magic number, got 2 byte\(s\)/);
    expect(() => readIdx(file.subarray(0, 10), 'cut.idx')).toThrow(/expected a 16-byte header \(magic 0x00000803 declares 3 dimension\(s\)\), got 10 byte\(s\)/);
    expect(() => readIdx(file.subarray(0, 27), 'cut.idx')).toThrow(/expected exactly 28 bytes \(16-byte header \+ 12 values for dims \[3,2,2\]\), got 27 bytes \(truncated\)/);
  });

  it('rejects trailing bytes', () => {
    const file = idx([4], [1, 2, 3, 4, 99]);
    expect(() => readIdx(file, 'long.idx')).toThrow(FormatError);
    expect(() => readIdx(file, 'long.idx')).toThrow(/long\.idx: expected exactly 12 bytes .*got 13 bytes \(trailing bytes\)/);
  });

  it('rejects a non-zero leading magic byte', () => {
    for (const pos of [0, 1]) {
      const file = idx([2], [1, 2]);
      file[pos] = 0x01;
      expect(() => readIdx(file, 'bad.idx')).toThrow(FormatError);
      expect(() => readIdx(file, 'bad.idx')).toThrow(/bad\.idx: expected an IDX magic number starting with two zero bytes/);
    }
  });

  it('rejects every type byte but unsigned byte, naming known types', () => {
    for (let type = 0; type < 256; type++) {
      if (type === 0x08) continue;
      expect(() => readIdx(idx([2], [1, 2], type)), `type ${type}`).toThrow(FormatError);
    }
    expect(() => readIdx(idx([2], [1, 2], 0x0d), 'f.idx')).toThrow(/f\.idx: expected IDX type byte 0x08 \(unsigned byte\), got 0x0d \(float32, not supported\)/);
    expect(() => readIdx(idx([2], [1, 2], 0x42))).toThrow(/got 0x42 \(not an IDX type\)/);
  });

  it('rejects a dimension count that does not match the data', () => {
    const file = idx([2, 3], [1, 2, 3, 4, 5, 6]);
    for (const ndim of [0, 1, 3, 4, 255]) {
      const bad = file.slice();
      bad[3] = ndim;
      expect(() => readIdx(bad, 'dims.idx'), `ndim ${ndim}`).toThrow(FormatError);
    }
    const zero = file.slice();
    zero[3] = 0;
    expect(() => readIdx(zero)).toThrow(/expected at least one dimension/);
  });

  it('rejects a header claiming a huge size without allocating', () => {
    // dims 0xffffffff^3 ≈ 8e28 values: allocating that would throw a RangeError, not a FormatError,
    // and a Number product would round; the exact size must appear in the message.
    const huge = idx([0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]);
    expect(() => readIdx(huge, 'huge.idx')).toThrow(FormatError);
    const exact = (0xffffffffn ** 3n + 16n).toString();
    expect(() => readIdx(huge, 'huge.idx')).toThrow(new RegExp(`expected exactly ${exact} bytes`));
    // 10^12 values from two dimensions
    expect(() => readIdx(idx([1_000_000, 1_000_000], []))).toThrow(FormatError);
    expect(() => readIdx(idx([1_000_000, 1_000_000], []))).toThrow(/expected exactly 1000000000012 bytes .*got 12 bytes \(truncated\)/);
  });

  it('returns a view, not a copy', () => {
    const file = idx([3], [7, 8, 9]);
    const { data } = readIdx(file);
    expect(data.buffer).toBe(file.buffer);
    expect(data.byteOffset).toBe(8);
  });

  it('rejects input that is not bytes', () => {
    expect(() => readIdx([0, 0, 8, 1] as unknown as Uint8Array)).toThrow(ValueError);
    expect(() => readIdx(new Float32Array(8) as unknown as Uint8Array)).toThrow(/\[readIdx\] bytes: expected a Uint8Array \(or Buffer\), got Float32Array/);
  });
});

describe('readIdxHeader', () => {
  /** What readIdx says of `file` (its dims, or its error message). */
  const whole = (file: Uint8Array) => {
    try {
      return readIdx(file, 'f.idx').dims;
    } catch (e) {
      return (e as Error).message;
    }
  };
  /** The same from the header alone: the first IDX_MAX_HEADER bytes (or fewer) and the size. */
  const head = (file: Uint8Array) => {
    try {
      return readIdxHeader(file.slice(0, IDX_MAX_HEADER), file.length, 'f.idx').dims;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('checks a header against the file size exactly as readIdx checks the whole file', () => {
    const files = [
      idx([3, 2, 2], Array.from({ length: 12 }, (_, i) => i)),
      idx([4], [1, 2, 3, 4, 99]),
      idx([2], [1, 2], 0x0d),
      idx([0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]),
      idx([0, 28], []),
      idx([300, 2], Array.from({ length: 600 }, (_, i) => i % 256)),
    ];
    let errors = 0;
    for (const file of files) {
      for (let len = 0; len <= file.length; len++) {
        const cut = file.subarray(0, len);
        expect(head(cut), `${file.length} bytes cut to ${len}`).toEqual(whole(cut));
        if (typeof whole(cut) === 'string') errors++;
      }
    }
    // both outcomes occur: accepted files and each kind of rejection
    expect(errors).toBeGreaterThan(20);
    expect(head(files[0]!)).toEqual([3, 2, 2]);
    expect(head(files[5]!)).toEqual([300, 2]);
  });

  it('returns the header length, where the values start', () => {
    const file = idx([3, 2, 2], Array.from({ length: 12 }, (_, i) => i));
    expect(readIdxHeader(file.subarray(0, 16), file.length)).toEqual({ dims: [3, 2, 2], headerLength: 16 });
    expect(readIdxHeader(idx([5], [5, 0, 4, 1, 9]).subarray(0, 8), 13)).toEqual({ dims: [5], headerLength: 8 });
  });

  it('rejects a head that stops before the header ends', () => {
    const file = idx([3, 2, 2], Array.from({ length: 12 }, (_, i) => i));
    expect(() => readIdxHeader(file.subarray(0, 10), file.length)).toThrow(ValueError);
    expect(() => readIdxHeader(file.subarray(0, 10), file.length)).toThrow(/\[readIdx\] head: expected the file's first 16 bytes \(its header\), got 10 byte\(s\)/);
    expect(() => readIdxHeader(file.subarray(0, 2), file.length)).toThrow(/head: expected the file's first 4 bytes at least, got 2 byte\(s\)/);
  });
});
