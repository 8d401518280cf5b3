/**
 * Reading text written by stock superjson: a payload `{ json, meta }` with no celerity envelope is
 * read by a private SuperJSON instance whose custom transformers come from the one registry, so
 * an app that used superjson with `registerCustom` can read what it stored before.
 *
 * The instance is private (the default SuperJSON instance is never touched) and is rebuilt when
 * the registry has grown, so classes registered later are found. Nothing but registered classes
 * and superjson's own built-in types can come out of it: superjson's `class` and `symbol`
 * annotations name nothing in a private instance and are refused.
 * @module
 */
import SuperJSON from 'superjson';
import { messageOf, fromSerialisableError, badJsonError, CelerityError } from '../errors.js';
import { registryTable, type RegistryEntry } from '../codec/registry.js';
import { ownValue } from '../codec/own-property.js';

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
  instance = fresh;
  syncedSize = byId.size;
  return fresh;
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
    return privateSuperJson().deserialize(wire as Parameters<SuperJSON['deserialize']>[0]);
  } catch (error) {
    if (error instanceof CelerityError) throw error;
    throw badJsonError(`this superjson payload cannot be read: ${messageOf(error)}`, error);
  }
}
