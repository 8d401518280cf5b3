/**
 * Loading the user's value for `celerity bench --module`: import the module (which registers its
 * classes), pick the export, and call it when it is a function that builds the value.
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';

/** The user's value and where it came from. */
export interface LoadedValue {
  /** `file.js` or `file.js#name`: how tables and charts name the value. */
  name: string;
  /** The module's file URL (the app's thread imports it too). */
  url: string;
  value: unknown;
}

/** The first line of an error's message: a CLI error must fit on one line. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * Imports `file` (a path, relative to the working directory, or a file URL) and returns the
 * value of export `exportName`, awaiting it when the export is a function.
 *
 * @throws {UsageError} when the module does not load, lacks the export, or its builder throws.
 */
export async function loadValue(file: string, exportName: string): Promise<LoadedValue> {
  const url = file.startsWith('file:') ? file : pathToFileURL(resolve(file)).href;
  const shown = file.startsWith('file:') ? basename(new URL(file).pathname) : basename(file);
  if (!file.startsWith('file:') && !existsSync(resolve(file))) throw new UsageError(`celerity bench: cannot load module ${file}: no such file`);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`celerity bench: cannot load module ${file}: ${firstLine(error)}`);
  }
  if (!(exportName in namespace)) {
    const names = Object.keys(namespace).join(', ') || 'none';
    throw new UsageError(`celerity bench: module ${file} has no export '${exportName}' (exports: ${names})`);
  }
  const exported = namespace[exportName];
  let value = exported;
  if (typeof exported === 'function') {
    if (isClass(exported)) throw new UsageError(`celerity bench: export '${exportName}' of ${file} is a class; export a value or a function that builds one`);
    try {
      value = await (exported as () => unknown)();
    } catch (error) {
      throw new UsageError(`celerity bench: export '${exportName}' of ${file} threw: ${firstLine(error)}`);
    }
  }
  return { name: exportName === 'default' ? shown : `${shown}#${exportName}`, url, value };
}
