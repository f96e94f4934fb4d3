import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { appendEpoch, emptyHistory, historyToSvg, plotHistory, svgToPng, type History } from '@tapegrad/nn';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sampleHistory(epochs: number, batches: number): History {
  let h = emptyHistory();
  for (let e = 1; e <= epochs; e++) {
    const losses = Array.from({ length: batches }, (_, i) => 2 / (e + i / batches));
    h = appendEpoch(h, { epoch: e, trainAccuracy: 0.5 + 0.1 * e, testAccuracy: 0.45 + 0.1 * e, loss: losses.reduce((a, b) => a + b) / batches, batches }, losses);
  }
  return h;
}

/** Count of pixels darker than `threshold` (any channel) in a rectangle of an RGBA/RGB/gray image. */
function darkPixels(png: ReturnType<typeof decode>, x0: number, y0: number, x1: number, y1: number, threshold = 160): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * png.width + x) * png.channels;
      let dark = false;
      for (let ch = 0; ch < Math.min(3, png.channels); ch++) if (png.data[p + ch]! < threshold) dark = true;
      if (dark) n++;
    }
  }
  return n;
}

function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  expect(m).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

describe('plotHistory', () => {
  it('writes an SVG with the axis titles and a PNG of scale × its size', async () => {
    const files = await plotHistory(sampleHistory(4, 5), join(dir, 'sub', 'accuracy.png'), { scale: 2 });
    expect(files).toEqual({ svg: join(dir, 'sub', 'accuracy.svg'), png: join(dir, 'sub', 'accuracy.png') });
    const svg = readFileSync(files.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const title of ['>epoch<', '>accuracy<', '>loss<', '>train<', '>test<']) expect(svg).toContain(title);
    expect(svg).toContain('DejaVu Sans');
    const [w, h] = svgSize(svg);
    const png = decode(readFileSync(files.png));
    expect(png.width).toBe(Math.round(w * 2));
    expect(png.height).toBe(Math.round(h * 2));
  });

  it('renders the labels in the PNG: the y-axis titles left of the axes are drawn', async () => {
    const svg = await historyToSvg(sampleHistory(3, 2));
    const png = decode(svgToPng(svg, { scale: 1 }));
    // The frame starts right of the tick labels; the strip at the far left holds only the rotated
    // axis titles ("accuracy", "loss"), so dark pixels there mean the font was found and used.
    const strip = darkPixels(png, 0, 0, 14, png.height);
    expect(strip).toBeGreaterThan(30);
    // And the corners below the last chart's x-axis title stay background.
    expect(darkPixels(png, png.width - 5, png.height - 5, png.width, png.height)).toBe(0);
  });

  it('renders text with the bundled font and without system fonts', () => {
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="28" font-family="DejaVu Sans" font-size="24" fill="black">epoch</text></svg>';
    const empty = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"></svg>';
    const withText = decode(svgToPng(text, { scale: 1 }));
    expect([withText.width, withText.height]).toEqual([120, 40]);
    expect(darkPixels(withText, 0, 0, 120, 40)).toBeGreaterThan(100);
    expect(darkPixels(decode(svgToPng(empty, { scale: 1 })), 0, 0, 120, 40)).toBe(0);
  });

  it('keeps long loss curves plottable and rejects bad input', async () => {
    const svg = await historyToSvg(sampleHistory(2, 3000));
    expect(svg.length).toBeLessThan(400_000);
    await expect(plotHistory(null as unknown as History, join(dir, 'x'))).rejects.toThrow(/\[plotHistory\] history: expected/);
    await expect(plotHistory(sampleHistory(1, 1), '')).rejects.toThrow(/\[plotHistory\] file: expected a file path/);
    expect(() => svgToPng(svg, { scale: 0 })).toThrow(/\[svgToPng\] scale: expected a positive finite number, got 0/);
  });
});
