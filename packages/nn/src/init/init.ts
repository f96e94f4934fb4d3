import { type Rng, ShapeError, Tensor, ValueError, argError, formatShape, getBackend, randn, rand, zeros } from '@tapegrad/core';
import { shown } from '../layers/checks.js';

export type FloatDType = 'float32' | 'float64';

/** Core's limit on the elements of one tensor (flat indices are int32). */
const MAX_ELEMENTS = 2 ** 31 - 1;

export interface InitOptions {
  rng: Rng;
  dtype?: FloatDType;
}

/** Makes a new tensor of `shape` with initial values drawn from `options.rng`. */
export type Initializer = (shape: readonly number[], options: InitOptions) => Tensor;

/**
 * The number of inputs feeding one output unit: `in` for a Linear weight (out,in), `in·kh·kw` for a
 * Conv2d weight (out,in,kh,kw).
 */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) throw argError(ShapeError, 'fanIn', 'shape', 'a weight shape of at least 2 dimensions (out,in,…)', formatShape(shape));
  return shape.slice(1).reduce((p, d) => p * d, 1);
}

function checkStd(op: string, std: number): void {
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) throw argError(ValueError, op, 'std', 'a finite non-negative number', String(std));
}

/**
 * Gaussian values with standard deviation `std` (the book's `weight_init_std * np.random.randn(...)`).
 * @example new Conv2d(1, 30, 5, { init: normal(0.01), seed: 0 })
 */
export function normal(std: number, mean = 0): Initializer {
  checkStd('normal', std);
  return (shape, { rng, dtype = 'float32' }) => randn(shape, { rng, dtype, mean, std });
}

/** Uniform values in [low, high). */
export function uniform(low: number, high: number): Initializer {
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
    throw argError(ValueError, 'uniform', 'range', 'finite low ≤ high', `[${low}, ${high})`);
  }
  return (shape, { rng, dtype = 'float32' }) => rand(shape, { rng, dtype, low, high });
}

/**
 * He initialization as in the book: normal with std √(2 / fanIn), for ReLU networks.
 * @example new Linear(100, 10, { init: he, seed: 1 })
 */
export const he: Initializer = (shape, options) => normal(Math.sqrt(2 / fanIn(shape)))(shape, options);

/**
 * "Xavier" initialization as the book defines it: normal with std √(1 / fanIn), for sigmoid/tanh
 * networks. (Glorot's own formula also counts fan-out; the book, like Caffe's default, uses fan-in only.)
 */
export const xavier: Initializer = (shape, options) => normal(Math.sqrt(1 / fanIn(shape)))(shape, options);

/**
 * PyTorch's default for Linear and Conv2d (kaiming_uniform with a = √5): uniform in ±1/√fanIn.
 * Layers use it when no `init` is given; `fanInShape` is the weight's shape (biases use the weight's fan-in).
 */
export function pytorchDefault(fanInShape: readonly number[]): Initializer {
  const bound = 1 / Math.sqrt(fanIn(fanInShape));
  return uniform(-bound, bound);
}

/** The book's `weight_init_std` argument: a number, or 'relu'/'he' (√(2/n)) or 'sigmoid'/'xavier' (√(1/n)). */
export type WeightInitStd = number | 'relu' | 'he' | 'sigmoid' | 'xavier';

/**
 * The initializer for one of the book's `weight_init_std` choices.
 * @example weightInit('relu') === he; weightInit(0.01) // normal(0.01)
 */
export function weightInit(std: WeightInitStd): Initializer {
  switch (std) {
    case 'relu':
    case 'he':
      return he;
    case 'sigmoid':
    case 'xavier':
      return xavier;
    default:
      if (typeof std !== 'number') throw argError(ValueError, 'weightInit', 'std', "a number, 'relu', 'he', 'sigmoid' or 'xavier'", shown(std));
      return normal(std);
  }
}

/** Checks an initializer's output and turns it into a trainable parameter. */
export function makeParameter(op: string, init: Initializer, shape: readonly number[], options: InitOptions): Tensor {
  if (typeof init !== 'function') throw argError(ValueError, op, 'init', 'an initializer (shape, { rng, dtype }) => Tensor', init === null ? 'null' : typeof init);
  // checked here so that the error names the layer, not the initializer's `rand` or `randn`
  const size = shape.reduce((p, d) => p * d, 1);
  if (size > MAX_ELEMENTS) {
    throw argError(ShapeError, op, 'parameters', `at most ${MAX_ELEMENTS} elements per tensor`, `shape ${formatShape(shape)} (${size} elements)`);
  }
  const t = init(shape, options);
  if (!(t instanceof Tensor) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.dtype !== (options.dtype ?? 'float32')) {
    const got = t instanceof Tensor ? `${formatShape(t.shape)} ${t.dtype}` : typeof t;
    throw argError(ValueError, op, 'init', `an initializer returning a ${formatShape(shape)} ${options.dtype ?? 'float32'} tensor`, got);
  }
  return parameter(t);
}

/**
 * A trainable leaf with `t`'s values (PyTorch's `nn.Parameter`): a float tensor made a leaf (detached
 * when it carries a graph) that requires grad. A float32 one is moved to where the backend's kernels
 * use it in place (see `placed`), as every nn layer's parameters are; otherwise it is `t` itself.
 * @example const w = parameter(randn([4320, 100], { seed: 2, std: 0.01 })); matmul(x, w)
 */
export function parameter(t: Tensor): Tensor {
  if (!(t instanceof Tensor) || (t.dtype !== 'float32' && t.dtype !== 'float64')) {
    throw argError(ValueError, 'parameter', 't', 'a float32 or float64 Tensor', t instanceof Tensor ? `a ${t.dtype} tensor` : shown(t));
  }
  // a parameter must not carry a graph (an initializer may have built it with ops)
  const p = placed(t.isLeaf ? t : t.detach());
  p.requiresGrad = true;
  return p;
}

/**
 * `t`, or a copy in an array the backend keeps for state updated in place call after call
 * (Backend.stateArray): on the fast backend, its WebAssembly memory, where the products of the forward
 * and backward passes and Adam's update use a parameter without copying it in and out (1.7 MB per use
 * for SimpleConvNet's fc1 weight, six uses per step). Such an array is an ordinary Float32Array view
 * (of shared memory), freed with its tensor.
 */
function placed(t: Tensor): Tensor {
  const backend = getBackend();
  if (t.dtype !== 'float32' || backend.resident === undefined) return t;
  const data = backend.stateArray('float32', t.size);
  if (!backend.resident.has(data)) return t; // too small to be kept there, or no room
  data.set(t.data);
  return new Tensor(data, t.shape, 'float32');
}

/** Zeros (the book's biases). */
export const zerosInit: Initializer = (shape, { dtype = 'float32' }) => zeros(shape, { dtype });
