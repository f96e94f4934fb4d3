import { describe, expect, it } from 'vitest';
import * as core from '@tapegrad/core';
import { creationTargets } from './targets-creation.js';
import { elementwiseTargets } from './targets-elementwise.js';
import { layoutTargets } from './targets-layout.js';
import { reduceTargets } from './targets-reduce.js';
import { windowTargets } from './targets-window.js';

/*
 * The fuzzing meta-test: every public function of @tapegrad/core that is an op (or creates tensors) has
 * a fuzz target, and every target fuzzes a real export. A new public op without a target fails here.
 */

/** Public functions that are not ops: classes, autograd and gradient-check drivers, backends, utilities. */
const NOT_OPS = new Set([
  'Tensor',
  'Rng',
  'TapegradError',
  'ShapeError',
  'DTypeError',
  'ValueError',
  'GraphError',
  'FormatError',
  'GradCheckError',
  'AnomalyError',
  'argError',
  'formatShape',
  'sizeOf',
  'broadcastShapes',
  'noGrad',
  'enableGrad',
  'isGradEnabled',
  'record',
  'gradCheck',
  'gradGradCheck',
  'numericalGradient',
  'grad',
  'valueAndGrad',
  'customOp',
  'detectAnomaly',
  'getBackend',
  'setBackend',
  'registerBackend',
  'listBackends',
  'listPrimitives',
  'clearArrayPool',
  'arrayPoolStats',
  'markIntermediate',
  'intermediates',
]);

const targets = [...creationTargets, ...elementwiseTargets, ...layoutTargets, ...reduceTargets, ...windowTargets];

describe('fuzz coverage', () => {
  const exported = Object.entries(core)
    .filter(([, v]) => typeof v === 'function')
    .map(([name]) => name);
  const fuzzed = new Set(targets.map((t) => t.name));

  it('has a target for every public op', () => {
    expect(exported.filter((name) => !NOT_OPS.has(name) && !fuzzed.has(name))).toEqual([]);
  });

  it('fuzzes each op once, under its exported name and through that very function', () => {
    expect(targets.length).toBe(fuzzed.size);
    for (const t of targets) expect(t.fn, t.name).toBe((core as Record<string, unknown>)[t.name]);
  });

  it('covers every registered primitive', () => {
    expect(core.listPrimitives().map((p) => p.name).filter((name) => !fuzzed.has(name))).toEqual([]);
  });
});
