import fc from 'fast-check';
import { type DType, Tensor, tensor } from '@tapegrad/core';
import { Conv2d, LeNet5, Linear, type Module, ReLU, Sequential, SimpleConvNet, type StateDict } from '@tapegrad/nn';
import { junkArb } from './core-fuzz.js';

/*
 * What the loadStateDict and functionalCall fuzzing share: small models of each kind (with an input each
 * accepts) and random edits of a valid state dict — keys dropped, renamed (a `module.` prefix, a typo,
 * another layer's name), added, reshaped, recast or replaced by junk.
 */

/** Small models of each kind; `seed` gives other weights of the same architecture. */
export const MODELS: Record<string, (seed: number) => Module> = {
  linear: (seed) => new Linear(3, 2, { seed }),
  conv: (seed) => new Conv2d(2, 3, 2, { seed, dtype: 'float64' }),
  mlp: (seed) => new Sequential(new Linear(4, 3, { seed }), new ReLU(), new Sequential(new Linear(3, 2, { seed: seed + 1 }), new ReLU())),
  simpleConvNet: (seed) => new SimpleConvNet({ inputDim: [1, 6, 6], conv: { filterNum: 2, filterSize: 3 }, hiddenSize: 4, outputSize: 3, seed }),
  lenet: (seed) => new LeNet5({ inputShape: [1, 12, 12], numClasses: 3, seed }),
};

export type Edit =
  | { kind: 'drop'; key: number }
  | { kind: 'rename'; key: number; how: 'prefix' | 'typo' | 'swap' }
  | { kind: 'add'; name: string }
  | { kind: 'reshape'; key: number; sameSize: boolean }
  | { kind: 'recast'; key: number; dtype: DType }
  | { kind: 'junk'; key: number; value: unknown };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), key: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), key: fc.nat(), how: fc.constantFrom('prefix' as const, 'typo' as const, 'swap' as const) }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('extra', 'fc9.weight', 'num_batches_tracked', 'conv1.weight.orig') }),
  fc.record({ kind: fc.constant('reshape' as const), key: fc.nat(), sameSize: fc.boolean() }),
  fc.record({ kind: fc.constant('recast' as const), key: fc.nat(), dtype: fc.constantFrom<DType>('float32', 'float64', 'int32') }),
  fc.record({ kind: fc.constant('junk' as const), key: fc.nat(), value: junkArb }),
);

/** Applies the edits to a copy of `sd` (keys picked modulo the current key count). */
export function edited(sd: StateDict, edits: readonly Edit[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...sd };
  for (const e of edits) {
    const keys = Object.keys(out);
    if (e.kind === 'add') {
      out[e.name] = new Tensor(new Float32Array(2), [2], 'float32');
      continue;
    }
    if (keys.length === 0) continue;
    const k = keys[e.key % keys.length]!;
    const v = out[k];
    switch (e.kind) {
      case 'drop':
        delete out[k];
        break;
      case 'rename': {
        delete out[k];
        const to = e.how === 'prefix' ? `module.${k}` : e.how === 'typo' ? k.replace(/weight$/, 'weigth').replace(/bias$/, 'bais') : keys[(e.key + 1) % keys.length]!;
        out[to] = v;
        break;
      }
      case 'reshape':
        if (v instanceof Tensor) {
          const shape = e.sameSize ? [v.size] : [...v.shape.slice(0, -1), v.shape[v.ndim - 1]! + 1];
          const n = shape.reduce((p, d) => p * d, 1);
          out[k] = new Tensor(v.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n), shape, v.dtype);
        }
        break;
      case 'recast':
        if (v instanceof Tensor) {
          const values = Array.from(v.data, (x) => (e.dtype === 'int32' ? Math.round(x * 100) : x));
          const data = e.dtype === 'float64' ? Float64Array.from(values) : e.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
          out[k] = new Tensor(data, [...v.shape], e.dtype);
        }
        break;
      case 'junk':
        out[k] = e.value;
        break;
    }
  }
  return out;
}

/** An input each model of MODELS accepts. */
export function inputFor(name: string): Tensor {
  const shapes: Record<string, [number[], DType]> = { linear: [[2, 3], 'float32'], conv: [[1, 2, 3, 3], 'float64'], mlp: [[2, 4], 'float32'], simpleConvNet: [[1, 1, 6, 6], 'float32'], lenet: [[1, 1, 12, 12], 'float32'] };
  const [shape, dtype] = shapes[name]!;
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Array.from({ length: n }, (_, i) => Math.sin(i + 1)), shape, { dtype });
}
