import { describe, expect, it } from 'vitest';
import * as nn from '@tapegrad/nn';
import { SPECS } from './optimizer-specs.js';
import { lossTargets } from './targets-losses.js';
import { layerTargets } from './targets-layers.js';
import { modelTargets } from './targets-models.js';

/*
 * The fuzzing meta-test: every public layer, container and model (a Module subclass exported by
 * @tapegrad/nn), every optimizer and every loss has a fuzz target, and every target fuzzes a real
 * export. A new public layer without a target fails here.
 */

const exported = Object.entries(nn).filter(([, v]) => typeof v === 'function') as [string, { prototype: unknown }][];
const subclassesOf = (base: { prototype: unknown }) => exported.filter(([, v]) => v.prototype instanceof (base as unknown as new () => unknown)).map(([name]) => name);

describe('nn fuzz coverage', () => {
  it('has a module target for every exported layer, container and model', () => {
    const fuzzed = new Set([...layerTargets, ...modelTargets].map((t) => t.name));
    expect(subclassesOf(nn.Module).filter((name) => !fuzzed.has(name))).toEqual([]);
    for (const name of fuzzed) expect((nn as Record<string, unknown>)[name], name).toBeTypeOf('function');
  });

  it('fuzzes every exported optimizer', () => {
    expect(subclassesOf(nn.Optimizer).sort()).toEqual(Object.keys(SPECS).sort());
  });

  it('fuzzes every exported loss, as a function and as a class', () => {
    const losses = exported.map(([name]) => name).filter((name) => /loss$/i.test(name));
    expect(losses.sort()).toEqual(lossTargets.map((t) => t.name).sort());
    for (const t of lossTargets) expect((nn as Record<string, unknown>)[t.name], t.name).toBeTypeOf('function');
  });
});
