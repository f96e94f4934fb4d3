// Pictures of training: the accuracy/loss plot (SVG + PNG) and conv filters as a PNG grid.
export { plotHistory, historyToSvg, type PlotHistoryOptions, type PlotFiles } from './plot-history.js';
export { historySpec } from './history-chart.js';
export { svgToPng, type SvgToPngOptions } from './svg-to-png.js';
export { filtersToPng, filterGrid, type FilterGridOptions, type GrayImage } from './filters.js';
export { chartFontFile, CHART_FONT } from './fonts.js';
