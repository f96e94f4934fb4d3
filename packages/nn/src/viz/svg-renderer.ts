import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

/** The worker entry: plain JavaScript beside src and dist (this file is src/viz or dist/viz). */
const WORKER_URL = new URL('../../viz-worker/render-svg.mjs', import.meta.url);

/**
 * Renders a vega-lite spec to SVG in a worker thread of its own, which ends with the call. vega and
 * vega-lite never load into the calling thread: there, their ~30 MiB of long-lived objects slowed
 * every later garbage collection of a training loop, and a worker kept between plots did the same
 * with its own collections (SimpleConvNet steps of 12-13 ms drifted to 15-17 ms over 20 epochs). A
 * fresh worker costs ~0.25 s per plot (start and loading vega), outside the training steps.
 * @example const svg = await renderSvg(historySpec(history));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // a small young generation: the render's garbage is short-lived, and the worker's heap is resident memory
  const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  try {
    return await new Promise<string>((resolve, reject) => {
      worker.once('message', ({ svg, error }: { svg?: string; error?: string }) => {
        if (error !== undefined) reject(new Error(`[plotHistory] rendering failed: ${error}`));
        else resolve(svg!);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`[plotHistory] the render worker exited (code ${code}) before replying`)));
      worker.postMessage({ spec });
    });
  } finally {
    await worker.terminate();
  }
}
