import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encode } from 'fast-png';
import { DTypeError, ShapeError, Tensor, ValueError, argError, formatShape } from '@tapegrad/core';

export interface FilterGridOptions {
  /** Filters per row (default 8, as in the book's `filter_show`). */
  columns?: number;
  /** Pixels per filter weight (default 8). */
  scale?: number;
  /** White pixels between and around the filters (default 2). */
  gap?: number;
  /** The input channel drawn when the filters have several (default 0). */
  channel?: number;
  /** 'gray_r' (the book's: large weights dark, default) or 'gray' (large weights light). */
  colormap?: 'gray_r' | 'gray';
}

/** An 8-bit grayscale picture, one byte per pixel, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function positiveInt(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw argError(ValueError, 'filtersToPng', name, `an integer >= ${min}`, String(value));
  }
  return value;
}

/**
 * Lays out conv filters (FN,C,FH,FW) as a grid of gray squares, one per filter, like the book's
 * `filter_show`: each filter is min-max normalised on its own (a constant filter is mid gray).
 * Size: width = columns·FW·scale + (columns+1)·gap, height = rows·FH·scale + (rows+1)·gap,
 * with rows = ceil(FN / columns) and columns = min(columns, FN).
 * @example const img = filterGrid(net.conv1.weight, { columns: 10 }); // img.width, img.height, img.data
 */
export function filterGrid(weight: Tensor, options: FilterGridOptions = {}): GrayImage {
  if (!(weight instanceof Tensor)) throw argError(ValueError, 'filtersToPng', 'weight', 'a Tensor', typeof weight);
  if (weight.ndim !== 4) {
    throw argError(ShapeError, 'filtersToPng', 'weight', '4-D (FN,C,FH,FW)', `shape ${formatShape(weight.shape)}`);
  }
  if (weight.dtype !== 'float32' && weight.dtype !== 'float64') {
    throw argError(DTypeError, 'filtersToPng', 'weight', 'float32 or float64', `dtype ${weight.dtype}`);
  }
  const [fn, c, fh, fw] = weight.shape as [number, number, number, number];
  if (fn * fh * fw === 0) throw argError(ShapeError, 'filtersToPng', 'weight', 'at least one non-empty filter', `shape ${formatShape(weight.shape)}`);
  const columns = Math.min(positiveInt('columns', options.columns ?? 8, 1), fn);
  const scale = positiveInt('scale', options.scale ?? 8, 1);
  const gap = positiveInt('gap', options.gap ?? 2, 0);
  const channel = positiveInt('channel', options.channel ?? 0, 0);
  if (channel >= c) throw argError(ValueError, 'filtersToPng', 'channel', `an index below C=${c} of weight ${formatShape(weight.shape)}`, String(channel));
  const colormap = options.colormap ?? 'gray_r';
  if (colormap !== 'gray_r' && colormap !== 'gray') throw argError(ValueError, 'filtersToPng', 'colormap', "'gray_r' or 'gray'", String(colormap));

  const rows = Math.ceil(fn / columns);
  const width = columns * fw * scale + (columns + 1) * gap;
  const height = rows * fh * scale + (rows + 1) * gap;
  const data = new Uint8Array(width * height).fill(255);
  const src = weight.data;
  const area = fh * fw;
  for (let f = 0; f < fn; f++) {
    const base = (f * c + channel) * area;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < area; i++) {
      const v = src[base + i]!;
      if (!Number.isFinite(v)) throw argError(ValueError, 'filtersToPng', 'weight', 'finite values', `${v} in filter ${f}`);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const x0 = gap + (f % columns) * (fw * scale + gap);
    const y0 = gap + Math.floor(f / columns) * (fh * scale + gap);
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const t = hi > lo ? (src[base + i * fw + j]! - lo) / (hi - lo) : 0.5;
        const g = Math.round(255 * (colormap === 'gray_r' ? 1 - t : t));
        for (let dy = 0; dy < scale; dy++) {
          const row = (y0 + i * scale + dy) * width + x0 + j * scale;
          data.fill(g, row, row + scale);
        }
      }
    }
  }
  return { width, height, data };
}

/**
 * Writes the filters of a conv weight (FN,C,FH,FW) as a grayscale PNG grid (see `filterGrid` for the
 * layout) and returns the image's size. Creates the folder if needed.
 * @example filtersToPng(net.conv1.weight, 'out/filters-after.png', { columns: 10, scale: 8 });
 */
export function filtersToPng(weight: Tensor, file: string, options: FilterGridOptions = {}): { width: number; height: number } {
  if (typeof file !== 'string' || file === '') throw argError(ValueError, 'filtersToPng', 'file', 'a file path', JSON.stringify(file));
  const img = filterGrid(weight, options);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encode({ width: img.width, height: img.height, data: img.data, channels: 1, depth: 8 }));
  return { width: img.width, height: img.height };
}
