import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';
import { ValueError, argError } from '../errors.js';
import { createWasmBackend } from './wasm/index.js';
import { installWasmBackend } from './wasm/install.js';
import { setResidentMemory } from '../memory/array-pool.js';

export type { AdamStep, Backend, BinaryOp, ResidentMemory, UnaryOp, WindowGeometry } from './backend.js';
export { referenceBackend };

const backends = new Map<string, Backend>([['reference', referenceBackend]]);
let active: Backend = referenceBackend;

/** The backend every op dispatches to. */
export function getBackend(): Backend {
  return active;
}

/** Makes a backend available to `setBackend` by name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/**
 * Selects the backend by name (`'reference'` is always there) or by object.
 * @example setBackend('reference') // the plain TypeScript oracle
 */
export function setBackend(backend: string | Backend): void {
  if (typeof backend !== 'string') {
    registerBackend(backend);
    activate(backend);
    return;
  }
  const found = backends.get(backend);
  if (!found) {
    throw argError(ValueError, 'setBackend', 'name', `one of ${[...backends.keys()].join(', ')}`, backend);
  }
  activate(found);
}

function activate(backend: Backend): void {
  active = backend;
  // the array pool places arrays with known lifetimes in the backend's own memory, where it has one
  setResidentMemory(backend.resident ?? null);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

// The fast float32 backend is the default wherever it loads; TAPEGRAD_BACKEND=reference keeps the reference.
installWasmBackend({
  create: () => createWasmBackend(),
  register: registerBackend,
  activate: setBackend,
  env: process.env['TAPEGRAD_BACKEND'],
  warn: (message) => process.stderr.write(message),
});
