import { FormatError, ValueError, argError } from '@tapegrad/core';

/** A parsed IDX file: its dimensions and its raw unsigned bytes, row-major. */
export interface IdxFile {
  dims: number[];
  /** A view into the input buffer (no copy); `data.length === product(dims)`. */
  data: Uint8Array;
}

/** IDX element types by their type byte; only unsigned bytes (0x08) are read, the others are named in errors. */
const IDX_TYPES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const UBYTE = 0x08;

function hex(byte: number, width = 2): string {
  return `0x${byte.toString(16).padStart(width, '0')}`;
}

/**
 * Parses an IDX file (the format MNIST ships in): two zero bytes, a type byte, a dimension count, one
 * big-endian uint32 per dimension, then the values. Only unsigned-byte files (magic 0x00000801 for
 * labels, 0x00000803 for images) are accepted. The buffer must be exactly header + product(dims) bytes:
 * a truncated file, trailing bytes or a header that does not match the size are FormatErrors naming
 * `name`. Nothing is allocated from the header's claims; the data returned is a view of `bytes`.
 * @example const { dims, data } = readIdx(fs.readFileSync('train-labels-idx1-ubyte'), 'train-labels'); // dims [60000]
 */
export function readIdx(bytes: Uint8Array, name = '<bytes>'): IdxFile {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name ?? 'object' : typeof bytes;
    throw argError(ValueError, 'readIdx', 'bytes', 'a Uint8Array (or Buffer)', got);
  }
  const fail = (expected: string, got: string) => argError(FormatError, 'readIdx', name, expected, got);

  if (bytes.length < 4) {
    throw fail('an IDX file starting with a 4-byte magic number', `${bytes.length} byte(s)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail('an IDX magic number starting with two zero bytes', `first bytes ${hex(bytes[0]!)} ${hex(bytes[1]!)}`);
  }
  const type = bytes[2]!;
  if (type !== UBYTE) {
    const known = IDX_TYPES[type];
    throw fail(`IDX type byte ${hex(UBYTE)} (unsigned byte)`, known ? `${hex(type)} (${known}, not supported)` : `${hex(type)} (not an IDX type)`);
  }
  const ndim = bytes[3]!;
  if (ndim === 0) {
    throw fail('at least one dimension in the IDX magic number', '0 dimensions');
  }
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    throw fail(`a ${headerLength}-byte header (magic ${hex(0x0800 + ndim, 8)} declares ${ndim} dimension(s))`, `${bytes.length} byte(s)`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  // BigInt so that a header claiming, say, 2^32 x 2^32 x 2^32 values is compared exactly, never rounded.
  let count = 1n;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= BigInt(d);
  }
  const expected = BigInt(headerLength) + count;
  const got = BigInt(bytes.length);
  if (got !== expected) {
    const what = got < expected ? 'truncated' : 'trailing bytes';
    throw fail(
      `exactly ${expected} bytes (${headerLength}-byte header + ${count} values for dims [${dims.join(',')}])`,
      `${bytes.length} bytes (${what})`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}
