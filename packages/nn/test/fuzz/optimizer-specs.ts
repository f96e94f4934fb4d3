import { AdaGrad, Adam, Momentum, Nesterov, type Optimizer, RMSprop, SGD } from '@tapegrad/nn';

/* The optimizers' hyper-parameters as their documentation gives them: defaults and domains. */

type Hyper = 'lr' | 'momentum' | 'alpha' | 'beta1' | 'beta2' | 'eps';
export type Kind = 'rate' | 'unit' | 'positive';

export interface Spec {
  make: (params: unknown, options: unknown) => Optimizer;
  /** Each hyper-parameter with its default and its domain. */
  hypers: Partial<Record<Hyper, [number, Kind]>>;
}

export const SPECS: Record<string, Spec> = {
  SGD: { make: (p, o) => new SGD(p as never, o as never), hypers: { lr: [0.01, 'rate'] } },
  Momentum: { make: (p, o) => new Momentum(p as never, o as never), hypers: { lr: [0.01, 'rate'], momentum: [0.9, 'unit'] } },
  Nesterov: { make: (p, o) => new Nesterov(p as never, o as never), hypers: { lr: [0.01, 'rate'], momentum: [0.9, 'unit'] } },
  AdaGrad: { make: (p, o) => new AdaGrad(p as never, o as never), hypers: { lr: [0.01, 'rate'], eps: [1e-10, 'positive'] } },
  RMSprop: { make: (p, o) => new RMSprop(p as never, o as never), hypers: { lr: [0.01, 'rate'], alpha: [0.99, 'unit'], eps: [1e-8, 'positive'] } },
  Adam: { make: (p, o) => new Adam(p as never, o as never), hypers: { lr: [0.001, 'rate'], beta1: [0.9, 'unit'], beta2: [0.999, 'unit'], eps: [1e-8, 'positive'] } },
};

/** The documented domains: lr finite ≥ 0; momentum, alpha, betas in [0, 1); eps finite > 0 (0 gives 0/0 on a zero gradient). */
export function inDomain(v: unknown, kind: Kind): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  return kind === 'rate' ? v >= 0 : kind === 'unit' ? v >= 0 && v < 1 : v > 0;
}

