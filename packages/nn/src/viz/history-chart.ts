import type { TopLevelSpec } from 'vega-lite';
import type { History } from '../train/history.js';
import { CHART_FONT } from './fonts.js';

/** Loss curves longer than this are averaged in equal buckets: a plot cannot show more points anyway. */
const MAX_LOSS_POINTS = 2000;

interface LossPoint {
  epoch: number;
  loss: number;
}

/** Batch losses placed on a fractional epoch axis (batch i of epoch e at e - 1 + (i + 1) / batches). */
function lossPoints(history: History): LossPoint[] {
  const points: LossPoint[] = [];
  let k = 0;
  for (const { epoch, batches } of history.epochs) {
    for (let i = 0; i < batches; i++) points.push({ epoch: epoch - 1 + (i + 1) / batches, loss: history.batchLoss[k++]! });
  }
  if (points.length <= MAX_LOSS_POINTS) return points;
  const bucket = Math.ceil(points.length / MAX_LOSS_POINTS);
  const out: LossPoint[] = [];
  for (let s = 0; s < points.length; s += bucket) {
    const slice = points.slice(s, s + bucket);
    out.push({ epoch: slice[slice.length - 1]!.epoch, loss: slice.reduce((a, p) => a + p.loss, 0) / slice.length });
  }
  return out;
}

/**
 * The vega-lite spec of the training plot: train and test accuracy per epoch on top, the batch loss
 * (and its per-epoch mean) below, both against the epoch. Text uses the bundled DejaVu Sans.
 * @example const spec = historySpec(trainer.history); // then vega-lite compile + vega View
 */
export function historySpec(history: History, options: { title?: string } = {}): TopLevelSpec {
  const accuracy = history.epochs.flatMap((r) => [
    { epoch: r.epoch, split: 'train', accuracy: r.trainAccuracy },
    { epoch: r.epoch, split: 'test', accuracy: r.testAccuracy },
  ]);
  const epochMeans = history.epochs.map((r) => ({ epoch: r.epoch, loss: r.loss }));
  // Both charts share the x range [0, last epoch]: the loss curve starts at the first batch.
  const last = history.epochs.length > 0 ? history.epochs[history.epochs.length - 1]!.epoch : 1;
  const epochAxis = () => ({ field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 }, scale: { domain: [0, last] } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    vconcat: [
      {
        width: 480,
        height: 220,
        data: { values: accuracy },
        mark: { type: 'line', point: true },
        encoding: {
          x: epochAxis(),
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
          color: { field: 'split', type: 'nominal', title: 'accuracy', sort: ['train', 'test'] },
        },
      },
      {
        width: 480,
        height: 160,
        title: { text: 'loss: every batch (grey), epoch mean (red)', fontSize: 11, fontWeight: 'normal', anchor: 'start' },
        layer: [
          {
            data: { values: lossPoints(history) },
            mark: { type: 'line', strokeWidth: 1, opacity: 0.5, color: '#888888' },
            encoding: { x: epochAxis(), y: { field: 'loss', type: 'quantitative', title: 'loss' } },
          },
          {
            data: { values: epochMeans },
            mark: { type: 'line', point: { color: '#d62728' }, color: '#d62728' },
            encoding: { x: epochAxis(), y: { field: 'loss', type: 'quantitative', title: 'loss' } },
          },
        ],
      },
    ],
    config: { font: CHART_FONT, background: 'white' },
  };
}
