import { rowsElementwise } from './rows-elementwise.js';
import { rowsLinalg } from './rows-linalg.js';
import { rowsLoss } from './rows-loss.js';
import { rowsReduce } from './rows-reduce.js';
import { rowsWindow } from './rows-window.js';
import { nnRows } from '../ops-nn/rows-nn.js';
import type { AnyOpRow } from './types.js';

/** Every row of the op table; the generic specs in test/ops loop over it. */
export const opTable: AnyOpRow[] = [...rowsElementwise, ...rowsLinalg, ...rowsReduce, ...rowsWindow, ...rowsLoss, ...nnRows];

export * from './types.js';
export * from './helpers.js';
