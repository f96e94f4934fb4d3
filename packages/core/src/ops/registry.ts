/**
 * The typed registry of primitives: every op that records itself on the tape with its own VJP is listed
 * here (composites are not). The op tests check that each registered primitive has a row in the op table.
 */
export interface PrimitiveInfo {
  readonly name: string;
  /** False for ops whose output carries no gradient (argmax, comparisons). */
  readonly differentiable: boolean;
  /** The VJP is built from differentiable ops, so gradients of gradients are available. */
  readonly vjpDifferentiable: boolean;
}

const primitives = new Map<string, PrimitiveInfo>();

export function registerPrimitive(info: PrimitiveInfo): void {
  if (primitives.has(info.name)) throw new Error(`primitive ${info.name} registered twice`);
  primitives.set(info.name, info);
}

export function listPrimitives(): PrimitiveInfo[] {
  return [...primitives.values()];
}
