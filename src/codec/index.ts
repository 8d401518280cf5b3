/**
 * `encode` / `decode`: registered class instances, at any depth, through structured clone.
 * @module
 */
import { GraphEncoder } from './encode-graph.js';
import { Encoder, RESTART, SHARED_ROW, type EncodeOptions } from './encode.js';
import { finishPath } from './path.js';
import { isStackOverflow, tooDeepError } from '../errors.js';
import type { Wire } from './wire.js';

export { decode, isWire, missingClasses, wireClasses, type DecodeOptions, type WireClass } from './decode.js';
export type { EncodeOptions } from './encode.js';
export type { Wire } from './wire.js';

/**
 * Encodes a value for structured clone / `postMessage`: every registered instance at any depth
 * becomes data that `decode` turns back into an instance of its class. The input is never
 * mutated, and subtrees holding no registered instance are not copied.
 *
 * @throws {CelerityError} `ERR_UNREGISTERED_CLASS`, `ERR_UNCLONEABLE`, `ERR_CYCLE` or
 *   `ERR_TO_SERIALISABLE`, with the `path` of the value at fault.
 */
export function encode(value: unknown, options: EncodeOptions = {}): Wire {
  const strict = options.strict ?? true;
  const root = options.path ?? 'value';
  let rows = true;
  for (;;) {
    try {
      return new Encoder(strict, rows).run(value);
    } catch (error) {
      // A cycle, deep nesting, or a stack that ran out before the nesting limit (a thread's stack
      // may be small, or the caller's deep): the walk that keeps its own stack takes over.
      if (error === RESTART || isStackOverflow(error)) break;
      if (error === SHARED_ROW && rows) {
        // An object some toSerialisable() returned is reached twice: keep it one by sending it whole.
        rows = false;
        continue;
      }
      throw finished(error, root, 'encode');
    }
  }
  try {
    return new GraphEncoder(strict).run(value);
  } catch (error) {
    throw finished(error, root, 'encode');
  }
}

/** The error to rethrow: ours with its path, or the engine's stack overflow as `ERR_TOO_DEEP`. */
function finished(error: unknown, root: string, operation: string): unknown {
  if (isStackOverflow(error)) return tooDeepError(operation, error);
  finishPath(error, root);
  return error;
}
