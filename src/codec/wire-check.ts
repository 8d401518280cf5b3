/**
 * Checking a wire before decoding it. A wire may come from anywhere (another thread, another
 * process, a file), so every table is read as untrusted: the right type, dense, of a length the
 * message really holds, every index in range, every key an own property. A wire that fails is
 * `ERR_BAD_WIRE` saying what is wrong and where, before anything is built.
 *
 * Cost stays linear in what the message holds: lengths are never trusted on their own. The place
 * count comes from the facts, an `Int32Array` whose length is real memory; every other table is
 * walked only until its first hole, and a hole is an error, so a sparse array of length 2**32-1
 * costs as much as the few elements it has.
 * @module
 */
import { CelerityError } from '../errors.js';
import { firstHole } from './copy.js';
import { ownValue as own } from './own-property.js';
import {
  FACT_SLOTS,
  PLACE_MAP_KEYS,
  PLACE_MAP_VALUE,
  PLACE_NULL_PROTOTYPE,
  PLACE_PROPERTY,
  PLACE_ROW_VALUE,
  PLACE_SET_MEMBERS,
  ROW_SLOTS,
  type ClassRow,
  type Facts,
  type Wire,
} from './wire.js';

/** A wire that passed {@link checkWire}: every table present and consistent. */
export interface CheckedWire {
  readonly places: readonly object[];
  readonly facts: Facts;
  readonly keys: readonly unknown[];
  readonly classes: readonly ClassRow[];
  /** How many instances the places rebuild. */
  readonly count: number;
  readonly shapes: readonly (readonly string[])[];
  readonly rowTable: Int32Array | undefined;
  readonly rowValues: unknown[];
}

function bad(what: string): CelerityError {
  return new CelerityError('ERR_BAD_WIRE', `decode: malformed wire: ${what}`);
}

/** Checks that `value` is an array with no holes; walks only until the first hole. */
function denseArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw bad(`${name} is not an array`);
  const array = value as unknown[];
  const hole = firstHole(array);
  if (hole !== array.length) throw bad(`${name} has a hole at ${String(hole)}`);
  return array;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks the class rows: `[id, module or null, 0 | 1]`. */
export function checkClasses(value: unknown): ClassRow[] {
  const rows = denseArray(value, 'the class table (c)');
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== 3) throw bad(`class row ${String(i)} is not [id, module, isError]`);
    const [id, module, isError] = row as unknown[];
    if (typeof id !== 'string') throw bad(`class row ${String(i)} has no string id`);
    if (module !== null && typeof module !== 'string') throw bad(`class row ${String(i)} has a module that is neither a string nor null`);
    if (isError !== 0 && isError !== 1) throw bad(`class row ${String(i)} has an error flag that is neither 0 nor 1`);
    if (id === '' && isError !== 1) throw bad(`class row ${String(i)} has an empty id but is not an error`);
  });
  return rows as ClassRow[];
}

/** Checks an instance reference: a class index (`~i` when boxed) and an instance number. */
function checkReference(cls: unknown, instance: unknown, classes: number, count: number, where: string): void {
  // Facts are Int32Array entries (integers already); box list entries may be anything.
  if (typeof cls !== 'number' || (cls < 0 ? ~cls : cls) >= classes || !Number.isInteger(cls)) throw bad(`${where} names class ${String(cls)}, but the wire has ${String(classes)}`);
  if (typeof instance !== 'number' || instance < 0 || instance >= count || !Number.isInteger(instance)) throw bad(`${where} names instance ${String(instance)}, but the wire rebuilds ${String(count)}`);
}

/** Checks a box list of a Map-keys or Set-members place: `[box, class, instance, ...]`, boxes being `[data]`. */
function checkBoxList(value: unknown, container: Map<unknown, unknown> | Set<unknown>, where: string): unknown[] {
  const list = denseArray(value, `the box list of ${where}`);
  if (list.length % 3 !== 0 || list.length / 3 > container.size) throw bad(`the box list of ${where} does not fit its ${container instanceof Map ? 'Map' : 'Set'}`);
  for (let j = 0; j < list.length; j += 3) {
    const box = list[j];
    if (!Array.isArray(box) || !(0 in box)) throw bad(`a box of ${where} is not [data]`);
  }
  return list;
}

/** The facts of a wire (see {@link Wire.f}), checked: an Int32Array, or a list of 32-bit integers. */
function factsOf(facts: unknown): Facts {
  if (facts instanceof Int32Array) return facts;
  if (!Array.isArray(facts)) throw bad('the facts (f) are neither an Int32Array nor a list');
  const list = facts as unknown[];
  // Until the first slot that is not an int: a list claiming a great length stops at its first hole.
  for (let i = 0; i < list.length; i++) {
    const fact = list[i];
    if (typeof fact !== 'number' || (fact | 0) !== fact) throw bad(`fact ${String(i)} is not a 32-bit integer`);
  }
  return list as number[];
}

/**
 * Checks every table of `wire` (whose `w` and table types `isWire` has seen) and returns them
 * read as own properties. Throws `ERR_BAD_WIRE`.
 */
export function checkWire(wire: Wire): CheckedWire {
  const facts = factsOf(own(wire, 'f'));
  const places = denseArray(own(wire, 'p'), 'the place list (p)');
  if (facts.length !== places.length * FACT_SLOTS) throw bad(`the facts (f) hold ${String(facts.length)} slots for ${String(places.length)} places`);
  const keys = denseArray(own(wire, 'k'), 'the key table (k)');
  if (keys.length > places.length) throw bad(`the key table (k) has more entries than there are places`);
  const rowValues = own(wire, 'd');
  const values = rowValues === undefined ? [] : rowValues;
  if (!Array.isArray(values)) throw bad('the row values (d) are not an array');

  // The class table and the instance count are checked against the references once those are
  // counted; until then they only need to be well-formed (the class table is walked until its
  // first hole, so it costs what it holds).
  const classes = checkClasses(own(wire, 'c'));
  const count = own(wire, 'n');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw bad(`the instance count (n) is ${String(count)}`);
  // Decoding writes into the containers: none may be a table the decoder still reads.
  const tables = new Set<unknown>([places, keys, values, own(wire, 'c'), ...classes]);
  const shapeList = own(wire, 's');
  if (Array.isArray(shapeList)) {
    tables.add(shapeList);
    for (let i = 0; i < shapeList.length && i in shapeList; i++) tables.add(shapeList[i]);
  }
  let boxLists: Set<unknown> | undefined;
  // One pass: kinds, containers, keys and instance references; counts the references.
  let references = 0;
  for (let i = 0, j = 0; i < places.length; i++, j += FACT_SLOTS) {
    const container = places[i];
    const kind = facts[j] as number;
    if (kind !== PLACE_ROW_VALUE && tables.has(container)) throw bad(`place ${String(i)} writes into one of the wire's own tables`);
    // The wire itself holds the value: an instance at the root is a place of the wire at "v".
    if (container === wire && (kind !== PLACE_PROPERTY || facts[j + 3] !== ~keys.indexOf('v') || keys.indexOf('v') < 0)) throw bad(`place ${String(i)} writes into the wire itself`);
    const ref = facts[j + 3] as number;
    if (ref < 0 && ~ref >= keys.length) throw bad(`place ${String(i)} names key ${String(~ref)}, but the key table has ${String(keys.length)}`);
    const key = ref >= 0 ? ref : keys[~ref];
    switch (kind) {
      case PLACE_PROPERTY:
        if (Array.isArray(container) && typeof key === 'number') {
          // An index (from the facts: an integer >= 0) inside the array; a hole reads as undefined.
          if (key >= container.length) throw bad(`place ${String(i)} names element ${String(key)} of an array of ${String(container.length)}`);
          break;
        }
        if (!Array.isArray(container) && !isPlainObject(container)) throw bad(`place ${String(i)} puts an instance into something that is neither an array nor a plain object`);
        if (typeof key !== 'string' && typeof key !== 'number') throw bad(`place ${String(i)} has a key that is neither a string nor a number`);
        // Never an inherited value (`constructor`, `__proto__` ...) as an instance's data.
        if (!Object.hasOwn(container, key)) throw bad(`place ${String(i)} names property ${JSON.stringify(String(key))}, which its container does not have`);
        break;
      case PLACE_MAP_VALUE:
        if (!(container instanceof Map)) throw bad(`place ${String(i)} is a Map value, but its container is not a Map`);
        if (!container.has(key)) throw bad(`place ${String(i)} names a Map key its Map does not have`);
        break;
      case PLACE_MAP_KEYS:
      case PLACE_SET_MEMBERS: {
        const isMap = kind === PLACE_MAP_KEYS;
        if (isMap ? !(container instanceof Map) : !(container instanceof Set)) throw bad(`place ${String(i)} rebuilds ${isMap ? 'Map keys' : 'Set members'}, but its container is not a ${isMap ? 'Map' : 'Set'}`);
        const list = checkBoxList(key, container as Map<unknown, unknown> | Set<unknown>, `place ${String(i)}`);
        (boxLists ??= new Set()).add(list);
        for (let b = 0; b < list.length; b += 3) checkReference(list[b + 1], list[b + 2], classes.length, count, `a box of place ${String(i)}`);
        references += list.length / 3;
        continue;
      }
      case PLACE_ROW_VALUE:
        // A row value's place names no container: it is the row values, `d`.
        if (typeof key !== 'number' || key >= values.length) throw bad(`place ${String(i)} names row value ${String(key)}, but there are ${String(values.length)}`);
        break;
      case PLACE_NULL_PROTOTYPE:
        if (!isPlainObject(container)) throw bad(`place ${String(i)} takes the prototype from something that is not a plain object`);
        continue;
      default:
        throw bad(`place ${String(i)} has the unknown kind ${String(kind)}`);
    }
    // Facts are Int32Array entries: integers already.
    const cls = facts[j + 1] as number;
    const instance = facts[j + 2] as number;
    if ((cls < 0 ? ~cls : cls) >= classes.length || instance < 0 || instance >= count) checkReference(cls, instance, classes.length, count, `place ${String(i)}`);
    references++;
  }
  if (boxLists !== undefined) {
    // Box lists are read as their places come up: no place may write into one before that.
    for (let i = 0, j = 0; i < places.length; i++, j += FACT_SLOTS) {
      if (facts[j] !== PLACE_ROW_VALUE && boxLists.has(places[i])) throw bad(`place ${String(i)} writes into a box list`);
    }
  }
  if (classes.length > references) throw bad(`the class table (c) lists ${String(classes.length)} classes for ${String(references)} instance references`);
  if (count > references) throw bad(`the instance count (n) is ${String(count)}, but the places refer to ${String(references)} instances`);

  const rows = checkRows(wire, count, values);
  return { places: places as object[], facts, keys, classes, count, shapes: rows.shapes, rowTable: rows.table, rowValues: values as unknown[] };
}

/** Checks the row tables: a shape index and offset per instance, each row inside the row values. */
function checkRows(wire: Wire, count: number, values: readonly unknown[]): { shapes: (readonly string[])[]; table: Int32Array | undefined } {
  const table = own(wire, 'r');
  if (table === undefined) return { shapes: [], table: undefined };
  if (!(table instanceof Int32Array) || table.length !== count * ROW_SLOTS) throw bad('the row table (r) does not hold one shape and offset per instance');
  const shapes = denseArray(own(wire, 's'), 'the row shapes (s)');
  if (shapes.length > count) throw bad('there are more row shapes (s) than instances');
  shapes.forEach((shape, i) => {
    const keys = denseArray(shape, `row shape ${String(i)}`);
    for (const key of keys) if (typeof key !== 'string') throw bad(`row shape ${String(i)} holds a key that is not a string`);
  });
  for (let i = 0; i < table.length; i += ROW_SLOTS) {
    const shape = table[i] as number;
    if (shape === -1) continue;
    const offset = table[i + 1] as number;
    const keys = shapes[shape] as readonly string[] | undefined;
    if (keys === undefined) throw bad(`instance ${String(i / ROW_SLOTS)} has row shape ${String(shape)}, but there are ${String(shapes.length)}`);
    if (offset < 0 || offset + keys.length > values.length) throw bad(`the row of instance ${String(i / ROW_SLOTS)} lies outside the row values (d)`);
  }
  return { shapes: shapes as (readonly string[])[], table };
}
