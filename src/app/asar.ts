/**
 * Electron packs an app's files into `app.asar`, an archive that worker threads cannot load
 * from. Files meant for workers are unpacked beside it into `app.asar.unpacked`; these helpers
 * point paths there.
 * @module
 */

/** Matches an `app.asar` path segment (either separator), but not `app.asar.unpacked`. */
const ASAR_SEGMENT = /([\\/])app\.asar(?=[\\/]|$)/;

/** Whether a file path (or file URL) lies inside an Electron `app.asar` archive. */
export function isAsarPath(path: string): boolean {
  return ASAR_SEGMENT.test(path);
}

/**
 * The unpacked twin of a path inside `app.asar`: `…/app.asar/dist/worker.js` becomes
 * `…/app.asar.unpacked/dist/worker.js`. Other paths come back unchanged.
 */
export function asarUnpackedPath(path: string): string {
  return path.replace(ASAR_SEGMENT, '$1app.asar.unpacked');
}
