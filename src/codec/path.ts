/**
 * Paths to values in JavaScript accessor form (`args[0].stops[3].at`), built only when an error
 * needs one: the hot loops never pay for them.
 * @module
 */
import { CelerityError } from '../errors.js';

/**
 * Whether `key` is written `.key`: an ASCII identifier. A loop, not a regular expression: paths
 * are built while an error unwinds a deep walk, where compiling a regular expression can exhaust
 * V8's memory for it and abort the process.
 */
function isIdentifier(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

/** One step of a path, as it is written after its parent. */
export function propertySegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return isIdentifier(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The step to a Map value stored under `key`. */
export function mapValueSegment(key: unknown): string {
  return `.get(${describeKey(key)})`;
}

/** The step to the `index`-th key of a Map. */
export function mapKeySegment(index: number): string {
  return `.keys()[${index}]`;
}

/** The step to the `index`-th member of a Set. */
export function setMemberSegment(index: number): string {
  return `.values()[${index}]`;
}

function describeKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'number':
    case 'boolean':
      return String(key);
    case 'bigint':
      return `${key}n`;
    case 'undefined':
      return 'undefined';
    default:
      return key === null ? 'null' : '…';
  }
}

/** Segments collected while an error travels up the encoder's recursion, innermost first. */
const SEGMENTS = new WeakMap<CelerityError, string[]>();

/** Records that `error` happened below the step `segment`; rethrow it afterwards. */
export function addSegment(error: unknown, segment: string): void {
  if (!(error instanceof CelerityError)) return;
  const list = SEGMENTS.get(error);
  if (list === undefined) SEGMENTS.set(error, [segment]);
  else list.push(segment);
}

/**
 * Gives `error` its final `path` (rooted at `root`) and appends the path to its message.
 * Errors that are not ours pass through untouched.
 */
export function finishPath(error: unknown, root: string): void {
  if (!(error instanceof CelerityError) || error.path !== undefined) return;
  const list = SEGMENTS.get(error) ?? [];
  let path = root;
  for (let i = list.length - 1; i >= 0; i--) path += list[i] ?? '';
  error.path = path;
  error.message = `${error.message} (at ${path})`;
  SEGMENTS.delete(error);
}

/**
 * Finds the accessor path from `root` to `target` by a breadth-first search through plain
 * containers. Used only to describe decode errors, so its cost does not matter. The objects in
 * `unstepped` sit where the encoder wrapped data (inside a box, or an error record's props): the
 * user never sees that wrapping, so reaching them adds no step to the path.
 */
export function findPath(root: unknown, target: object, rootName: string, unstepped: ReadonlySet<unknown> = new Set()): string | undefined {
  if (root === target) return rootName;
  const seen = new Set<unknown>([root]);
  const queue: [unknown, string][] = [[root, rootName]];
  for (let head = 0; head < queue.length; head++) {
    const [node, path] = queue[head] as [unknown, string];
    if (typeof node !== 'object' || node === null) continue;
    const children: [unknown, string][] = [];
    if (node instanceof Map) {
      let i = 0;
      for (const [key, value] of node) {
        children.push([key, mapKeySegment(i++)], [value, mapValueSegment(key)]);
      }
    } else if (node instanceof Set) {
      let i = 0;
      for (const member of node) children.push([member, setMemberSegment(i++)]);
    } else if (Array.isArray(node)) {
      // The indices present, not 0..length: a sparse array's length may be far beyond its elements.
      for (const key of Object.keys(node)) children.push([(node as unknown[])[Number(key)], propertySegment(Number(key))]);
    } else {
      for (const key of Object.keys(node)) children.push([(node as Record<string, unknown>)[key], propertySegment(key)]);
    }
    for (const [child, segment] of children) {
      const childPath = unstepped.has(child) ? path : path + segment;
      if (child === target) return childPath;
      if (typeof child === 'object' && child !== null && !seen.has(child)) {
        seen.add(child);
        queue.push([child, childPath]);
      }
    }
  }
  return undefined;
}
