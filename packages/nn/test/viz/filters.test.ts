import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { tensor, ShapeError, ValueError } from '@tapegrad/core';
import { filterGrid, filtersToPng } from '@tapegrad/nn';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-filters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** FN filters of 1×FH×FW whose values are f*100 + position (distinct, increasing along the row). */
function ramp(fn: number, c: number, fh: number, fw: number) {
  const data = Array.from({ length: fn * c * fh * fw }, (_, i) => (i % (fh * fw)) + Math.floor(i / (fh * fw)) * 100);
  return tensor(data, [fn, c, fh, fw]);
}

describe('filtersToPng', () => {
  it('writes a decodable grayscale PNG of the documented size', () => {
    const file = join(dir, 'a', 'filters.png');
    // 30 filters, 8 columns -> 4 rows; 5x5 filters at scale 3 with gap 2.
    const size = filtersToPng(ramp(30, 1, 5, 5), file, { scale: 3 });
    const png = decode(readFileSync(file));
    expect([png.width, png.height]).toEqual([8 * 15 + 9 * 2, 4 * 15 + 5 * 2]);
    expect(size).toEqual({ width: png.width, height: png.height });
    expect(png.channels).toBe(1);
    expect(png.depth).toBe(8);
  });

  it('min-max normalises each filter on its own, large weights dark (gray_r)', () => {
    // Two 1x2 filters with very different ranges: each still spans white..black.
    const w = tensor([0, 1, -500, 500], [2, 1, 1, 2]);
    const img = filterGrid(w, { columns: 2, scale: 1, gap: 1 });
    expect([img.width, img.height]).toEqual([2 * 2 + 3, 1 + 2]);
    const row = Array.from(img.data.subarray(img.width, 2 * img.width));
    expect(row).toEqual([255, 255, 0, 255, 255, 0, 255]);
    const gray = filterGrid(w, { columns: 2, scale: 1, gap: 1, colormap: 'gray' });
    expect(Array.from(gray.data.subarray(gray.width, 2 * gray.width))).toEqual([255, 0, 255, 255, 0, 255, 255]);
    // The frame rows are background.
    expect(Array.from(img.data.subarray(0, img.width)).every((v) => v === 255)).toBe(true);
  });

  it('scales each weight to a scale×scale block, draws a constant filter mid gray, picks the channel', () => {
    const w = tensor([3, 3, 3, 3, 1, 2, 3, 4], [1, 2, 2, 2]);
    const c0 = filterGrid(w, { scale: 2, gap: 0 });
    expect(Array.from(c0.data)).toEqual(new Array(16).fill(128));
    const c1 = filterGrid(w, { scale: 2, gap: 0, channel: 1 });
    expect(Array.from(c1.data.subarray(0, 4))).toEqual([255, 255, 170, 170]);
    expect(Array.from(c1.data.subarray(8, 12))).toEqual([85, 85, 0, 0]);
  });

  it('rejects what it cannot draw', () => {
    expect(() => filterGrid(tensor([1, 2], [1, 2]))).toThrow(ShapeError);
    expect(() => filterGrid(tensor([1, 2], [1, 2]))).toThrow('[filtersToPng] weight: expected 4-D (FN,C,FH,FW), got shape [1,2]');
    expect(() => filterGrid(ramp(2, 1, 2, 2), { channel: 1 })).toThrow(ValueError);
    expect(() => filterGrid(ramp(2, 1, 2, 2), { columns: 0 })).toThrow('[filtersToPng] columns: expected an integer >= 1, got 0');
    expect(() => filterGrid(tensor([NaN, 1, 2, 3], [1, 1, 2, 2]))).toThrow(/finite values/);
  });
});
