/**
 * TypeScript tasks modules in worker threads. When the process runs under a TypeScript loader,
 * `.ts` modules import fine on the main thread, but a loader may not reach worker threads (tsx,
 * for one, registers itself on the main thread only on Node 20). When a thread meets a `.ts`
 * module it cannot load, it registers tsx in that thread, if tsx is installed, and tries again.
 * Under Node's own type stripping nothing is needed.
 * @module
 */

import { isMainThread } from 'node:worker_threads';

const TYPESCRIPT_FILE = /\.(?:ts|mts|cts|tsx)(?:[?#].*)?$/i;

let registration: Promise<boolean> | undefined;

/** Whether an import failed only because this thread cannot read TypeScript. */
function cannotReadTypeScript(error: unknown, url: string): boolean {
  return TYPESCRIPT_FILE.test(url) && typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION';
}

/** Registers tsx's loader in this thread, once; `false` when tsx is not installed. */
function registerTsx(): Promise<boolean> {
  registration ??= (async () => {
    // A computed specifier: tsx is optional, and only looked for when it is needed.
    const specifier = 'tsx/esm/api';
    try {
      const api = (await import(specifier)) as { register?: () => unknown };
      if (typeof api.register !== 'function') return false;
      api.register();
      return true;
    } catch {
      return false;
    }
  })();
  return registration;
}

/** Whether the process was started under tsx (`--import tsx`, `--loader tsx`, or through `NODE_OPTIONS`). */
function startedUnderTsx(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /(?:^|[\s=/])tsx(?:$|[\s/])/.test(arg));
}

/** Whether this thread reads TypeScript by itself (Node's type stripping). */
function nativeTypeScript(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** `import(url)`, teaching this thread TypeScript first if that is what it lacks. */
export async function importModule(url: string): Promise<unknown> {
  // Register before the first attempt: a failed import is cached, so a retry of the same URL
  // would fail again.
  // (On the main thread the loader the process started with is already in place.)
  if (!isMainThread && TYPESCRIPT_FILE.test(url) && !nativeTypeScript() && startedUnderTsx()) await registerTsx();
  try {
    return (await import(url)) as unknown;
  } catch (error) {
    if (!cannotReadTypeScript(error, url) || !(await registerTsx())) throw error;
    // The failure is cached under this URL: load it afresh under a marked one.
    return (await import(`${url}${url.includes('?') ? '&' : '?'}typescript`)) as unknown;
  }
}
