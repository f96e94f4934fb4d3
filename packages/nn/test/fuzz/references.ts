import { type DType, Rng, Tensor } from '@tapegrad/core';
import { AlexNet, AvgPool2d, Conv2d, Dropout, Flatten, LeNet5, Linear, LocalResponseNorm, MaxPool2d, type Module, ReLU, Sequential, Sigmoid, SimpleConvNet, Tanh } from '@tapegrad/nn';
import {
  MAX_ELEMENTS,
  type RefArray,
  geometryOf,
  isPositiveInt,
  isReject,
  poolWindow,
  refAvgPool,
  refConv,
  refLocalResponseNorm,
  refMaxPool,
  sizeOf,
  windowOf,
} from './core-fuzz.js';

/*
 * The reference forward of every nn module, by layer type: the argument rules (accept or refuse, written
 * from the documentation and core's rules, not from the layers' code) and plain float64 loops using the
 * layer's own parameters (core's naive conv/pool loops, PyTorch's LRN formula, inverted dropout replayed
 * from a copy of the layer's generator). A model is its children run in declaration order.
 *
 * A flow carries, besides the values, a per-element bound on the magnitude the rounding error is
 * relative to (Σ|terms| through convolutions and linear layers, passed through the 1-Lipschitz
 * activations and pools), so a float32 chain of layers is compared with a tolerance that follows
 * cancellation instead of the value.
 */

export interface Flow {
  readonly data: Float64Array;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Σ|terms| per element: what the rounding error of the value is relative to. */
  readonly bound: Float64Array;
}

/** Why the module must refuse its input; `layer` is the module that must be named (for models). */
export interface Refusal {
  readonly reject: string;
  readonly layer?: Module;
  /** A pattern the message must match (e.g. the received shape). */
  readonly message?: RegExp;
}

export type Step = Flow | Refusal;

const refuse = (why: string, extra: Omit<Refusal, 'reject'> = {}): Refusal => ({ reject: why, ...extra });
export const isRefusal = (s: unknown): s is Refusal => typeof s === 'object' && s !== null && 'reject' in s;

/** Rounds values to the flow's dtype, as the layer's output tensor stores them. */
function rounded(data: Float64Array, dtype: DType): Float64Array {
  if (dtype === 'float32') for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]!);
  return data;
}

function flow(data: Float64Array, shape: readonly number[], dtype: DType, bound: Float64Array): Flow {
  return { data: rounded(data, dtype), shape: [...shape], dtype, bound };
}

/** The flow of a tensor argument (its values exactly; the bound is |x|, 0 where x is not finite). */
export function flowOf(x: Tensor): Flow {
  const bound = Float64Array.from(x.data, (v) => (Number.isFinite(v) ? Math.abs(v) : 0));
  return { data: Float64Array.from(x.data), shape: [...x.shape], dtype: x.dtype, bound };
}

const asRef = (f: { data: Float64Array; shape: readonly number[] }): RefArray => ({ data: f.data, shape: f.shape });
const absOf = (t: Tensor): RefArray => ({ data: Float64Array.from(t.data, Math.abs), shape: [...t.shape] });
const refOf = (t: Tensor): RefArray => ({ data: Float64Array.from(t.data), shape: [...t.shape] });

/** The float dtype a layer with parameters needs its input in. */
function dtypeProblem(x: Flow, want: DType | null): string | null {
  if (x.dtype === 'int32') return 'an int32 input';
  if (want !== null && x.dtype !== want) return `a ${x.dtype} input for ${want} parameters`;
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Layers

function conv(m: Conv2d, x: Flow): Step {
  const p = dtypeProblem(x, m.weight.dtype);
  if (p !== null) return refuse(p);
  if (x.shape.length !== 4 || x.shape[1] !== m.inChannels) return refuse('x must be (N,C,H,W) with C = inChannels');
  const win = windowOf(m.kernel, m.stride, m.pad);
  if (isReject(win)) return refuse(win.reject);
  const g = geometryOf(x.shape, win);
  if (isReject(g)) return refuse(g.reject);
  if (sizeOf([g.n, m.outChannels, g.oh, g.ow]) > MAX_ELEMENTS || g.n * g.oh * g.ow * g.c * g.kh * g.kw > MAX_ELEMENTS) return refuse('too large');
  const b = m.bias ?? undefined;
  const out = refConv(asRef(x), refOf(m.weight), b && refOf(b), g);
  const bound = refConv({ data: x.bound, shape: x.shape }, absOf(m.weight), b && absOf(b), g);
  return flow(out.data, out.shape, x.dtype, bound.data);
}

function linear(m: Linear, x: Flow): Step {
  const p = dtypeProblem(x, m.weight.dtype);
  if (p !== null) return refuse(p);
  if (x.shape.length < 1 || x.shape[x.shape.length - 1] !== m.inFeatures) return refuse('x must be (…,in)');
  const [inF, outF] = [m.inFeatures, m.outFeatures];
  const rows = x.data.length / inF;
  const out = new Float64Array(rows * outF);
  const bound = new Float64Array(rows * outF);
  const w = m.weight.data;
  const b = m.bias?.data;
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let acc = b ? b[o]! : 0;
      let abs = b ? Math.abs(b[o]!) : 0;
      for (let i = 0; i < inF; i++) {
        acc += x.data[r * inF + i]! * w[o * inF + i]!;
        abs += x.bound[r * inF + i]! * Math.abs(w[o * inF + i]!);
      }
      out[r * outF + o] = acc;
      bound[r * outF + o] = abs;
    }
  return flow(out, [...x.shape.slice(0, -1), outF], x.dtype, bound);
}

function pool(m: MaxPool2d | AvgPool2d, x: Flow): Step {
  const p = dtypeProblem(x, null);
  if (p !== null) return refuse(p);
  if (x.shape.length !== 4) return refuse('x must be 4-D');
  const avg = m instanceof AvgPool2d;
  const win = poolWindow({ kernel: m.kernel, stride: m.stride, pad: m.pad, ...(avg ? { countIncludePad: m.countIncludePad } : {}) });
  if (isReject(win)) return refuse(win.reject);
  if (x.shape[2] === 0 || x.shape[3] === 0) return refuse('an empty plane');
  const g = geometryOf(x.shape, win);
  if (isReject(g)) return refuse(g.reject);
  const out = avg ? refAvgPool(asRef(x), g, win.countIncludePad) : refMaxPool(asRef(x), g);
  // a max or an average moves by at most the largest error in its window
  const bound = refMaxPool({ data: x.bound, shape: x.shape }, g);
  return flow(out.data, out.shape, x.dtype, bound.data);
}

const stableSigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** relu(NaN) is 0 in tapegrad (max(x, 0) taking the 0 unless x > 0), as core's own fuzzing pins down. */
const ELEMENTWISE = new Map<new () => Module, (v: number) => number>([
  [ReLU, (v) => (v > 0 ? v : 0)],
  [Sigmoid, stableSigmoid],
  [Tanh, Math.tanh],
]);

function elementwise(f: (v: number) => number, x: Flow): Step {
  const p = dtypeProblem(x, null);
  if (p !== null) return refuse(p);
  // 1-Lipschitz: the input's error passes through at most unchanged
  return flow(x.data.map(f), x.shape, x.dtype, x.bound.slice());
}

function flatten(x: Flow): Step {
  if (x.shape.length < 1) return refuse('a 0-d input');
  return flow(x.data.slice(), [x.shape[0]!, sizeOf(x.shape.slice(1))], x.dtype, x.bound.slice());
}

/** Inverted dropout replayed from a copy of the layer's generator (the layer's own is not advanced). */
function dropout(m: Dropout, x: Flow): Step {
  const p = dtypeProblem(x, null);
  if (p !== null) return refuse(p);
  if (!m.training || m.p === 0) return flow(x.data.slice(), x.shape, x.dtype, x.bound.slice());
  const rng = new Rng(0);
  rng.setState(m.rng.getState());
  const data = new Float64Array(x.data.length);
  const bound = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    // the mask multiplies: a dropped element is x · 0 (NaN for ±Infinity), a kept one x / (1 − p)
    const keep = !(rng.next() < m.p);
    data[i] = keep ? x.data[i]! / (1 - m.p) : x.data[i]! * 0;
    bound[i] = keep ? x.bound[i]! / (1 - m.p) : 0;
  }
  return flow(data, x.shape, x.dtype, bound);
}

function lrn(m: LocalResponseNorm, x: Flow): Step {
  const p = dtypeProblem(x, null);
  if (p !== null) return refuse(p);
  if (x.shape.length !== 4) return refuse('x must be 4-D');
  if (!isPositiveInt(m.size)) return refuse(`size ${m.size} beyond the int32 range`);
  // a window wider than 2C + 2 covers every channel: loop over that many with the same alpha / size
  const loop = Math.min(m.size, 2 * x.shape[1]! + 2);
  const out = refLocalResponseNorm(asRef(x), { size: loop, alpha: (m.alpha * loop) / m.size, beta: m.beta, k: m.k });
  // the derivative of x / (k + α/n·Σx²)^β is at most k^−β·(1 + 2|β|) in size
  const gain = Math.max(1, m.k ** -m.beta) * (1 + 2 * Math.abs(m.beta));
  const bound = out.data.map((v, i) => Math.abs(v) + gain * x.bound[i]!);
  return flow(out.data, out.shape, x.dtype, bound);
}

// ---------------------------------------------------------------------------------------------------
// Containers and models

/** The (C,H,W) a model is configured for, with the layer that checks it. */
function modelInput(m: Module): { chw: readonly number[]; first: Module; firstName: string } | null {
  if (m instanceof SimpleConvNet) return { chw: m.inputDim, first: m.conv1, firstName: 'conv1' };
  if (m instanceof LeNet5) return { chw: m.inputShape, first: m.conv1, firstName: 'conv1' };
  if (m instanceof AlexNet) return { chw: m.inputShape, first: m.features.at(0), firstName: 'features.0' };
  return null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reference of `m` on a flow. */
function step(m: Module, x: Flow): Step {
  if (m instanceof Conv2d) return conv(m, x);
  if (m instanceof Linear) return linear(m, x);
  if (m instanceof MaxPool2d || m instanceof AvgPool2d) return pool(m, x);
  if (m instanceof Flatten) return flatten(x);
  if (m instanceof Dropout) return dropout(m, x);
  if (m instanceof LocalResponseNorm) return lrn(m, x);
  const f = ELEMENTWISE.get(m.constructor as new () => Module);
  if (f !== undefined) return elementwise(f, x);
  const model = modelInput(m);
  if (model !== null) {
    const { chw, first } = model;
    if (x.shape.length !== 4 || x.shape[1] !== chw[0] || x.shape[2] !== chw[1] || x.shape[3] !== chw[2]) {
      // the issue: model-level errors name the layer, the expected and the received shape
      return refuse('input shape', { layer: first, message: new RegExp(`expected 4-D \\(N,${chw.join(',')}\\), got shape \\[${escape(x.shape.join(','))}\\]$`) });
    }
  }
  if (m instanceof Sequential || model !== null) {
    let y: Flow = x;
    for (const child of m.children()) {
      const s = step(child, y);
      if (isRefusal(s)) return s;
      y = s;
    }
    return y;
  }
  throw new Error(`reference: no reference for ${m.constructor.name}`);
}

/** The reference forward of `m` on any argument: the result's flow, or why it must be refused. */
export function refForward(m: Module, x: unknown): Step {
  if (!(x instanceof Tensor)) {
    const first = modelInput(m)?.first;
    return refuse('x is not a Tensor', first ? { layer: first } : {});
  }
  return step(m, flowOf(x));
}
