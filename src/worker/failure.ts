/**
 * How a failure that is not the task's own error (an unknown task, arguments that do not decode, a
 * result that does not encode, a tasks module that does not load) travels back to the app.
 * @module
 */
import { CelerityError } from '../errors.js';
import type { FailureRecord } from '../protocol/messages.js';

/** Takes any thrown value apart into a record the main thread rebuilds as a `CelerityError`. */
export function failure(error: unknown, fallbackCode: string, context?: string): FailureRecord {
  const known = error instanceof CelerityError;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: known ? error.code : fallbackCode,
    message: context === undefined ? message : `${context}: ${message}`,
    path: known ? error.path : undefined,
    classId: known ? error.classId : undefined,
    stack: error instanceof Error ? error.stack : undefined,
  };
}
