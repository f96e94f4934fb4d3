import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { ValueError, argError } from '@tapegrad/core';
import { CHART_FONT, chartFontFile } from './fonts.js';

export interface SvgToPngOptions {
  /** Pixels per SVG unit (default 2, for a sharp picture). */
  scale?: number;
  /** Background colour behind transparent parts (default white). */
  background?: string;
}

/** resvg (a native addon) is loaded on first use, not by every program that imports @tapegrad/nn. */
let resvgClass: typeof ResvgClass | null = null;
function loadResvg(): typeof ResvgClass {
  resvgClass ??= (createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;
  return resvgClass;
}

/**
 * Rasterises an SVG string to PNG bytes with resvg, using only the bundled DejaVu Sans font.
 * The PNG is `scale` times the SVG's width and height.
 * @example writeFileSync('chart.png', svgToPng(svg, { scale: 2 }));
 */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Uint8Array {
  const { scale = 2, background = 'white' } = options;
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) {
    throw argError(ValueError, 'svgToPng', 'scale', 'a positive finite number', String(scale));
  }
  const Resvg = loadResvg();
  const resvg = new Resvg(svg, {
    background,
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}
