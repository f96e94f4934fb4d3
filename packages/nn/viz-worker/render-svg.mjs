// Renders one vega-lite spec to SVG in a worker thread (see src/viz/svg-renderer.ts). Plain JavaScript
// so that the same file serves src (tests) and dist. vega and vega-lite live in this thread's own heap:
// loaded into the training thread, their ~30 MiB of long-lived objects made every garbage collection
// there slower, and V8's parallel GC threads then competed with the kernels' worker threads for the
// two cores (measured: SimpleConvNet steps of 13 ms became 17-19 ms after the first plot).
import { parentPort } from 'node:worker_threads';

async function render(vlSpec) {
  const [{ compile }, { View, parse }] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new View(parse(compile(vlSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

parentPort.once('message', async ({ spec }) => {
  try {
    parentPort.postMessage({ svg: await render(spec) });
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
