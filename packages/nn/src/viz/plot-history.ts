import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValueError, argError } from '@tapegrad/core';
import type { History } from '../train/history.js';
import { historySpec } from './history-chart.js';
import { renderSvg } from './svg-renderer.js';
import { svgToPng } from './svg-to-png.js';

export interface PlotHistoryOptions {
  /** A title above the charts. */
  title?: string;
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
}

/** Where `plotHistory` wrote its two pictures. */
export interface PlotFiles {
  svg: string;
  png: string;
}

/**
 * Renders the history chart to an SVG string: vega-lite compiles the spec, a headless vega View
 * (renderer 'none', so no canvas is needed) draws it, both in a worker thread (svg-renderer.ts).
 * @example const svg = await historyToSvg(trainer.history);
 */
export async function historyToSvg(history: History, options: PlotHistoryOptions = {}): Promise<string> {
  return renderSvg(historySpec(history, options.title !== undefined ? { title: options.title } : {}));
}

/**
 * Writes the accuracy (train/test per epoch) and loss plot as `<file>.svg` and `<file>.png`; a `.svg`
 * or `.png` extension on `file` is replaced. Creates the folder if needed.
 * @example await plotHistory(trainer.history, 'out/simple-convnet/accuracy'); // accuracy.svg + accuracy.png
 */
export async function plotHistory(history: History, file: string, options: PlotHistoryOptions = {}): Promise<PlotFiles> {
  if (history === null || typeof history !== 'object' || !Array.isArray(history.epochs)) {
    throw argError(ValueError, 'plotHistory', 'history', '{ epochs, batchLoss } from a Trainer', String(history));
  }
  if (typeof file !== 'string' || file === '') throw argError(ValueError, 'plotHistory', 'file', 'a file path', JSON.stringify(file));
  const base = file.replace(/\.(svg|png)$/i, '');
  const svg = await historyToSvg(history, options);
  const files = { svg: `${base}.svg`, png: `${base}.png` };
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(files.svg, svg);
  writeFileSync(files.png, svgToPng(svg, options.scale !== undefined ? { scale: options.scale } : {}));
  return files;
}
