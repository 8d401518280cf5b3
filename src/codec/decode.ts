/**
 * The decoder: rebuilds registered instances in a wire produced by `encode` (after structured
 * clone). It visits only the recorded places, innermost first, so its cost follows the number of
 * instances, not the size of the payload; plain data is never inspected, which is also why data
 * that looks like an envelope stays plain data.
 * @module
 */
import { fromSerialisableError, celerityError, CelerityError } from '../errors.js';
import { isErrorRecord, recordToError, type ErrorRecord } from './error-record.js';
import { findPath, mapValueSegment, propertySegment } from './path.js';
import { isErrorClass, registryTable, type RegistryEntry } from './registry.js';
import {
  PLACE_MAP_KEYS,
  PLACE_MAP_VALUE,
  PLACE_NULL_PROTOTYPE,
  PLACE_PROPERTY,
  PLACE_ROW_VALUE,
  PLACE_SET_MEMBERS,
  FACT_SLOTS,
  ROW_SLOTS,
  WIRE_VERSION,
  type ClassRow,
  type Wire,
} from './wire.js';
import { rowBuilder, type RowBuilder } from './row-builder.js';
import { getOwn, ownValue, setOwn } from './own-property.js';
import { checkClasses, checkWire } from './wire-check.js';

/** Options of `decode`. */
export interface DecodeOptions {
  /** The name error paths start from (default `value`). */
  path?: string;
}

/** A class a wire needs, as reported by {@link wireClasses}. */
export interface WireClass {
  /** The registered id. */
  id: string;
  /** The module URL the sender registered it with, if any. */
  module: string | undefined;
  /** Whether it travels by the error protocol (an unknown error class decodes as RemoteError). */
  isError: boolean;
}

const UNBUILT = Symbol('unbuilt');

/** Whether a value has the shape of a wire. */
export function isWire(value: unknown): value is Wire {
  if (typeof value !== 'object' || value === null) return false;
  const wire = value as Partial<Wire>;
  if (wire.w !== WIRE_VERSION) return false;
  if (wire.p === undefined) return true;
  const rowsOk = wire.r === undefined || (wire.r instanceof Int32Array && Array.isArray(wire.d) && Array.isArray(wire.s));
  return rowsOk && Array.isArray(wire.p) && (wire.f instanceof Int32Array || Array.isArray(wire.f)) && Array.isArray(wire.k) && Array.isArray(wire.c) && typeof wire.n === 'number';
}

function assertWire(value: unknown): asserts value is Wire {
  if (!isWire(value)) {
    const version = typeof value === 'object' && value !== null ? (value as { w?: unknown }).w : undefined;
    throw new CelerityError(
      'ERR_BAD_WIRE',
      version !== undefined && version !== WIRE_VERSION
        ? `decode: this wire has layout version ${typeof version === 'number' ? String(version) : `of type ${typeof version}`}, but this copy of celerity reads version ${WIRE_VERSION}; use the same celerity version on both sides`
        : 'decode: expected what encode() returned (after structured clone); got something else',
    );
  }
}

/** The classes a wire needs, each once. */
export function wireClasses(wire: Wire): WireClass[] {
  assertWire(wire);
  // Checked first: the rows of a wire from elsewhere may be anything (a module named by a sparse
  // array of length 1e8 would take seconds to turn into text).
  const table = ownValue(wire, 'c');
  const rows = table === undefined ? [] : checkClasses(table);
  return rows.filter((row) => row[0] !== '').map((row) => ({ id: row[0], module: row[1] ?? undefined, isError: row[2] === 1 }));
}

/** The classes a wire needs that are not registered in this thread (import their modules, then decode). */
export function missingClasses(wire: Wire): WireClass[] {
  const byId = registryTable().byId;
  return wireClasses(wire).filter((row) => !byId.has(row.id));
}

/**
 * Rebuilds the value of a wire: every registered instance, at any depth, is an instance of its
 * class again. Synchronous, and never imports anything: a class id not registered in this thread
 * is `ERR_UNKNOWN_CLASS` (errors of unknown classes become `RemoteError` instead).
 *
 * The wire is consumed: its containers are reused for the result.
 */
export function decode(wire: Wire, options: DecodeOptions = {}): unknown {
  assertWire(wire);
  if (Object.getOwnPropertyDescriptor(wire, 'p') === undefined) return wire.v;
  const { places, facts, keys, classes: rows, count, shapes, rowTable, rowValues } = checkWire(wire);
  const root = options.path ?? 'value';
  const entries = resolveClasses(wire, rows, root);
  const built = new Array<unknown>(count).fill(UNBUILT);
  const builders: (RowBuilder | undefined)[] = [];
  const build = (cls: number, instance: number, data: unknown, container: object, key: unknown, kind: number): unknown => {
    const known = built[instance];
    if (known !== UNBUILT) return known;
    const boxed = cls < 0;
    const index = boxed ? ~cls : cls;
    if (boxed && !(Array.isArray(data) && 0 in data)) throw new CelerityError('ERR_BAD_WIRE', `decode: malformed wire: the boxed data of instance ${String(instance)} is not [data]`);
    let payload = boxed ? (data as unknown[])[0] : data;
    if (rowTable !== undefined && !boxed) {
      const shape = rowTable[instance * ROW_SLOTS] ?? -1;
      if (shape >= 0) {
        const builder = (builders[shape] ??= rowBuilder(shapes[shape]));
        payload = builder(rowValues, rowTable[instance * ROW_SLOTS + 1] ?? 0);
      }
    }
    const row = rows[index] as ClassRow;
    const entry = entries[index];
    let value: unknown;
    if (row[2] === 1) {
      if (!isErrorRecord(payload)) throw new CelerityError('ERR_BAD_WIRE', `decode: malformed wire: the error record of instance ${String(instance)} is not { name, message, ... }`);
      value = recordToError(payload, entry?.cls);
    } else {
      try {
        value = (entry as RegistryEntry).fromSerialisable?.(payload);
      } catch (cause) {
        throw fromSerialisableError(row[0], cause, placePath(wire, container, key, kind, root));
      }
    }
    built[instance] = value;
    return value;
  };

  for (let i = 0, j = 0; i < places.length; i++, j += FACT_SLOTS) {
    const container = places[i] as object;
    const ref = facts[j + 3] as number;
    const key = ref >= 0 ? ref : keys[~ref];
    const kind = facts[j] as number;
    const cls = facts[j + 1] as number;
    const instance = facts[j + 2] as number;
    switch (kind) {
      case PLACE_PROPERTY: {
        const target = container as Record<string | number, unknown>;
        const value = build(cls, instance, key === '__proto__' ? getOwn(target, key) : target[key as string | number], container, key, kind);
        setOwn(target, key as string | number, value);
        break;
      }
      case PLACE_MAP_VALUE: {
        const map = container as Map<unknown, unknown>;
        map.set(key, build(cls, instance, map.get(key), container, key, kind));
        break;
      }
      case PLACE_MAP_KEYS: {
        const map = container as Map<unknown, unknown>;
        const swap = swaps(key as unknown[], (box, c, n) => build(c, n, box[0], container, box, kind));
        const entriesInOrder = [...map];
        map.clear();
        for (const [k, v] of entriesInOrder) map.set(swap.has(k) ? swap.get(k) : k, v);
        break;
      }
      case PLACE_ROW_VALUE: {
        const slot = key as number;
        rowValues[slot] = build(cls, instance, rowValues[slot], rowValues, slot, kind);
        break;
      }
      case PLACE_NULL_PROTOTYPE:
        Object.setPrototypeOf(container, null);
        break;
      case PLACE_SET_MEMBERS: {
        const set = container as Set<unknown>;
        const swap = swaps(key as unknown[], (box, c, n) => build(c, n, box[0], container, box, kind));
        const members = [...set];
        set.clear();
        for (const m of members) set.add(swap.has(m) ? swap.get(m) : m);
        break;
      }
    }
  }
  return wire.v;
}

/** Builds the box → instance table of a Map-keys or Set-members place. */
function swaps(fixes: unknown[], build: (box: unknown[], cls: number, instance: number) => unknown): Map<unknown, unknown> {
  const swap = new Map<unknown, unknown>();
  for (let j = 0; j < fixes.length; j += 3) {
    const box = fixes[j] as unknown[];
    swap.set(box, build(box, fixes[j + 1] as number, fixes[j + 2] as number));
  }
  return swap;
}

/** Looks up every class of the wire once; an unknown non-error class fails before anything is built. */
function resolveClasses(wire: Wire, rows: readonly ClassRow[], root: string): (RegistryEntry | undefined)[] {
  const byId = registryTable().byId;
  return rows.map((row, index) => {
    const entry = row[0] === '' ? undefined : byId.get(row[0]);
    if (entry !== undefined && row[2] === 1 && !isErrorClass(entry.cls)) {
      throw celerityError('ERR_BAD_WIRE', `decode: malformed wire: class "${row[0]}" is sent as an error record, but it is not an Error class`, { classId: row[0] });
    }
    if (entry === undefined && row[2] === 0) {
      const first = firstPlaceOf(wire, index);
      const module = row[1] === null ? '' : ` (module ${row[1]})`;
      throw celerityError(
        'ERR_UNKNOWN_CLASS',
        `Class id "${row[0]}" is not registered in this thread${module}: import the module that registers it before decoding, or register it with that id`,
        { classId: row[0], ...(first === undefined ? {} : { path: placePath(wire, first.container, first.key, first.kind, root) }) },
      );
    }
    return entry;
  });
}

/** One rebuilt instance as a place holds it: where it sits, its class, and its encoded data's slot. */
interface PlacedInstance {
  container: object;
  /** The property, Map key, or (for Map keys and Set members) the box. */
  key: unknown;
  kind: number;
  cls: number;
  instance: number;
  /** The box of a Map key or Set member, whose first item is the data. */
  box: unknown[] | undefined;
}

/**
 * Calls `visit` for every instance the places rebuild, in order, until it returns `true`. Only
 * used to describe errors: the decode loop itself reads the places inline.
 */
function eachInstance(wire: Wire, visit: (placed: PlacedInstance) => boolean | undefined): void {
  const places = wire.p ?? [];
  const facts = wire.f ?? new Int32Array(0);
  const keys = wire.k ?? [];
  const rowValues = wire.d ?? [];
  for (let i = 0, j = 0; i < places.length; i++, j += FACT_SLOTS) {
    const kind = facts[j] as number;
    const container = kind === PLACE_ROW_VALUE ? rowValues : (places[i] as object);
    if (kind === PLACE_NULL_PROTOTYPE) continue;
    const ref = facts[j + 3] as number;
    const key = ref >= 0 ? ref : keys[~ref];
    if (kind === PLACE_MAP_KEYS || kind === PLACE_SET_MEMBERS) {
      const fixes = key as unknown[];
      for (let k = 0; k < fixes.length; k += 3) {
        const box = fixes[k] as unknown[];
        if (visit({ container, key: box, kind, cls: fixes[k + 1] as number, instance: fixes[k + 2] as number, box }) === true) return;
      }
    } else if (visit({ container, key, kind, cls: facts[j + 1] as number, instance: facts[j + 2] as number, box: undefined }) === true) {
      return;
    }
  }
}

function firstPlaceOf(wire: Wire, classIndex: number): PlacedInstance | undefined {
  let found: PlacedInstance | undefined;
  eachInstance(wire, (placed) => {
    if ((placed.cls < 0 ? ~placed.cls : placed.cls) !== classIndex) return false;
    found = placed;
    return true;
  });
  return found;
}

/** The accessor path of a place, found by searching the wire (only ever done for an error). */
function placePath(wire: Wire, container: object, key: unknown, kind: number, root: string): string | undefined {
  if (container === wire) return root;
  if (kind === PLACE_ROW_VALUE) return rowSlotPath(wire, key as number, root);
  const { boxes, unstepped } = wrappingOf(wire, wire.c ?? []);
  const base = findPath(wire.v, container, root, unstepped) ?? findInRows(wire, container, root, unstepped);
  if (base === undefined) return undefined;
  switch (kind) {
    case PLACE_PROPERTY:
      // The content of a box is where the box is.
      return boxes.has(container) ? base : base + propertySegment(key as string | number);
    case PLACE_MAP_VALUE:
      return base + mapValueSegment(key);
    default: {
      const members = container instanceof Map ? [...container.keys()] : [...(container as Set<unknown>)];
      const index = members.indexOf(key);
      return base + (container instanceof Map ? `.keys()[${index}]` : `.values()[${index}]`);
    }
  }
}

/** The instance whose row holds `slot` of the row values, and the key of that slot. */
function rowOwner(wire: Wire, slot: number): { instance: number; key: string } | undefined {
  const table = wire.r ?? new Int32Array(0);
  const shapes = wire.s ?? [];
  for (let i = 0; i < table.length; i += ROW_SLOTS) {
    const keys = shapes[table[i] ?? -1];
    const offset = table[i + 1] ?? 0;
    if (keys !== undefined && slot >= offset && slot < offset + keys.length) return { instance: i / ROW_SLOTS, key: keys[slot - offset] ?? '' };
  }
  return undefined;
}

/** The path of a value of a row: the path of the row's instance, then the key. */
function rowSlotPath(wire: Wire, slot: number, root: string): string | undefined {
  const owner = rowOwner(wire, slot);
  if (owner === undefined) return undefined;
  const base = instancePath(wire, owner.instance, root);
  return base === undefined ? undefined : base + propertySegment(owner.key);
}

/** The path of an instance: where its first place puts it. */
function instancePath(wire: Wire, instance: number, root: string): string | undefined {
  let found: PlacedInstance | undefined;
  eachInstance(wire, (placed) => {
    if (placed.instance !== instance) return false;
    found = placed;
    return true;
  });
  return found === undefined ? undefined : placePath(wire, found.container, found.key, found.kind, root);
}

/** The path of a container that sits somewhere inside a row's values. */
function findInRows(wire: Wire, container: object, root: string, unstepped: ReadonlySet<unknown>): string | undefined {
  const values = wire.d ?? [];
  for (let slot = 0; slot < values.length; slot++) {
    const inner = findPath(values[slot], container, '', unstepped);
    if (inner === undefined) continue;
    const base = rowSlotPath(wire, slot, root);
    if (base !== undefined) return base + inner;
  }
  return undefined;
}

/**
 * Where the encoder wrapped data, for error paths: `boxes` holds the box of every instance whose
 * data is itself an instance; `unstepped` what sits inside a box (of those, or of Map keys and Set
 * members) and the `props` of every error record. Paths reach these without a step of their own.
 */
function wrappingOf(wire: Wire, rows: ClassRow[]): { boxes: Set<unknown>; unstepped: Set<unknown> } {
  const boxes = new Set<unknown>();
  const unstepped = new Set<unknown>();
  const add = (value: unknown): void => {
    if (typeof value === 'object' && value !== null) unstepped.add(value);
  };
  // `data` is still as encoded where decoding stopped; places already rebuilt hold instances.
  const visit = (data: unknown, cls: number): void => {
    if (cls < 0) {
      if (Array.isArray(data)) {
        boxes.add(data);
        add(data[0]);
      }
    } else if (rows[cls]?.[2] === 1 && typeof data === 'object' && data !== null) {
      add((data as Partial<ErrorRecord>).props);
    }
  };
  eachInstance(wire, ({ container, key, kind, cls, box }) => {
    if (box !== undefined) {
      add(box[0]);
      visit(box[0], cls);
    } else {
      visit(kind === PLACE_MAP_VALUE ? (container as Map<unknown, unknown>).get(key) : (container as Record<string | number, unknown>)[key as string | number], cls);
    }
    return false;
  });
  return { boxes, unstepped };
}
