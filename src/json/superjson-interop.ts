/**
 * Reading text written by stock superjson: a payload `{ json, meta }` with no celerity envelope is
 * read by a private SuperJSON instance whose custom transformers come from the one registry, so
 * an app that used superjson with `registerCustom` can read what it stored before.
 *
 * The instance is private (the default SuperJSON instance is never touched) and is rebuilt when
 * the registry has grown, so classes registered later are found. Nothing but registered classes
 * and superjson's own built-in types can come out of it. Two of superjson's annotations are read
 * our way, by rewriting them (in a copy of the meta) to transformers of this instance: a class
 * written with superjson's `registerClass` is built by the `fromSerialisable` of the class
 * registered here under that id (an id not registered here is refused, never built from a
 * prototype), and an error keeps every property it was written with, as `allowErrorProps` would
 * need to be told. `symbol` annotations name nothing here and are refused.
 * @module
 */
import SuperJSON from 'superjson';
import { messageOf, fromSerialisableError, badJsonError, CelerityError } from '../errors.js';
import { registryTable, type RegistryEntry } from '../codec/registry.js';
import { ownValue, setOwn } from '../codec/own-property.js';

/** The private instance's transformer for superjson's errors (a NUL keeps it apart from class ids). */
const ERROR_TRANSFORMER = '\u0000celerity.superjson-error';

let instance: SuperJSON | undefined;
let syncedSize = -1;

/** The private SuperJSON instance, with a custom transformer for every registered id and alias. */
export function privateSuperJson(): SuperJSON {
  const byId = registryTable().byId;
  if (instance !== undefined && syncedSize === byId.size) return instance;
  const fresh = new SuperJSON();
  for (const [id, entry] of byId) {
    if (entry.isError || entry.fromSerialisable === undefined) continue;
    fresh.registerCustom<unknown, never>(
      {
        // Writing is celerity's own; this instance only reads, so it claims no values.
        isApplicable: claimsNothing,
        serialize: () => {
          throw new Error('unreachable');
        },
        deserialize: (data) => rebuild(entry, id, data),
      },
      id,
    );
  }
  fresh.registerCustom<Error, never>({ isApplicable: claimsNothing, serialize: () => { throw new Error('unreachable'); }, deserialize: errorFromJson }, ERROR_TRANSFORMER);
  instance = fresh;
  syncedSize = byId.size;
  return fresh;
}

/**
 * An error as superjson writes it (`{ name, message, stack?, cause?, ...props }`), with every
 * property kept as an own data property (so `__proto__` and the like stay data).
 */
function errorFromJson(data: unknown): Error {
  const fields = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const message = ownValue(fields, 'message');
  const error = new Error(typeof message === 'string' ? message : '');
  // No stack was written: none of this reader's own frames stand in for it.
  if (!Object.hasOwn(fields, 'stack')) Reflect.deleteProperty(error, 'stack');
  for (const key of Object.keys(fields)) {
    if (key === 'message') continue;
    const enumerable = key !== 'name' && key !== 'stack' && key !== 'cause';
    Object.defineProperty(error, key, { value: ownValue(fields, key), writable: true, configurable: true, enumerable });
  }
  return error;
}

/** superjson's annotation type `type`, rewritten to this module's transformers where it reads our way. */
function rewrittenType(type: unknown): unknown {
  if (type === 'Error') return ['custom', ERROR_TRANSFORMER];
  if (Array.isArray(type) && type.length === 2 && type[0] === 'class' && typeof type[1] === 'string') {
    const entry = registryTable().byId.get(type[1]);
    if (entry !== undefined && !entry.isError && entry.fromSerialisable !== undefined) return ['custom', type[1]];
  }
  return type;
}

/**
 * A copy of `meta` whose annotation types are rewritten (see {@link rewrittenType}). `meta.values`
 * is an annotation (`[type]` or `[type, children]`) or an object of them by path, and children are
 * such objects: arrays are annotations, objects hold them. Iterative; the meta is a checked tree.
 */
function rewrittenMeta(meta: unknown): unknown {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return meta;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(meta)) setOwn(copy, key, ownValue(meta, key));
  const work: [unknown, (value: unknown) => void][] = [[ownValue(meta, 'values'), (value) => { setOwn(copy, 'values', value); }]];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [node, put] = next;
    if (Array.isArray(node)) {
      const annotation: unknown[] = (node as unknown[]).map((part: unknown, i) => (i === 0 ? rewrittenType(part) : part));
      put(annotation);
      if (annotation.length > 1) {
        work.push([
          annotation[1],
          (value) => {
            annotation[1] = value;
          },
        ]);
      }
    } else if (typeof node === 'object' && node !== null) {
      const children: Record<string, unknown> = {};
      put(children);
      for (const key of Object.keys(node)) work.push([ownValue(node, key), (value) => { setOwn(children, key, value); }]);
    } else {
      put(node);
    }
  }
  return copy;
}

/** The instance only reads, so its transformers claim no value for writing. */
function claimsNothing(_value: unknown): _value is never {
  return false;
}

function rebuild(entry: RegistryEntry, id: string, data: unknown): unknown {
  try {
    return entry.fromSerialisable?.(data);
  } catch (cause) {
    throw fromSerialisableError(id, cause);
  }
}

/** Whether `wire` is a bare superjson payload: an object with `json` and at most `meta`. */
export function isSuperJsonPayload(wire: unknown): wire is { json: unknown; meta?: unknown } {
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire) || !Object.hasOwn(wire, 'json')) return false;
  return Object.keys(wire).every((key) => key === 'json' || key === 'meta');
}

/**
 * Checks that `value` is a tree JSON text could hold: no cycles, no shared objects, no holes.
 * Stock superjson copies and walks a payload recursively and by length, so an object given to
 * `deserialize` (not text) could otherwise make it loop over a sparse array's 2**32-1 slots.
 * Iterative, and linear in what the value holds.
 */
function assertTextTree(value: unknown, what: string): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (seen.has(node)) throw badJsonError(`this superjson payload's ${what} is cyclic or shares an object, which JSON text cannot`);
    seen.add(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (!(i in node)) throw badJsonError(`this superjson payload's ${what} has an array with a hole`);
        stack.push(node[i]);
      }
    } else {
      const proto: unknown = Object.getPrototypeOf(node);
      if (proto !== Object.prototype && proto !== null) throw badJsonError(`this superjson payload's ${what} holds something JSON text cannot`);
      for (const key of Object.keys(node)) stack.push(ownValue(node, key));
    }
  }
}

/** Reads a bare superjson payload through the private instance. */
export function readSuperJsonPayload(wire: { json: unknown; meta?: unknown }): unknown {
  assertTextTree(ownValue(wire, 'json'), 'json');
  assertTextTree(ownValue(wire, 'meta'), 'meta');
  try {
    const meta = ownValue(wire, 'meta');
    const payload = meta === undefined ? { json: ownValue(wire, 'json') } : { json: ownValue(wire, 'json'), meta: rewrittenMeta(meta) };
    return privateSuperJson().deserialize(payload as Parameters<SuperJSON['deserialize']>[0]);
  } catch (error) {
    if (error instanceof CelerityError) throw error;
    throw badJsonError(`this superjson payload cannot be read: ${messageOf(error)}`, error);
  }
}
