/**
 * Decoding a wire whose classes may not be loaded in this thread yet: import the modules that
 * define them first, but only modules on the app's allowlist. Shared by the worker entry (for
 * arguments) and the app (for results, progress and errors); `decode` itself never imports.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode, missingClasses, type Wire } from '../codec/index.js';
import { celerityError, CelerityError } from '../errors.js';
import { importModule as importWithTypeScript } from './ts-support.js';

/** The module URLs a thread may import to find classes. */
export interface Allowlist {
  /** Whether `module` (a URL) may be imported. */
  has(module: string): boolean;
}

/**
 * The URL of the process's entry module (`node app.js` → `app.js`), or `undefined`. Threads are
 * told it and never import it: a class registered there would start the app again in the thread.
 */
export function mainEntryUrl(): string | undefined {
  const entry = process.argv[1];
  if (entry === undefined || entry === '') return undefined;
  try {
    return pathToFileURL(resolve(entry)).href;
  } catch {
    return undefined;
  }
}

/**
 * Decodes `wire`, importing the allowed modules of classes this thread lacks first. Returns the
 * value synchronously when nothing needs importing (the usual case), a promise otherwise.
 *
 * @param entry the app's entry module, which is never imported (see {@link mainEntryUrl}).
 * @throws {CelerityError} `ERR_MODULE_NOT_ALLOWED` when a class this thread lacks is defined in a
 *   module off the allowlist; the codec's own errors otherwise. Paths are rooted at `path`.
 */
export function decodeWithImports(wire: Wire, path: string, allow: Allowlist, entry?: string): unknown {
  const missing = missingClasses(wire);
  if (missing.length === 0) return decode(wire, { path });
  const imports: string[] = [];
  for (const cls of missing) {
    const module = cls.module;
    if (module === undefined) continue; // decode reports it as ERR_UNKNOWN_CLASS, with its path
    if (module === entry && !cls.isError) throw inEntryModule(wire, path, cls.id, module);
    if (allow.has(module)) {
      if (!imports.includes(module)) imports.push(module);
    } else if (!cls.isError) {
      // An unknown error class is harmless (it arrives as a RemoteError); any other is refused.
      throw notAllowed(wire, path, cls.id, module);
    }
  }
  if (imports.length === 0) return decode(wire, { path });
  return Promise.all(imports.map(importModule)).then(() => decode(wire, { path }));
}

async function importModule(url: string): Promise<unknown> {
  try {
    return await importWithTypeScript(url);
  } catch (cause) {
    throw celerityError('ERR_UNKNOWN_CLASS', `could not import ${url} to find a class: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Builds the refusal, borrowing the path decode would report for the missing class. */
function notAllowed(wire: Wire, path: string, classId: string, module: string): CelerityError {
  const message = `class "${classId}" is defined in ${module}, which is not on this app's module allowlist; add it to createApp({ modules }) or import it from the tasks module`;
  return refusal(wire, path, classId, message);
}

/** The refusal to import the app's entry module into a worker thread. */
function inEntryModule(wire: Wire, path: string, classId: string, module: string): CelerityError {
  const message = `class "${classId}" is registered in the app's entry module ${module}, which a worker thread must not import (it would start the app again there); move the class to a module of its own and import it from the tasks module`;
  return refusal(wire, path, classId, message);
}

function refusal(wire: Wire, path: string, classId: string, message: string): CelerityError {
  let at: string | undefined;
  try {
    decode(wire, { path });
  } catch (error) {
    if (error instanceof CelerityError && error.classId === classId) at = error.path;
  }
  return celerityError('ERR_MODULE_NOT_ALLOWED', message, at === undefined ? { classId } : { classId, path: at });
}
