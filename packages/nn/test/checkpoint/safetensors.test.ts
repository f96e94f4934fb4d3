import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, type Tensor, ValueError, tensor, zeros } from '@tapegrad/core';
import { MAX_HEADER_BYTES, parseSafetensors, serializeSafetensors } from '@tapegrad/nn';

/** A file with the given header object (JSON-encoded as is) and `dataBytes` bytes of data. */
function craft(header: unknown, dataBytes: number, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function parseError(bytes: Uint8Array): Error {
  try {
    parseSafetensors(bytes, 'test.safetensors');
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected parseSafetensors to throw');
}

const sample = (): Record<string, Tensor> => ({
  'conv1.weight': tensor([1.5, -2, 3.25, 4, 5, 6], [2, 1, 1, 3]),
  'conv1.bias': tensor([0.1, 0.2], undefined, { dtype: 'float64' }),
  labels: tensor([3, -1, 7], undefined, { dtype: 'int32' }),
  scalar: tensor(42),
  empty: zeros([0, 3]),
});

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips float32, float64 and int32 tensors, 0-d and empty ones, with metadata', () => {
    const bytes = serializeSafetensors(sample(), { format: 'pt', note: 'ünïcode ✓' });
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' });
    expect(Object.keys(tensors)).toEqual(['conv1.weight', 'conv1.bias', 'labels', 'scalar', 'empty']);
    for (const [name, t] of Object.entries(sample())) {
      expect(tensors[name]!.dtype, name).toBe(t.dtype);
      expect(tensors[name]!.shape, name).toEqual(t.shape);
      expect(Array.from(tensors[name]!.data), name).toEqual(Array.from(t.data));
    }
  });

  it('writes the documented layout: u64 LE header length, JSON padded to 8 bytes, contiguous LE data', () => {
    const bytes = serializeSafetensors({ a: tensor([1, 2]), b: tensor([7], undefined, { dtype: 'int32' }) });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I32', shape: [1], data_offsets: [8, 12] } });
    expect(bytes.length).toBe(8 + n + 12);
    expect(view.getFloat32(8 + n + 4, true)).toBe(2);
    expect(view.getInt32(8 + n + 8, true)).toBe(7);
  });

  it('round-trips random state dicts exactly (property, fixed seed)', () => {
    const entry = fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      dtype: fc.constantFrom('float32' as const, 'float64' as const, 'int32' as const),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'), entry, { maxKeys: 5 }), (spec) => {
        const tensors: Record<string, Tensor> = {};
        for (const [name, { shape, dtype, seed }] of Object.entries(spec)) {
          const n = shape.reduce((p, d) => p * d, 1);
          const values = Array.from({ length: n }, (_, i) => (dtype === 'int32' ? ((seed + i * 7919) | 0) : Math.fround(Math.sin(seed + i) * 1e3)));
          tensors[name] = tensor(values, shape, { dtype });
        }
        const back = parseSafetensors(serializeSafetensors(tensors)).tensors;
        expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          expect(back[name]!.shape).toEqual(t.shape);
          expect(back[name]!.dtype).toBe(t.dtype);
          expect(Array.from(back[name]!.data)).toEqual(Array.from(t.data));
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('rejects bad arguments when writing', () => {
    expect(() => serializeSafetensors({ __metadata__: tensor([1]) })).toThrow(ValueError);
    expect(() => serializeSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow(/^\[serializeSafetensors\] tensors\["a"\]: expected a Tensor, got object$/);
    expect(() => serializeSafetensors({}, { epoch: 3 as unknown as string })).toThrow(/^\[serializeSafetensors\] metadata\.epoch: expected a string, got number$/);
  });
});

describe('parseSafetensors rejects corrupt and lying files with a FormatError', () => {
  const valid = serializeSafetensors(sample(), { format: 'pt' });

  it('every truncation of a valid file', () => {
    for (let len = 0; len < valid.length; len++) {
      const e = parseError(valid.subarray(0, len));
      expect(e, `length ${len}`).toBeInstanceOf(FormatError);
      expect(e.message, `length ${len}`).toMatch(/^\[parseSafetensors\] test\.safetensors: expected /);
    }
  });

  it('trailing bytes after the data', () => {
    const longer = new Uint8Array(valid.length + 3);
    longer.set(valid);
    expect(parseError(longer).message).toMatch(/expected a data section of exactly \d+ bytes \(the tensors' total\), got \d+ bytes \(trailing bytes\)$/);
  });

  it('byte flips anywhere either fail with a FormatError or parse to tensors of the declared sizes (never another error)', () => {
    for (let i = 0; i < valid.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = valid.slice();
        bad[i]! ^= mask;
        let result: ReturnType<typeof parseSafetensors> | undefined;
        try {
          result = parseSafetensors(bad, 'flipped');
        } catch (e) {
          expect(e, `byte ${i} ^ ${mask}: ${(e as Error).message}`).toBeInstanceOf(FormatError);
          continue;
        }
        const dataBytes = Object.values(result.tensors).reduce((s, t) => s + t.data.byteLength, 0);
        const n = Number(new DataView(bad.buffer).getBigUint64(0, true));
        expect(8 + n + dataBytes, `byte ${i}`).toBe(bad.length);
      }
    }
  });

  const cases: { label: string; bytes: () => Uint8Array; message: RegExp }[] = [
    { label: 'fewer than 8 bytes', bytes: () => new Uint8Array(5), message: /expected a safetensors file starting with an 8-byte header length, got 5 byte\(s\)$/ },
    {
      label: 'a header length larger than the file',
      bytes: () => craft({}, 0, 1000n),
      message: /expected a header length that fits the file \(2 bytes after the length field\), got 1000 bytes \(truncated file or lying header\)$/,
    },
    { label: 'a header length over 100 MB (no allocation)', bytes: () => craft({}, 0, BigInt(MAX_HEADER_BYTES + 1)), message: /expected a header length of at most 100000000 bytes, got 100000001 bytes$/ },
    { label: 'a header length of 2^64 − 1', bytes: () => craft({}, 0, 2n ** 64n - 1n), message: /got 18446744073709551615 bytes$/ },
    { label: 'invalid JSON', bytes: () => craft('{"a": ', 0), message: /expected a valid JSON header, got invalid JSON/ },
    { label: 'a JSON array header', bytes: () => craft('[1,2]', 0), message: /expected a JSON object header starting with '\{', got "\[1,2\]"$/ },
    { label: 'invalid UTF-8', bytes: () => craft('{"\xff": 1}', 0).map((b, i) => (i === 10 ? 0xff : b)), message: /expected a UTF-8 JSON header, got bytes that are not valid UTF-8$/ },
    { label: 'an unknown dtype', bytes: () => craft({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, 4), message: /expected tensor "a" dtype one of F32, F64, I32, got unknown dtype "Q7"$/ },
    { label: 'an unsupported dtype (F16)', bytes: () => craft({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4), message: /got unsupported dtype "F16"$/ },
    {
      label: 'a shape not matching the bytes',
      bytes: () => craft({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, 16),
      message: /expected tensor "a" shape \[2,3\] F32 to fill its data_offsets span of 16 bytes, got a shape needing 24 bytes$/,
    },
    {
      label: 'a huge shape (never multiplied out)',
      bytes: () => craft({ a: { dtype: 'F64', shape: [1e9, 1e9, 1e9], data_offsets: [0, 8] } }, 8),
      message: /got a shape needing more than the 8-byte data section$/,
    },
    {
      label: 'offsets beyond the file',
      bytes: () => craft({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8),
      message: /expected tensor "a" data_offsets inside the data section of 8 bytes, got \[0, 16\]$/,
    },
    {
      label: 'overlapping offsets',
      bytes: () => craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
      message: /expected tensor "b" to start at byte 8, right after "a" \[0, 8\), got an overlap: it starts at byte 4, inside "a" \[0, 8\)$/,
    },
    {
      label: 'a hole between tensors',
      bytes: () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12),
      message: /expected tensor "b" to start at byte 4, right after "a" \[0, 4\), got a hole: it starts at byte 8$/,
    },
    {
      label: 'data not starting at 0',
      bytes: () => craft({ a: { dtype: 'I32', shape: [1], data_offsets: [4, 8] } }, 8),
      message: /expected tensor "a" to start at byte 0, right after the start of the data section, got a hole/,
    },
    {
      label: 'negative or fractional offsets',
      bytes: () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, 4),
      message: /expected tensor "a" data_offsets as \[begin, end\] integers with begin ≤ end, got \[-4,0\]$/,
    },
    { label: 'a non-integer shape', bytes: () => craft({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), message: /expected tensor "a" shape as a list of non-negative integers, got \[1\.5\]$/ },
    { label: 'non-string metadata', bytes: () => craft({ __metadata__: { epoch: 3 } }, 0), message: /expected __metadata__ as an object of strings, got \{"epoch":3\}$/ },
    {
      label: 'an extra field in an entry',
      bytes: () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], offset: 9 } }, 4),
      message: /expected tensor "a" with only dtype, shape and data_offsets, got extra field\(s\) offset$/,
    },
  ];
  for (const c of cases) {
    it(c.label, () => {
      const e = parseError(c.bytes());
      expect(e).toBeInstanceOf(FormatError);
      expect(e.message).toMatch(/^\[parseSafetensors\] test\.safetensors: expected /);
      expect(e.message).toMatch(c.message);
    });
  }

  it('a Buffer view into a larger ArrayBuffer parses (offsets are relative to the view)', () => {
    const big = new Uint8Array(valid.length + 16);
    big.set(valid, 16);
    expect(Object.keys(parseSafetensors(big.subarray(16)).tensors)).toHaveLength(5);
  });

  it('rejects a non-buffer argument', () => {
    expect(() => parseSafetensors('abc' as unknown as Uint8Array)).toThrow(/^\[parseSafetensors\] bytes: expected a Uint8Array \(or Buffer\), got string$/);
  });
});
