import { isFloat } from '../dtype.js';
import { AnomalyError, ValueError, argError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { formatIndex } from '../grad-check/compare.js';
import { anomalyHooks } from './anomaly-hooks.js';

/**
 * Runs `fn` with anomaly checks on and returns its result. The first op whose forward output holds NaN or
 * ±Infinity throws an AnomalyError naming the op and the call site in the user's code; in a backward
 * pass, the first VJP that returns a non-finite gradient throws one naming the op, the input index and
 * where that op was recorded (run the forward pass inside detectAnomaly too, so nodes carry their call
 * site). Any non-finite output is reported, whether or not the op's inputs were finite: with finite data,
 * the first report is where the trouble starts. Checks cost a pass over every output and a stack capture
 * per recorded op: for debugging, not for training runs. An async `fn` keeps the checks on until it settles.
 * @example
 * detectAnomaly(() => {
 *   const loss = sum(log(x)); // x holds a 0: throws "[log] forward: expected finite values, got …"
 *   loss.backward();
 * });
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argError(ValueError, 'detectAnomaly', 'fn', 'a function to run with checks on', typeof fn);
  const previous = { onForward: anomalyHooks.onForward, onBackward: anomalyHooks.onBackward, captureStack: anomalyHooks.captureStack, aroundVjp: anomalyHooks.aroundVjp };
  let vjpDepth = 0;
  anomalyHooks.captureStack = captureUserStack;
  anomalyHooks.onForward = (op, out) => {
    // ops run by a VJP are backward work: their result is checked as the gradient the VJP returns
    if (vjpDepth > 0) return;
    const bad = firstNonFinite(out);
    if (bad === null) return;
    throw new AnomalyError(op, `forward: expected finite values, got ${describeBad(bad, out)} of the output (shape ${formatShape(out.shape)})\n  called at:\n${indent(captureUserStack())}`);
  };
  anomalyHooks.aroundVjp = <R>(run: () => R): R => {
    vjpDepth++;
    try {
      return run();
    } finally {
      vjpDepth--;
    }
  };
  anomalyHooks.onBackward = (op, grad, inputIndex, createdAt) => {
    const bad = firstNonFinite(grad);
    if (bad === null) return;
    const where = createdAt ?? '    (unknown: the op was recorded outside detectAnomaly; run the forward pass inside it too)';
    throw new AnomalyError(
      op,
      `backward: expected finite gradients, got ${describeBad(bad, grad)} of the gradient of input ${inputIndex} (shape ${formatShape(grad.shape)})\n  ${op} was created at:\n${indent(where)}`,
    );
  };
  const restore = () => Object.assign(anomalyHooks, previous);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

interface NonFinite {
  count: number;
  flat: number;
  value: number;
}

function firstNonFinite(t: Tensor): NonFinite | null {
  if (!isFloat(t.dtype)) return null;
  const data = t.data;
  let first = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    // v − v is NaN exactly for NaN and ±Infinity: one subtraction instead of a Number.isFinite call
    const v = data[i]!;
    if (v - v !== 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? null : { count, flat: first, value: data[first]! };
}

function describeBad(bad: NonFinite, t: Tensor): string {
  const what = bad.count === 1 ? '1 non-finite value' : `${bad.count} non-finite values`;
  return `${what}, the first ${bad.value} at ${formatIndex(bad.flat, t.shape)} (flat ${bad.flat}),`;
}

function indent(stack: string): string {
  return stack.length > 0 ? stack : '    (no frames outside tapegrad)';
}

// Frames inside tapegrad's own packages (src/ in the workspace, dist/ when installed) are not the user's
// code. This file sits in <packages>/core/{src,dist}/autograd/, so <packages> is three levels up.
const packagesUrl = new URL('../../../', import.meta.url);
const packagesPrefixes = [packagesUrl.href, decodeURIComponent(packagesUrl.pathname)].map(escapeRegExp).join('|');
const internalFrame = new RegExp(`(${packagesPrefixes})[^/\\\\]+[/\\\\](src|dist)[/\\\\]`);
const runtimeFrame = /node_modules|node:internal|\(node:|^\s*at node:/;
const MAX_FRAMES = 6;

/** The current call stack without tapegrad's frames: where the user's code called in. */
function captureUserStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60; // ops can be many frames deep before they reach the user's code
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').filter((line) => line.trimStart().startsWith('at ') && !internalFrame.test(line));
  const user: string[] = [];
  for (const frame of frames) {
    if (runtimeFrame.test(frame)) {
      if (user.length > 0) break; // past the user's frames, into the test runner or Node itself
      continue;
    }
    user.push(`    ${frame.trim()}`);
    if (user.length === MAX_FRAMES) break;
  }
  return user.join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
