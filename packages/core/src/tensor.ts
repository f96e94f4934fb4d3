import { type DType, type TypedArray, isFloat } from './dtype.js';
import { DTypeError, GraphError, ShapeError, ValueError, argError } from './errors.js';
import { type Shape, formatShape, sizeOf } from './shape.js';
import type { Node } from './autograd/node.js';

export interface BackwardOptions {
  /** Keep the recorded graph so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. Implies retainGraph. */
  createGraph?: boolean;
}

type BackwardFn = (root: Tensor, grad: Tensor | undefined, options: BackwardOptions) => void;
let backwardImpl: BackwardFn | undefined;
/** @internal The engine registers itself here; tensor.ts cannot import it without a cycle. */
export function registerBackward(fn: BackwardFn): void {
  backwardImpl = fn;
}

/**
 * An n-dimensional array: a flat row-major typed array plus a shape. Ops return new tensors; reshape
 * shares the data. Tensors are ordinary garbage-collected objects: there is nothing to dispose.
 */
export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Flat row-major values. Mutating it in place is allowed for leaves (optimizers do) but not tracked. */
  readonly data: TypedArray;
  /** Accumulated gradient of a leaf after backward; null until then. */
  grad: Tensor | null = null;
  /** @internal The op that produced this tensor, when it was recorded. */
  node: Node | null = null;
  /** @internal */
  requiresGradFlag: boolean;

  /** @internal Use `tensor()` and the other creation functions. */
  constructor(data: TypedArray, shape: Shape, dtype: DType, requiresGrad = false) {
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.requiresGradFlag = false;
    if (requiresGrad) this.requiresGrad = true;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Whether gradients flow to this tensor. Settable on leaves of a float dtype only. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (this.node !== null) {
      throw new GraphError('requiresGrad', `tensor: expected a leaf tensor, got the output of ${this.node.op}; use detach() first`);
    }
    if (value && !isFloat(this.dtype)) {
      throw argError(DTypeError, 'requiresGrad', 'tensor', 'a float32 or float64 tensor', `dtype ${this.dtype}`);
    }
    this.requiresGradFlag = value;
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /**
   * Backpropagates from this tensor: accumulates d(this)/d(leaf) into every leaf's `.grad`.
   * `grad` defaults to 1 for a one-element tensor.
   * @example const loss = softmaxCrossEntropy(model(x), t); loss.backward(); w.grad
   */
  backward(grad?: Tensor | null, options: BackwardOptions | null = {}): void {
    if (!backwardImpl) throw new GraphError('backward', 'engine: expected the autograd engine to be loaded, got none');
    if (options !== null && typeof options !== 'object') {
      throw argError(ValueError, 'backward', 'options', 'an object { retainGraph?, createGraph? }', typeof options);
    }
    backwardImpl(this, grad ?? undefined, options ?? {});
  }

  /** The single value of a one-element tensor as a JS number. */
  item(): number {
    if (this.size !== 1) {
      throw argError(ShapeError, 'item', 'tensor', 'exactly one element', `shape ${formatShape(this.shape)} (${this.size} elements)`);
    }
    return this.data[0]!;
  }

  /** The values as nested JS arrays (a number for a 0-d tensor). */
  toArray(): number | NestedArray {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, offset: number): NestedArray => {
      const n = this.shape[dim]!;
      const inner = sizeOf(this.shape.slice(dim + 1));
      const out: (number | NestedArray)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.shape.length - 1 ? this.data[offset + i]! : build(dim + 1, offset + i * inner);
      }
      return out as NestedArray;
    };
    return build(0, 0);
  }

  /** A new leaf sharing this tensor's data, cut off from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.dtype);
  }

  /** A deep copy of the data as a new leaf (no graph). */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, this.dtype);
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export type NestedArray = (number | NestedArray)[];
