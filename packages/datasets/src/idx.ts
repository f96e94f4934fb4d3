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

/** An IDX header checked against the size of the whole file (see `readIdxHeader`). */
export interface IdxHeader {
  dims: number[];
  /** Bytes before the first value: 4 + 4 * dims.length. */
  headerLength: number;
}

/** The longest possible IDX header (255 dimensions): reading this many bytes always covers it. */
export const IDX_MAX_HEADER = 4 + 4 * 255;

/**
 * Parses and checks an IDX header without the values: `head` holds the file's first bytes (at least
 * its header, or the whole file when that is shorter — `IDX_MAX_HEADER` bytes always suffice) and
 * `fileBytes` is the size of the whole file, which must be exactly header + product(dims). The same
 * rules and FormatErrors as `readIdx`, so a file can be checked before any of its values are read.
 * @example const { dims, headerLength } = readIdxHeader(firstBytes, fstatSync(fd).size, 'train-images');
 */
export function readIdxHeader(head: Uint8Array, fileBytes: number, name = '<bytes>'): IdxHeader {
  const fail = (expected: string, got: string) => argError(FormatError, 'readIdx', name, expected, got);

  if (fileBytes < 4) {
    throw fail('an IDX file starting with a 4-byte magic number', `${fileBytes} byte(s)`);
  }
  if (head.length < 4) {
    throw argError(ValueError, 'readIdx', 'head', "the file's first 4 bytes at least", `${head.length} byte(s)`);
  }
  if (head[0] !== 0 || head[1] !== 0) {
    throw fail('an IDX magic number starting with two zero bytes', `first bytes ${hex(head[0]!)} ${hex(head[1]!)}`);
  }
  const type = head[2]!;
  if (type !== UBYTE) {
    const known = IDX_TYPES[type];
    throw fail(`IDX type byte ${hex(UBYTE)} (unsigned byte)`, known ? `${hex(type)} (${known}, not supported)` : `${hex(type)} (not an IDX type)`);
  }
  const ndim = head[3]!;
  if (ndim === 0) {
    throw fail('at least one dimension in the IDX magic number', '0 dimensions');
  }
  const headerLength = 4 + 4 * ndim;
  if (fileBytes < headerLength) {
    throw fail(`a ${headerLength}-byte header (magic ${hex(0x0800 + ndim, 8)} declares ${ndim} dimension(s))`, `${fileBytes} byte(s)`);
  }
  if (head.length < headerLength) {
    throw argError(ValueError, 'readIdx', 'head', `the file's first ${headerLength} bytes (its header)`, `${head.length} byte(s)`);
  }

  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  // BigInt so that a header claiming, say, 2^32 x 2^32 x 2^32 values is compared exactly, never rounded.
  let count = 1n;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= BigInt(d);
  }
  const expected = BigInt(headerLength) + count;
  const got = BigInt(fileBytes);
  if (got !== expected) {
    const what = got < expected ? 'truncated' : 'trailing bytes';
    throw fail(
      `exactly ${expected} bytes (${headerLength}-byte header + ${count} values for dims [${dims.join(',')}])`,
      `${fileBytes} bytes (${what})`,
    );
  }
  return { dims, headerLength };
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
  const { dims, headerLength } = readIdxHeader(bytes, bytes.length, name);
  return { dims, data: bytes.subarray(headerLength) };
}
