import type { Backend } from '../backend.js';

export interface InstallOptions {
  /** Creates the fast backend; throws when it cannot load. */
  create: () => Backend;
  register: (backend: Backend) => void;
  activate: (name: string) => void;
  /** TAPEGRAD_BACKEND: 'reference' keeps the reference active. */
  env: string | undefined;
  /** Where the one-line notice goes when the fast backend cannot load. */
  warn: (message: string) => void;
}

/**
 * Registers the wasm backend and makes it the active one, unless TAPEGRAD_BACKEND=reference. When it
 * cannot load (not built, no WebAssembly SIMD or shared memory), the reference stays active and a
 * single notice says why. Returns the backend, or null when it did not load.
 */
export function installWasmBackend(o: InstallOptions): Backend | null {
  let backend: Backend;
  try {
    backend = o.create();
  } catch (e) {
    if (o.env !== 'reference') {
      const why = e instanceof Error ? e.message : String(e);
      o.warn(`tapegrad: the fast WebAssembly backend could not load (${why}); using the reference backend\n`);
    }
    return null;
  }
  o.register(backend);
  if (o.env !== 'reference') o.activate(backend.name);
  return backend;
}
