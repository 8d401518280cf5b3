/**
 * Looking at a user's value from the outside, through the public registry: which registered
 * classes it holds, what its plain equivalent is, and whether JSON carries it without loss.
 * @module
 */
import { classId } from '../index.js';

/** A registered class as seen from here: its id, prototype and the way back from data. */
export interface FoundClass {
  id: string;
  prototype: object;
  toData(instance: object): unknown;
  fromData(data: unknown): unknown;
}

interface Convertible {
  toSerialisable(): unknown;
}

interface Rebuildable {
  fromSerialisable(data: unknown): unknown;
}

/** The registered (non-error) class of `value`, when it is an instance of one. */
function registeredClassOf(value: object): FoundClass | undefined {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype || prototype === Array.prototype) return undefined;
  const ctor = (prototype as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || ctor.prototype !== prototype) return undefined;
  const id = classId(ctor);
  // Errors travel by the error protocol and have no toSerialisable: leave them to each format.
  if (id === undefined || typeof (prototype as Partial<Convertible>).toSerialisable !== 'function') return undefined;
  const rebuild = ctor as unknown as Rebuildable;
  return {
    id,
    prototype: prototype as object,
    toData: (instance) => (instance as Convertible).toSerialisable(),
    fromData: (data) => rebuild.fromSerialisable(data),
  };
}

/** Visits every object reachable from `value` through containers and registered instances' data. */
function walk(value: unknown, visit: (object: object, cls: FoundClass | undefined) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    const cls = registeredClassOf(item);
    visit(item, cls);
    if (cls !== undefined) stack.push(cls.toData(item));
    else if (Array.isArray(item)) stack.push(...(item as unknown[]));
    else if (item instanceof Map) for (const [k, v] of item) stack.push(k, v);
    else if (item instanceof Set) for (const v of item) stack.push(v);
    else if (isPlainObject(item)) stack.push(...Object.values(item));
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The registered classes whose instances `value` holds, at any depth (innermost included). */
export function findClasses(value: unknown): FoundClass[] {
  const found = new Map<string, FoundClass>();
  walk(value, (_, cls) => {
    if (cls !== undefined && !found.has(cls.id)) found.set(cls.id, cls);
  });
  return [...found.values()];
}

/**
 * The plain equivalent of `value`: every registered instance replaced by its data, recursively,
 * containers copied only on the way to one. Shared references and cycles are kept.
 */
export function toPlain(value: unknown): unknown {
  const memo = new Map<object, unknown>();
  const convert = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    if (memo.has(item)) return memo.get(item);
    const cls = registeredClassOf(item);
    if (cls !== undefined) {
      memo.set(item, undefined);
      const plain = convert(cls.toData(item));
      memo.set(item, plain);
      return plain;
    }
    if (Array.isArray(item)) {
      const copy: unknown[] = [];
      memo.set(item, copy);
      for (const element of item as unknown[]) copy.push(convert(element));
      return copy;
    }
    if (item instanceof Map) {
      const copy = new Map<unknown, unknown>();
      memo.set(item, copy);
      for (const [k, v] of item) copy.set(convert(k), convert(v));
      return copy;
    }
    if (item instanceof Set) {
      const copy = new Set<unknown>();
      memo.set(item, copy);
      for (const v of item) copy.add(convert(v));
      return copy;
    }
    if (isPlainObject(item)) {
      const copy: Record<string, unknown> = Object.getPrototypeOf(item) === null ? (Object.create(null) as Record<string, unknown>) : {};
      memo.set(item, copy);
      for (const key of Object.keys(item)) Object.defineProperty(copy, key, { value: convert(item[key]), enumerable: true, writable: true, configurable: true });
      return copy;
    }
    return item;
  };
  return convert(value);
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives back the same data: only plain objects,
 * arrays, strings, finite numbers, booleans and null, with no cycle.
 */
export function isJsonable(value: unknown): boolean {
  const path = new Set<object>();
  const check = (item: unknown): boolean => {
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return true;
    if (typeof item === 'number') return Number.isFinite(item);
    if (typeof item !== 'object') return false;
    if (path.has(item)) return false;
    path.add(item);
    let ok: boolean;
    if (Array.isArray(item)) {
      // A hole comes back as null: not the same data.
      const array = item as unknown[];
      ok = true;
      for (let i = 0; ok && i < array.length; i++) ok = i in array && check(array[i]);
    } else {
      ok = isPlainObject(item) && Object.values(item).every(check);
    }
    path.delete(item);
    return ok;
  };
  return check(value);
}
