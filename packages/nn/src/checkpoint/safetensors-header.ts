import { FormatError, argError } from '@tapegrad/core';
import { OTHER_KNOWN_DTYPES, SAFETENSORS_DTYPES, type SafetensorsDType, isSupportedDType } from './safetensors-dtypes.js';

/** The largest header accepted (as the reference implementation): a lying length cannot make us allocate more. */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's entry in a validated header; offsets are relative to the start of the data section. */
export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

export interface ParsedHeader {
  /** Entries in file order (sorted by offset). */
  readonly entries: HeaderEntry[];
  readonly metadata: Record<string, string>;
  /** Byte offset of the data section in the file: 8 + header length. */
  readonly dataStart: number;
}

const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/**
 * Reads and validates the 8-byte length and the JSON header of a safetensors buffer: the length fits the
 * file and the 100 MB cap, the header is UTF-8 JSON of an object, every entry has a supported dtype, a
 * shape of non-negative integers whose byte count equals its data_offsets span, and the spans tile the
 * data section exactly — contiguous from 0, no holes, no overlaps, ending at the end of the file. Every
 * failure is a FormatError naming `name` and what was wrong; nothing is allocated from the header's claims.
 */
export function parseHeader(bytes: Uint8Array, name: string): ParsedHeader {
  const fail = (expected: string, got: string) => argError(FormatError, 'parseSafetensors', name, expected, got);
  if (bytes.length < 8) throw fail('a safetensors file starting with an 8-byte header length', `${bytes.length} byte(s)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw fail(`a header length of at most ${MAX_HEADER_BYTES} bytes`, `${declared} bytes`);
  const headerLength = Number(declared);
  if (headerLength > bytes.length - 8) {
    throw fail(`a header length that fits the file (${bytes.length - 8} bytes after the length field)`, `${headerLength} bytes (truncated file or lying header)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail('a UTF-8 JSON header', 'bytes that are not valid UTF-8');
  }
  if (!text.startsWith('{')) throw fail("a JSON object header starting with '{'", show(text.slice(0, 20)));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail('a valid JSON header', `invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw fail('a JSON object header', show(header));

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  const dataLength = bytes.length - 8 - headerLength;
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw fail('__metadata__ as an object of strings', show(value));
      }
      metadata = value as Record<string, string>;
      continue;
    }
    entries.push(parseEntry(key, value, dataLength, fail));
  }

  // The spans must tile [0, dataLength): sorted by offset, each starts where the previous ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  let previous = 'the start of the data section';
  for (const e of entries) {
    if (e.begin !== position) {
      const what = e.begin > position ? `a hole: it starts at byte ${e.begin}` : `an overlap: it starts at byte ${e.begin}, inside ${previous}`;
      throw fail(`tensor "${e.name}" to start at byte ${position}, right after ${previous}`, what);
    }
    position = e.end;
    previous = `"${e.name}" [${e.begin}, ${e.end})`;
  }
  if (position !== dataLength) {
    throw fail(`a data section of exactly ${position} bytes (the tensors' total)`, `${dataLength} bytes (${dataLength > position ? 'trailing bytes' : 'truncated'})`);
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

function parseEntry(key: string, value: unknown, dataLength: number, fail: (expected: string, got: string) => Error): HeaderEntry {
  const where = `tensor "${key}"`;
  if (key === '') throw fail('non-empty tensor names', 'an empty name');
  if (!isObject(value)) throw fail(`${where} as an object { dtype, shape, data_offsets }`, show(value));
  const extra = Object.keys(value).filter((k) => !ENTRY_FIELDS.has(k));
  if (extra.length > 0) throw fail(`${where} with only dtype, shape and data_offsets`, `extra field(s) ${extra.join(', ')}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSupportedDType(dtype)) {
    const kind = typeof dtype === 'string' && OTHER_KNOWN_DTYPES.includes(dtype) ? 'unsupported' : 'unknown';
    throw fail(`${where} dtype one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`, `${kind} dtype ${show(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) throw fail(`${where} shape as a list of non-negative integers`, show(shape));
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    throw fail(`${where} data_offsets as [begin, end] integers with begin ≤ end`, show(offsets));
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) throw fail(`${where} data_offsets inside the data section of ${dataLength} bytes`, `[${begin}, ${end}]`);
  // Element count as a double: a lying shape like [1e9, 1e9, 1e9] only makes a large number, never an allocation.
  const itemBytes = SAFETENSORS_DTYPES[dtype].bytes;
  const bytesNeeded = shape.reduce((p, d) => p * d, 1) * itemBytes;
  if (bytesNeeded !== end - begin) {
    const needed = Number.isSafeInteger(bytesNeeded) ? `${bytesNeeded} bytes` : `more than the ${dataLength}-byte data section`;
    throw fail(`${where} shape [${shape.join(',')}] ${dtype} to fill its data_offsets span of ${end - begin} bytes`, `a shape needing ${needed}`);
  }
  return { name: key, dtype, shape: [...shape], begin, end };
}
