import { GraphError, ShapeError, argError } from '../errors.js';
import { broadcastsTo, formatShape, sameShape } from '../shape.js';
import { type BackwardOptions, Tensor, registerBackward } from '../tensor.js';
import { withGradMode } from './grad-mode.js';
import { anomalyHooks } from './anomaly-hooks.js';
import { add } from '../ops/add.js';
import { sumTo } from '../ops/sum-to.js';
import { onesLike } from '../ops/like.js';
import {
  beginBirths,
  endBirths,
  giveBack,
  isResident,
  releaseConsumer,
  releaseProducer,
  releaseResidentBirths,
  withOrdinaryArrays,
  withoutBirths,
} from '../memory/array-pool.js';
import type { TypedArray } from '../dtype.js';

/**
 * Orders the recorded graph behind `roots` so every tensor comes after all tensors computed from it
 * (reverse topological order). Iterative DFS with an explicit stack: a chain of 100,000 ops is fine.
 */
function reverseTopologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const postorder: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: { t: Tensor; next: number }[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ t: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top.t.node?.inputs ?? [];
      if (top.next < inputs.length) {
        const child = inputs[top.next++]!;
        if (child.requiresGrad && !visited.has(child)) {
          visited.add(child);
          stack.push({ t: child, next: 0 });
        }
      } else {
        postorder.push(top.t);
        stack.pop();
      }
    }
  }
  return postorder.reverse();
}

/** Reduces a VJP's gradient to its input's shape (un-broadcasting) and checks shape and dtype. */
function fitGradient(op: string, index: number, input: Tensor, g: Tensor): Tensor {
  let fitted = g;
  if (!sameShape(g.shape, input.shape)) {
    if (!broadcastsTo(input.shape, g.shape)) {
      throw new GraphError(op, `vjp: expected the gradient of input ${index} to have shape ${formatShape(input.shape)} (or a shape it broadcasts to), got ${formatShape(g.shape)}`);
    }
    fitted = sumTo(g, input.shape);
  }
  if (fitted.dtype !== input.dtype) {
    throw new GraphError(op, `vjp: expected the gradient of input ${index} to have dtype ${input.dtype}, got ${fitted.dtype}`);
  }
  return fitted;
}

/**
 * `g` as user code may keep it: gradients made in backward may lie in the backend's resident memory
 * (memory/array-pool.ts), which the pool reuses once backward ends; what leaves the engine — a leaf's or
 * requested gradient, what a user's VJP sees — is copied into an ordinary array first.
 */
function forUserCode(g: Tensor): Tensor {
  return isResident(g.data) ? new Tensor(g.data.slice(), g.shape, g.dtype) : g;
}

const isLeaf = (t: Tensor) => t.node === null && t.requiresGrad;

/**
 * Computes d(roots)/d(every tensor in the graph) given the roots' output gradients. Returns the map of
 * accumulated gradients for leaves and for every tensor in `keep`.
 */
export function computeGradients(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  options: BackwardOptions,
  keep: ReadonlySet<Tensor> = new Set(),
): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = reverseTopologicalOrder(roots);
  const grads = new Map<Tensor, Tensor>();
  const result = new Map<Tensor, Tensor>();
  // Arrays of gradients made in this backward go back to the array pool when the engine drops its last
  // reference (see memory/array-pool.ts). Not when recording (createGraph): gradients are then graph
  // tensors that later ops may hold. `born` holds the arrays allocated since the walk began; `refs`
  // counts the pending and returned gradients that use each array (views share it, and a VJP may pass
  // its gradient through, as add's does).
  const born = createGraph ? null : new Set<TypedArray>();
  const refs = new Map<TypedArray, number>();
  const hold = (g: Tensor) => void refs.set(g.data, (refs.get(g.data) ?? 0) + 1);
  const drop = (g: Tensor) => {
    const n = (refs.get(g.data) ?? 0) - 1;
    if (n > 0) return void refs.set(g.data, n);
    refs.delete(g.data);
    if (born?.delete(g.data)) giveBack(g.data);
  };
  const addPending = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    const next = prev ? add(prev, g) : g;
    hold(next);
    grads.set(t, next);
    if (prev) {
      drop(prev);
      hold(g); // g was never pending itself: drop it once the sum holds its own array
      drop(g);
    }
  };
  const walk = () => {
    roots.forEach((r, i) => addPending(r, rootGrads[i]!));
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      if (t.node === null || keep.has(t)) {
        const handed = forUserCode(g);
        result.set(t, handed);
        if (handed === g) hold(g); // handed to the caller: never given back
      }
      const node = t.node;
      if (node === null) continue;
      grads.delete(t); // intermediate gradients are dropped as soon as they are used
      if (node.vjp === null) {
        throw new GraphError(
          node.op,
          'backward: expected a recorded graph, got one already freed by an earlier backward; pass { retainGraph: true } to the first backward to run it twice',
        );
      }
      const vjp = node.vjp;
      // A user's VJP (customOp) may keep the gradient it gets or the arrays it makes: none is given back
      // (a resident gradient is shown to it as a copy, and the original goes back as usual).
      const seen = node.userVjp ? forUserCode(g) : g;
      if (node.userVjp) born?.delete(seen.data);
      const run = node.userVjp ? () => withoutBirths(() => vjp(seen)) : () => vjp(g);
      // detectAnomaly wraps VJPs: the ops inside are backward work, checked through the gradients they return
      const checked = () => (anomalyHooks.aroundVjp ? anomalyHooks.aroundVjp(run) : run());
      // A leaf's gradient goes to user code (.grad): a VJP that makes one makes ordinary arrays, so that
      // it need not be copied out of resident memory (forUserCode); its other gradients then feed the
      // ordinary pool, from which the next forward's outputs are made.
      const feedsLeaf = node.inputs.some(isLeaf);
      const inputGrads = feedsLeaf ? withOrdinaryArrays(checked) : checked();
      const inputs = node.inputs;
      if (!retainGraph) {
        // Free the step's graph: the closure holds saved tensors, the inputs hold every forward tensor.
        node.vjp = null;
        node.inputs = [];
        // A composite's internal arrays go back to the pool once their last consumer is freed; not when
        // recording, where the new graph's nodes may hold them.
        if (!createGraph) {
          for (const input of inputs) releaseConsumer(input.data);
          releaseProducer(t.data); // a marked intermediate is also held by the node that produced it
          if (node.saved !== undefined) for (const data of node.saved) giveBack(data);
          node.saved = undefined;
        }
      }
      inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!input.requiresGrad || gi === null || gi === undefined) return;
        if (node.userVjp) born?.delete(gi.data);
        const fitted = isLeaf(input) ? withOrdinaryArrays(() => fitGradient(node.op, i, input, gi)) : fitGradient(node.op, i, input, gi);
        anomalyHooks.onBackward?.(node.op, fitted, i, node.createdAt);
        addPending(input, fitted);
      });
      drop(g);
    }
  };
  const previousBirths = born === null ? null : beginBirths(born);
  try {
    withGradMode(createGraph, walk);
  } finally {
    if (born !== null) {
      endBirths(previousBirths);
      releaseResidentBirths(born);
    }
  }
  return result;
}

function checkRootGrad(root: Tensor, grad: Tensor | undefined): Tensor {
  if (grad === undefined) {
    if (root.size !== 1) {
      throw argError(ShapeError, 'backward', 'grad', `a gradient tensor for a non-scalar output of shape ${formatShape(root.shape)}`, 'none (only one-element outputs get an implicit gradient of 1)');
    }
    return onesLike(root);
  }
  if (!(grad instanceof Tensor) || !sameShape(grad.shape, root.shape) || grad.dtype !== root.dtype) {
    const got = grad instanceof Tensor ? `shape ${formatShape(grad.shape)} dtype ${grad.dtype}` : typeof grad;
    throw argError(ShapeError, 'backward', 'grad', `shape ${formatShape(root.shape)} dtype ${root.dtype} (the output's)`, got);
  }
  return grad;
}

/** `tensor.backward()`: accumulates into the `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new GraphError('backward', 'tensor: expected a tensor that requires grad (an output of ops on tensors with requiresGrad: true), got one that does not');
  }
  const rootGrad = checkRootGrad(root, grad);
  const grads = computeGradients([root], [rootGrad], options);
  withGradMode(options.createGraph ?? false, () => {
    for (const [leaf, g] of grads) {
      if (leaf.node !== null) continue;
      leaf.grad = leaf.grad ? add(leaf.grad, g) : options.createGraph ? g : g.detach();
    }
  });
}

export { checkRootGrad };
registerBackward(backward);
