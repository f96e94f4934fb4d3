// A Hessian-vector product of a small conv net's loss by double backward, checked against finite
// differences of gradients.
import { Rng, cast, grad, mul, randn, softmaxCrossEntropy, sum, tanh, type Tensor } from '@tapegrad/core';
import { Conv2d, Flatten, Linear, Module, functionalCall } from '@tapegrad/nn';
import { Failure, intFlag, isMain, parseFlags, positiveFlag, runMain, UsageError } from './cli.js';
import { mnist } from './data.js';

export const USAGE = `usage: pnpm hessian-vector-product [flags]

Computes H·v, the Hessian of a small conv net's cross-entropy loss (conv 4@5x5/3 - tanh - fc 10, float64,
on a few MNIST images) times a random direction v, by differentiating the gradient (double backward:
∇θ (∇θL · v)), and checks it against central differences of gradients (∇L(θ+εv) − ∇L(θ−εv)) / 2ε.

  --images <n>     MNIST images in the batch (default 8)
  --eps <x>        finite-difference step (default 1e-5)
  --seed <n>       seed of the weights and of v (default 0)
  -h, --help       this text`;

const FLAGS = { images: { type: 'string' }, eps: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Relative error below which the double-backward and finite-difference products count as equal. */
export const TOLERANCE = 1e-6;

/** conv 4@5×5 stride 3 → tanh → fc 10: smooth (tanh), so its loss has a Hessian everywhere. */
class SmallConvNet extends Module {
  readonly conv: Conv2d;
  readonly flatten = new Flatten();
  readonly fc: Linear;

  constructor(seed: number) {
    super();
    this.conv = new Conv2d(1, 4, 5, { stride: 3, dtype: 'float64', seed });
    this.fc = new Linear(4 * 8 * 8, 10, { dtype: 'float64', seed: seed + 1 });
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(this.flatten.forward(tanh(this.conv.forward(x))));
  }
}

export interface HvpResult {
  /** Parameter names, in order. */
  names: string[];
  /** H·v by double backward, one tensor per parameter. */
  hv: Tensor[];
  /** (∇L(θ+εv) − ∇L(θ−εv)) / 2ε. */
  finiteDifference: Tensor[];
  /** max |hv − fd| / max |fd|. */
  relativeError: number;
  /** vᵀHv: the loss's curvature along v. */
  curvature: number;
}

/**
 * H·v of the small net's loss, by double backward and by finite differences.
 * @example const { relativeError } = hessianVectorProduct({ images: 8 }); // ~1e-9
 */
export function hessianVectorProduct(options: { images?: number; eps?: number; seed?: number } = {}): HvpResult {
  const { images = 8, eps = 1e-5, seed = 0 } = options;
  const net = new SmallConvNet(seed);
  const { x: x32, t } = mnist('train', images);
  const x = cast(x32, 'float64');
  const named = net.namedParameters();
  const params = named.map(([, p]) => p);
  const rng = new Rng(seed + 7);
  const v = params.map((p) => randn([...p.shape], { rng, dtype: 'float64' }));

  const loss = (...ps: Tensor[]): Tensor => softmaxCrossEntropy(functionalCall(net, ps, x), t);
  const gradient = grad(loss);
  // ∇θ (∇θL(θ) · v): the inner gradient is recorded (its inputs require grad), so it can be differentiated.
  const gradDotV = (...ps: Tensor[]): Tensor => gradient(...ps).map((g, i) => sum(mul(g, v[i]!))).reduce((a, b) => a.add(b));
  const hv = grad(gradDotV)(...params);

  const shifted = (sign: number) => params.map((p, i) => p.detach().add(v[i]!.mul(sign * eps)));
  const plus = gradient(...shifted(+1));
  const minus = gradient(...shifted(-1));
  const finiteDifference = plus.map((g, i) => g.sub(minus[i]!).div(2 * eps));

  let maxDiff = 0;
  let maxRef = 0;
  let curvature = 0;
  hv.forEach((h, i) => {
    const fd = finiteDifference[i]!.data;
    for (let j = 0; j < h.size; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(h.data[j]! - fd[j]!));
      maxRef = Math.max(maxRef, Math.abs(fd[j]!));
      curvature += h.data[j]! * v[i]!.data[j]!;
    }
  });
  return { names: named.map(([n]) => n), hv, finiteDifference, relativeError: maxDiff / maxRef, curvature };
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<HvpResult | undefined> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const images = intFlag('images', values.images, 1, 1000);
  const eps = positiveFlag('eps', values.eps);
  if (eps !== undefined && eps > 0.1) throw new UsageError(`--eps: expected a small step (at most 0.1), got '${values.eps}'`);
  const seed = intFlag('seed', values.seed, 0, 2 ** 31 - 1);
  const started = performance.now();
  const r = hessianVectorProduct({ ...(images === undefined ? {} : { images }), ...(eps === undefined ? {} : { eps }), ...(seed === undefined ? {} : { seed }) });
  r.names.forEach((name, i) => {
    const h = r.hv[i]!;
    const fd = r.finiteDifference[i]!;
    let diff = 0;
    for (let j = 0; j < h.size; j++) diff = Math.max(diff, Math.abs(h.data[j]! - fd.data[j]!));
    log(`${name.padEnd(12)} [${h.shape.join(',')}]  H·v[0..2] = ${Array.from(h.data.subarray(0, 3), (a) => a.toExponential(4)).join(', ')}  max |double backward − finite diff| ${diff.toExponential(2)}`);
  });
  log(`vᵀHv = ${r.curvature.toExponential(6)}; relative error ${r.relativeError.toExponential(2)} (${((performance.now() - started) / 1000).toFixed(2)} s)`);
  if (!(r.relativeError < TOLERANCE)) throw new Failure(`H·v and the finite differences of gradients differ: relative error ${r.relativeError.toExponential(2)} ≥ ${TOLERANCE}`);
  log(`OK: double backward agrees with finite differences of gradients (relative error < ${TOLERANCE.toExponential(0)})`);
  return r;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
