#!/usr/bin/env python3
"""Golden values for tapegrad's optimizers, computed independently in plain Python floats (float64).

The update rules are transcribed from PyTorch's single-tensor implementations (torch/optim/adam.py,
sgd.py, adagrad.py, rmsprop.py: lerp, addcmul, addcdiv in the same order), and from the book for the
velocity form of Momentum. No numpy or torch needed:

    python3 packages/nn/scripts/optimizer_golden.py > packages/nn/test/fixtures/optimizer-golden.json

Scenario: two parameters. `p` gets a gradient every step, with entries that are always 0, always 1e-9,
always 100, one that changes sign and magnitude every step and one that grows; `q` only gets a gradient
on some steps (an optimizer skips it otherwise, so its own step count lags).
"""
import json
import math

STEPS = 6
P0 = [0.5, -1.25, 2.0, 0.0, 3.0]
Q0 = [1.0, -2.0]
Q_STEPS = {1, 2, 4, 6}


def grad_p(t):
    return [0.0, 1e-9, 100.0, math.sin(1.7 * t) * 10.0 ** (t % 3 - 1), -3.7 * t]


def grad_q(t):
    return [0.25 * t, -1.0 / t]


def lerp(a, b, w):
    # torch.lerp: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w)
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


class Adam:
    def __init__(self, n, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = [0.0] * n, [0.0] * n, 0

    def step(self, p, g):
        self.t += 1
        bc1 = 1 - self.b1 ** self.t
        bc2 = 1 - self.b2 ** self.t
        step_size = self.lr / bc1
        bc2_sqrt = bc2 ** 0.5
        for j in range(len(p)):
            self.m[j] = lerp(self.m[j], g[j], 1 - self.b1)
            self.v[j] = self.v[j] * self.b2 + (1 - self.b2) * g[j] * g[j]
            denom = math.sqrt(self.v[j]) / bc2_sqrt + self.eps
            p[j] = p[j] + (-step_size) * (self.m[j] / denom)


class SGD:
    def __init__(self, n, lr):
        self.lr = lr

    def step(self, p, g):
        for j in range(len(p)):
            p[j] = p[j] - self.lr * g[j]


class Momentum:
    """The book's velocity form: v = μv − lr·g; p += v."""

    def __init__(self, n, lr, momentum):
        self.lr, self.mu, self.v = lr, momentum, [0.0] * n

    def step(self, p, g):
        for j in range(len(p)):
            self.v[j] = self.mu * self.v[j] - self.lr * g[j]
            p[j] = p[j] + self.v[j]


class Nesterov:
    """torch.optim.SGD(nesterov=True, dampening=0): buf = μ·buf + g (buf = g at first); p −= lr·(g + μ·buf)."""

    def __init__(self, n, lr, momentum):
        self.lr, self.mu, self.buf = lr, momentum, None

    def step(self, p, g):
        if self.buf is None:
            self.buf = list(g)
        else:
            self.buf = [self.mu * b + gj for b, gj in zip(self.buf, g)]
        for j in range(len(p)):
            p[j] = p[j] - self.lr * (g[j] + self.mu * self.buf[j])


class AdaGrad:
    def __init__(self, n, lr, eps):
        self.lr, self.eps, self.h = lr, eps, [0.0] * n

    def step(self, p, g):
        for j in range(len(p)):
            self.h[j] = self.h[j] + g[j] * g[j]
            p[j] = p[j] + (-self.lr) * (g[j] / (math.sqrt(self.h[j]) + self.eps))


class RMSprop:
    def __init__(self, n, lr, alpha, eps):
        self.lr, self.alpha, self.eps, self.v = lr, alpha, eps, [0.0] * n

    def step(self, p, g):
        for j in range(len(p)):
            self.v[j] = self.v[j] * self.alpha + (1 - self.alpha) * g[j] * g[j]
            p[j] = p[j] + (-self.lr) * (g[j] / (math.sqrt(self.v[j]) + self.eps))


CASES = [
    ('Adam', {}, lambda n: Adam(n)),
    ('Adam', {'lr': 0.01, 'beta1': 0.5, 'beta2': 0.9, 'eps': 1e-6}, lambda n: Adam(n, 0.01, 0.5, 0.9, 1e-6)),
    ('Adam', {'lr': 0.1, 'beta1': 0.0, 'beta2': 0.5, 'eps': 1e-3}, lambda n: Adam(n, 0.1, 0.0, 0.5, 1e-3)),
    ('SGD', {'lr': 0.1}, lambda n: SGD(n, 0.1)),
    ('Momentum', {'lr': 0.1, 'momentum': 0.9}, lambda n: Momentum(n, 0.1, 0.9)),
    ('Nesterov', {'lr': 0.1, 'momentum': 0.9}, lambda n: Nesterov(n, 0.1, 0.9)),
    ('AdaGrad', {'lr': 0.1, 'eps': 1e-10}, lambda n: AdaGrad(n, 0.1, 1e-10)),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.99, 'eps': 1e-8}, lambda n: RMSprop(n, 0.01, 0.99, 1e-8)),
]


def run(make):
    p, q = list(P0), list(Q0)
    opt_p, opt_q = make(len(p)), make(len(q))
    trace = []
    for t in range(1, STEPS + 1):
        opt_p.step(p, grad_p(t))
        if t in Q_STEPS:
            opt_q.step(q, grad_q(t))
        trace.append({'p': list(p), 'q': list(q)})
    return trace


def main():
    out = {
        'p0': P0,
        'q0': Q0,
        'steps': [{'t': t, 'gradP': grad_p(t), 'gradQ': grad_q(t) if t in Q_STEPS else None} for t in range(1, STEPS + 1)],
        'cases': [{'optimizer': name, 'options': opts, 'trace': run(make)} for name, opts, make in CASES],
    }
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
