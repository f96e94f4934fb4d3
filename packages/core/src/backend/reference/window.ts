import type { FloatArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

// TODO(conv helper): cache-friendly loops; these placeholders throw until implemented.
export function im2col(_x: FloatArray, _g: WindowGeometry, _out: FloatArray): void {
  throw new Error('im2col: not implemented');
}
export function col2im(_col: FloatArray, _g: WindowGeometry, _out: FloatArray): void {
  throw new Error('col2im: not implemented');
}
export function maxPool2d(_x: FloatArray, _g: WindowGeometry, _out: FloatArray, _arg: Int32Array): void {
  throw new Error('maxPool2d: not implemented');
}
export function avgPool2d(_x: FloatArray, _g: WindowGeometry, _cip: boolean, _out: FloatArray): void {
  throw new Error('avgPool2d: not implemented');
}
export function avgPool2dBackward(_grad: FloatArray, _g: WindowGeometry, _cip: boolean, _out: FloatArray): void {
  throw new Error('avgPool2dBackward: not implemented');
}
