import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The family name charts ask for; it is the font shipped by the `dejavu-fonts-ttf` package. */
export const CHART_FONT = 'DejaVu Sans';

let cached: string | undefined;

/**
 * Absolute path of DejaVuSans.ttf from the `dejavu-fonts-ttf` dependency. The PNG renderer loads only
 * this file (no system fonts), so labels look the same on every machine, fonts installed or not.
 * @example new Resvg(svg, { font: { fontFiles: [chartFontFile()], loadSystemFonts: false } })
 */
export function chartFontFile(): string {
  cached ??= require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  return cached;
}
