import { Tensor, ValueError, argError } from '@tapegrad/core';
import { SAFETENSORS_DTYPES, readElements, safetensorsDTypeOf, writeElements } from './safetensors-dtypes.js';
import { parseHeader } from './safetensors-header.js';

/** What a safetensors file holds: tensors by name and a string-to-string metadata map. */
export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function checkMetadata(op: string, metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw argError(ValueError, op, 'metadata', 'an object of strings', String(metadata));
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw argError(ValueError, op, `metadata.${k}`, 'a string', typeof v);
  }
  return metadata as Record<string, string>;
}

/**
 * Encodes tensors in the safetensors format: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets }, __metadata__ }` padded with spaces to a multiple of 8 bytes,
 * then each tensor's raw little-endian bytes, contiguous, in the order given.
 * @example const bytes = serializeSafetensors(model.stateDict(), { epoch: '3' });
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const op = 'serializeSafetensors';
  if (typeof tensors !== 'object' || tensors === null) throw argError(ValueError, op, 'tensors', 'an object of tensors by name', String(tensors));
  const meta = checkMetadata(op, metadata);
  const header: Record<string, unknown> = {};
  if (Object.keys(meta).length > 0) header.__metadata__ = meta;
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '' || name === '__metadata__') throw argError(ValueError, op, 'tensors', 'names other than "" and "__metadata__"', JSON.stringify(name));
    if (!(t instanceof Tensor)) throw argError(ValueError, op, `tensors["${name}"]`, 'a Tensor', t === null ? 'null' : typeof t);
    const dtype = safetensorsDTypeOf(t.dtype);
    const size = t.size * SAFETENSORS_DTYPES[dtype].bytes;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let position = 8 + json.length;
  for (const [, t] of entries) {
    writeElements(t.data, out.subarray(position, position + t.data.byteLength));
    position += t.data.byteLength;
  }
  return out;
}

/**
 * Decodes and fully validates a safetensors buffer (see `parseHeader` for the checks); `name` (a file
 * name) appears in error messages. Tensors get their own aligned copies of the data.
 * @example const { tensors, metadata } = parseSafetensors(readFileSync('model.safetensors'), 'model.safetensors');
 */
export function parseSafetensors(bytes: Uint8Array, name = '<bytes>'): Safetensors {
  if (!(bytes instanceof Uint8Array)) {
    throw argError(ValueError, 'parseSafetensors', 'bytes', 'a Uint8Array (or Buffer)', bytes === null ? 'null' : typeof bytes);
  }
  const { entries, metadata, dataStart } = parseHeader(bytes, name);
  const tensors: Record<string, Tensor> = {};
  // in file order (by offset), which for files written here is the order the tensors were given
  for (const e of entries) {
    const count = (e.end - e.begin) / SAFETENSORS_DTYPES[e.dtype].bytes;
    const data = readElements(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end), count);
    tensors[e.name] = new Tensor(data, e.shape, SAFETENSORS_DTYPES[e.dtype].dtype);
  }
  return { tensors, metadata };
}
