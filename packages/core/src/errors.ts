/**
 * Typed errors. Every message has one shape: `[op] argument: expected …, got …`, so a user sees the op,
 * the argument, what it wanted and what it received; tests match both the class and the message.
 */
export class TapegradError extends Error {
  /** The op, layer or loader that raised the error (`conv2d`, `conv1`, `readIdx`). */
  readonly op: string;
  constructor(op: string, message: string) {
    super(`[${op}] ${message}`);
    this.op = op;
    this.name = new.target.name;
  }
}

/** A shape, rank or size that does not fit (including shapes that do not broadcast). */
export class ShapeError extends TapegradError {}
/** A dtype that is not allowed here, or two dtypes mixed. */
export class DTypeError extends TapegradError {}
/** A value out of its domain: a non-integer stride, a negative pad, a label outside [0, C). */
export class ValueError extends TapegradError {}
/** Misuse of the autograd engine: backward through a freed graph, a VJP returning a wrong shape. */
export class GraphError extends TapegradError {}
/** A file or byte buffer that is not what it claims to be (IDX, safetensors). */
export class FormatError extends TapegradError {}
/** A gradient check whose numerical and analytical gradients disagree. */
export class GradCheckError extends TapegradError {}
/** NaN or Infinity produced under `detectAnomaly`. */
export class AnomalyError extends TapegradError {}

type ErrorClass = new (op: string, message: string) => TapegradError;

/** Builds the standard message: `[op] arg: expected <expected>, got <got>`. */
export function argError(cls: ErrorClass, op: string, arg: string, expected: string, got: string): TapegradError {
  return new cls(op, `${arg}: expected ${expected}, got ${got}`);
}
