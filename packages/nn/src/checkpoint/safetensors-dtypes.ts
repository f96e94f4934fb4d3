import type { DType, TypedArray } from '@tapegrad/core';

/** The safetensors dtype names tapegrad reads and writes, with their element sizes. */
export const SAFETENSORS_DTYPES = {
  F32: { dtype: 'float32', bytes: 4 },
  F64: { dtype: 'float64', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
} as const satisfies Record<string, { dtype: DType; bytes: number }>;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** Other dtypes of the format, named in errors as "not supported" rather than "unknown". */
export const OTHER_KNOWN_DTYPES: readonly string[] = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2', 'C64'];

export function safetensorsDTypeOf(dtype: DType): SafetensorsDType {
  return dtype === 'float32' ? 'F32' : dtype === 'float64' ? 'F64' : 'I32';
}

export function isSupportedDType(name: unknown): name is SafetensorsDType {
  return typeof name === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, name);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads `count` little-endian elements from `bytes` into a new, aligned typed array. */
export function readElements(dtype: SafetensorsDType, bytes: Uint8Array, count: number): TypedArray {
  const out = dtype === 'F32' ? new Float32Array(count) : dtype === 'F64' ? new Float64Array(count) : new Int32Array(count);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    out[i] = dtype === 'F32' ? view.getFloat32(4 * i, true) : dtype === 'F64' ? view.getFloat64(8 * i, true) : view.getInt32(4 * i, true);
  }
  return out;
}

/** Writes a typed array's elements little-endian into `target` (exactly its byte length). */
export function writeElements(data: TypedArray, target: Uint8Array): void {
  if (littleEndian) {
    target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i]!, true);
    else if (data instanceof Float64Array) view.setFloat64(8 * i, data[i]!, true);
    else view.setInt32(4 * i, data[i]!, true);
  }
}
