import { grad } from '../autograd/functional.js';
import { noGrad } from '../autograd/grad-mode.js';
import { ValueError, argError } from '../errors.js';
import { Rng } from '../random.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { mul } from '../ops/mul.js';
import { sum } from '../ops/sum.js';
import { add } from '../ops/add.js';
import { type CheckLabels, type GradCheckOptions, runGradCheck } from './grad-check.js';
import { type CheckedFunction, callChecked, prepareInputs } from './prepare.js';

/**
 * Checks second derivatives (like torch.autograd.gradgradcheck): builds the VJP of `fn`,
 * (x, v) ↦ vᵀ·∂fn/∂x for the checked inputs with random output gradients v (seeded), recorded with
 * createGraph, and gradient-checks that function w.r.t. both x and v. It fails when a VJP is right but
 * not differentiable (e.g. computed from raw values instead of ops). Options and inputs as in gradCheck;
 * in messages, "output gradient vₖ" is the random gradient of fn's output k and "gradient w.r.t.
 * input i" an output of the VJP.
 * @example
 * const x = randn([2, 3], { seed: 0, dtype: 'float64' });
 * gradGradCheck((x) => tanh(x), [x]); // true
 */
export function gradGradCheck(fn: CheckedFunction, inputs: readonly Tensor[], options: GradCheckOptions = {}): true {
  const op = 'gradGradCheck';
  const { args, checked } = prepareInputs(op, fn, inputs);
  if (checked.length === 0) throw argError(ValueError, op, 'inputs', 'at least one float64 input to check', args.length === 0 ? 'no inputs' : 'int32 inputs only');
  const outputs = noGrad(() => callChecked(op, fn, args));
  const rng = new Rng((options.seed ?? 0) + 1); // a different stream from the fastMode directions
  const vs = outputs.map((o) => {
    const v = new Float64Array(o.size);
    for (let j = 0; j < v.length; j++) v[j] = rng.normal();
    return new Tensor(v, o.shape, 'float64', true);
  });
  const n = args.length;
  const vjpOf = (...all: Tensor[]): Tensor[] => {
    const v = all.slice(n);
    const weighted = (...xs: Tensor[]) => {
      const outs = callChecked(op, fn, xs);
      return outs.map((o, k) => sum(mul(o, v[k]!))).reduce((a, b) => add(a, b));
    };
    return grad(weighted, { argnums: checked })(...all.slice(0, n));
  };
  const labels: CheckLabels = {
    input: (i, x) => (i < n ? `input ${i} (shape ${formatShape(x.shape)})` : `output gradient v${i - n} (shape ${formatShape(x.shape)})`),
    output: (k, g) => `gradient w.r.t. input ${checked[k]} (shape ${formatShape(g.shape)})`,
  };
  // args: the checked inputs require grad and the others do not, so runGradCheck checks exactly those and every v
  return runGradCheck(op, vjpOf, [...args, ...vs], options, labels);
}
