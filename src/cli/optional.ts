/**
 * The baselines of `celerity bench` that celerity does not depend on (msgpackr, poolifier): used
 * when the user has them installed, left out with a note otherwise.
 * @module
 */

/** Whether `error` says that package `name` itself cannot be found (not one of its own imports). */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && (error as Error).message.includes(`'${name}'`);
}

/** Imports package `name`; `undefined` when it is not installed (any other failure throws). */
export async function importOptional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (isMissing(error, name)) return undefined;
    throw error;
  }
}
