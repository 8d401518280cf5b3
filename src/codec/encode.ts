/**
 * The encoder: turns a value into a {@link Wire} for structured clone.
 *
 * It walks the value once. Plain data costs a type check per node and is never copied; a
 * container is copied (shallowly) only when something inside it is replaced, so the input is
 * never mutated. Each registered instance is converted once (a memo keeps shared instances as
 * one) and recorded as a *place*, innermost first, so decode can rebuild it without a walk.
 *
 * This encoder assumes the plain containers form a tree or DAG. When it meets a cycle through
 * plain containers it throws {@link RESTART} and the caller re-encodes with the cycle-aware
 * subclass in `encode-cyclic.ts`.
 * @module
 */
import { BuiltInKind, classifyBuiltIn, className } from './builtins.js';
import { errorToRecord } from './error-record.js';
import { TO_THREAD, uncloneableError, unregisteredError, instanceCycleError, toSerialisableError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from './path.js';
import { ENTRY_KEY, registryTable, type RegistryEntry, type Serialisable } from './registry.js';
import { internRowShape, shapeIndex, type RowShape } from './row-shape.js';
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

/** Thrown by the fast encoder when it meets a cycle through plain containers. */
export const RESTART: unique symbol = Symbol('celerity.encode.restart');

/**
 * Thrown by the fast encoder when an object sent as a row is also reached elsewhere in the value:
 * a row is rebuilt as a new object, so such a value is encoded again without rows to keep it one.
 */
export const SHARED_ROW: unique symbol = Symbol('celerity.encode.shared-row');

/** Options of `encode`. */
export interface EncodeOptions {
  /**
   * `true` (the default): an instance of an unregistered class is an error. `false`: it is sent
   * as structured clone would send it, as a plain object of its own enumerable properties.
   */
  strict?: boolean;
  /** The name error paths start from, e.g. `args` gives `args[0].stops[3]`. Default `value`. */
  path?: string;
}

/** The facts array before the first place is recorded. */
const NO_FACTS = new Int32Array(0);

/** Marks an instance whose data is still being encoded (so meeting it again is a cycle). */
const IN_PROGRESS = Symbol('in progress');

/** What stands in a container for an instance whose data travels as a row (decode replaces it). */
const ROW_DATA = 0;

/**
 * Instances whose data is always sent as an object: rows pay a fixed cost per wire (the row table,
 * the shapes, a builder lookup on decode) that only many instances win back, so a small value keeps
 * the plain layout, and a large one switches to rows after its first few instances.
 */
const OBJECT_INSTANCES = 16;

/** Stands for "an Error whose class is not registered" in the class table. */
const UNREGISTERED_ERROR = Symbol('unregistered error');

type PlainObject = Record<string, unknown>;

/** One encode call's state. Not reusable. */
export class Encoder {
  protected readonly strict: boolean;
  protected readonly byPrototype = registryTable().byPrototype;
  /** The container of each place. */
  protected readonly places: unknown[] = [];
  /** Kind, class, instance and key of each place, beside {@link places}. Grown on first use. */
  private facts = NO_FACTS;
  private factCount = 0;
  /** Keys that are not small integers (see `keyRef`), each string once. */
  private readonly keys: unknown[] = [];
  private keyIndex: Map<string, number> | undefined;
  private lastKey: string | undefined;
  private lastKeyRef = 0;
  private readonly classes: ClassRow[] = [];
  private classIndex: Map<RegistryEntry | symbol, number> | undefined;
  private lastEntry: RegistryEntry | symbol | undefined;
  private lastClass = -1;
  /**
   * Every instance met, and every object sent as a row: one `add` per object both finds an
   * instance met before and proves a row's object unshared. Like the other maps here it is made
   * on first use, so plain data pays for none of them.
   */
  private seen: Set<object> | undefined;
  /** Each instance by number; indexed by {@link instanceIndex} once one is met twice. */
  private readonly instanceObjects: object[] = [];
  private instanceIndex: Map<object, number> | undefined;
  private readonly instanceClasses: number[] = [];
  private readonly instanceData: unknown[] = [];
  private instanceCount = 0;
  /** The object the current `toSerialisable()` returned (see `finish`). */
  private dataRoot: unknown;
  /** Nesting depth of instances whose data is being encoded (the cyclic encoder needs it). */
  protected instanceDepth = 0;
  /**
   * Class index and instance number of the value the last `value()` call returned, when that value
   * replaced an instance; `pendingInstance` is -1 otherwise. The caller records the place.
   */
  protected pendingClass = 0;
  protected pendingInstance = -1;
  private readonly ancestors: object[] = [];
  private depth = 0;
  private copies: Map<object, object> | undefined;
  /**
   * Copies of objects that `toSerialisable()` returned, as `[source, copy, ...]`: kept out of
   * {@link copies} because such an object is almost always fresh and a map entry per instance is
   * costly. Indexed only if one could be reached again (see `finish`).
   */
  private readonly dataCopies: object[] = [];
  private dataCopyIndex: Map<object, object> | undefined;
  /** Set once an instance or a copied container has been met twice. */
  private sharing = false;
  /** Whether instance data that is a plain object may travel as a row (see `row-shape.ts`). */
  private readonly rows: boolean;
  /** The values of every row, one row after another. */
  private readonly rowValues: unknown[] = [];
  /** Shape index and offset in {@link rowValues} of each instance, or -1 (see `Wire.r`). */
  private rowTable = NO_FACTS;
  /** The shapes this call used, and their key lists as they go on the wire. */
  private readonly rowShapes: RowShape[] = [];
  private readonly shapeKeys: (readonly string[])[] = [];
  /** Whether some instance's data went as a row. */
  private rowsUsed = false;
  /** Every plain object walked as a container, checked against {@link rowRoots} at the end. */
  private readonly walkedObjects: object[] = [];
  /**
   * Rows being filled, stacked: a row's values are gathered here while its nested values (which
   * may be rows themselves) are encoded, then appended to {@link rowValues} whole.
   */
  private readonly rowScratch: unknown[] = [];
  private rowTop = 0;
  /** Instances among the values of the rows being filled, as (index in row, class, instance). */
  private readonly rowInstances: number[] = [];
  private rowInstanceTop = 0;

  /**
   * Creates the state for one encode call; `rows: false` keeps every instance's data an object
   * (for values in which an object returned by `toSerialisable()` is shared).
   */
  constructor(strict: boolean, rows = true) {
    this.strict = strict;
    this.rows = rows;
  }

  /** Encodes `value` into a fresh wire. */
  run(value: unknown): Wire {
    const wire: Wire = { w: WIRE_VERSION, v: undefined };
    wire.v = this.value(value);
    if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, wire, 'v');
    if (this.places.length > 0) {
      wire.p = this.places;
      wire.f = this.facts.slice(0, this.factCount);
      wire.k = this.keys;
      wire.c = this.classes;
      wire.n = this.instanceCount;
    }
    if (this.rowsUsed) {
      this.checkRowsUnshared(this.seen as Set<object>);
      wire.s = this.shapeKeys;
      wire.r = this.rowTableOf(this.instanceCount);
      wire.d = this.rowValues;
    }
    return wire;
  }

  /** Encodes one value; see {@link pendingInstance} for how instances are reported. */
  protected value(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') throw uncloneable(typeof value);
      return value;
    }
    if (Array.isArray(value)) return this.array(value as unknown[]);
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Object.prototype) return this.object(value as PlainObject, false);
    if (prototype === null) return this.object(value as PlainObject, true);
    if (prototype === Date.prototype) return value;
    const own = (value as { [ENTRY_KEY]?: RegistryEntry })[ENTRY_KEY];
    if (own !== undefined && own.prototype === prototype) return this.instance(value, own);
    const entry = this.byPrototype.get(prototype);
    if (entry !== undefined) return this.instance(value, entry);
    switch (classifyBuiltIn(value, prototype)) {
      case BuiltInKind.Leaf:
        return value;
      case BuiltInKind.Map:
        return this.map(value as Map<unknown, unknown>);
      case BuiltInKind.Set:
        return this.set(value as Set<unknown>);
      case BuiltInKind.Error:
        return this.instance(value, undefined);
      case BuiltInKind.Uncloneable:
        throw uncloneable(className(value));
      default:
        if (this.strict) throw unregistered(value);
        // Not strict: send it as structured clone would, a plain object of its own properties.
        return this.object(value as PlainObject, false);
    }
  }

  /** Records a place for the instance the last `value()` call reported. */
  protected place(kind: number, container: unknown, key: unknown): void {
    this.record(kind, container, key, this.pendingClass, this.pendingInstance);
    this.pendingInstance = -1;
  }

  /** Appends a place: its container to {@link places}, its numbers and key reference to the facts. */
  protected record(kind: number, container: unknown, key: unknown, cls: number, instance: number): void {
    this.places.push(container);
    let facts = this.facts;
    const n = this.factCount;
    if (n + FACT_SLOTS > facts.length) {
      const grown = new Int32Array(Math.max(128, facts.length * 2));
      grown.set(facts);
      this.facts = facts = grown;
    }
    facts[n] = kind;
    facts[n + 1] = cls;
    facts[n + 2] = instance;
    facts[n + 3] = this.keyRef(key);
    this.factCount = n + FACT_SLOTS;
  }

  /**
   * A place's key as an int: array indices as themselves, anything else as `~i` into the key
   * table. Strings are stored once, so a property name repeated on every instance is cloned once.
   */
  private keyRef(key: unknown): number {
    if (typeof key === 'number' && key >= 0 && key <= 0x7fffffff && Number.isInteger(key)) return key;
    if (typeof key === 'string') {
      if (key === this.lastKey) return this.lastKeyRef;
      const keyIndex = (this.keyIndex ??= new Map<string, number>());
      let index = keyIndex.get(key);
      if (index === undefined) {
        index = this.keys.push(key) - 1;
        keyIndex.set(key, index);
      }
      this.lastKey = key;
      this.lastKeyRef = ~index;
      return ~index;
    }
    return ~(this.keys.push(key) - 1);
  }

  /** Converts a registered instance (or any Error, when `entry` is undefined) once. */
  protected instance(value: object, entry: RegistryEntry | undefined): unknown {
    const met = (this.seen ??= new Set<object>());
    const size = met.size;
    if (met.add(value).size === size) {
      const seen = this.numberOf(value);
      const data = this.instanceData[seen];
      if (data === IN_PROGRESS) {
        throw instanceCycleError(describeInstance(value, entry), entry?.id);
      }
      this.sharing = true;
      this.pendingClass = this.instanceClasses[seen] as number;
      this.pendingInstance = seen;
      return data;
    }
    const instance = this.instanceCount++;
    let cls = this.classFor(entry);
    this.instanceObjects.push(value);
    this.instanceIndex?.set(value, instance);
    this.instanceData[instance] = IN_PROGRESS;
    this.instanceDepth++;
    let data: unknown;
    if (entry === undefined || entry.isError) {
      data = this.errorData(value as Error);
    } else {
      let raw: unknown;
      try {
        raw = (value as Serialisable).toSerialisable();
      } catch (cause) {
        throw toSerialisableError(entry.id, cause);
      }
      if (this.rows && instance >= OBJECT_INSTANCES && typeof raw === 'object' && raw !== null && Object.getPrototypeOf(raw) === Object.prototype) {
        this.row(instance, raw as PlainObject, entry);
        data = ROW_DATA;
      } else {
        this.dataRoot = raw;
        data = this.value(raw);
      }
      if (this.pendingInstance >= 0) {
        // The data is itself an instance: box it so it has a container to be rebuilt in.
        const box = [data];
        this.place(PLACE_PROPERTY, box, 0);
        data = box;
        cls = ~cls;
      }
    }
    this.instanceDepth--;
    this.instanceClasses[instance] = cls;
    this.instanceData[instance] = data;
    this.pendingClass = cls;
    this.pendingInstance = instance;
    return data;
  }

  /**
   * Sends `raw`, the plain object `instance`'s `toSerialisable()` returned, as a row: its values
   * go to {@link rowValues} and its key list to the wire's shapes. Throws {@link SHARED_ROW} when
   * another instance returned the same object.
   */
  private row(instance: number, raw: PlainObject, entry: RegistryEntry): void {
    const met = this.seen as Set<object>;
    const before = met.size;
    // A sentinel, not an error: `encode` catches it and never lets it escape.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (met.add(raw).size === before) throw SHARED_ROW;
    this.rowsUsed = true;
    this.enter(raw);
    const scratch = this.rowScratch;
    const start = this.rowTop;
    const instancesStart = this.rowInstanceTop;
    let shape = entry.rowShape;
    const expected = shape?.keys;
    // Built only when the keys differ from the shape this class's data had last.
    let keys: string[] | undefined;
    let count = 0;
    let key = '';
    try {
      for (key in raw) {
        if (keys === undefined && expected?.[count] !== key) keys = expected === undefined ? [] : expected.slice(0, count);
        keys?.push(key);
        const child = raw[key];
        if (typeof child !== 'object' || child === null) {
          if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
          scratch[this.rowTop++] = child;
        } else {
          const result = this.value(child);
          if (this.pendingInstance >= 0) {
            const found = this.rowInstances;
            const top = this.rowInstanceTop;
            found[top] = count;
            found[top + 1] = this.pendingClass;
            found[top + 2] = this.pendingInstance;
            this.rowInstanceTop = top + 3;
            this.pendingInstance = -1;
          }
          scratch[this.rowTop++] = result;
        }
        count++;
      }
    } catch (e) {
      addSegment(e, propertySegment(key));
      throw e;
    }
    this.depth--;
    if (keys === undefined && expected?.length !== count) keys = expected === undefined ? [] : expected.slice(0, count);
    if (keys !== undefined || shape === undefined) {
      shape = internRowShape(keys ?? [], this.rowShapes, this.shapeKeys);
      entry.rowShape = shape;
    }
    const values = this.rowValues;
    const offset = values.length;
    for (let i = start; i < this.rowTop; i++) values.push(scratch[i]);
    this.rowTop = start;
    const found = this.rowInstances;
    for (let i = instancesStart; i < this.rowInstanceTop; i += 3) {
      this.record(PLACE_ROW_VALUE, ROW_DATA, offset + (found[i] as number), found[i + 1] as number, found[i + 2] as number);
    }
    this.rowInstanceTop = instancesStart;
    this.setRow(instance, shapeIndex(shape, this.rowShapes, this.shapeKeys), offset);
  }

  /** Notes that `instance`'s data is the row of shape `shape` at `offset`. */
  private setRow(instance: number, shape: number, offset: number): void {
    let table = this.rowTable;
    const at = instance * ROW_SLOTS;
    if (at + ROW_SLOTS > table.length) {
      const grown = new Int32Array(Math.max(64, table.length * 2, at + ROW_SLOTS)).fill(-1);
      grown.set(table);
      this.rowTable = table = grown;
    }
    table[at] = shape;
    table[at + 1] = offset;
  }

  /** The number of an instance met before. */
  private numberOf(value: object): number {
    let index = this.instanceIndex;
    if (index === undefined) {
      index = this.instanceIndex = new Map();
      const list = this.instanceObjects;
      for (let i = 0; i < list.length; i++) index.set(list[i] as object, i);
    }
    return index.get(value) as number;
  }

  /** The row table cut (or padded with -1) to `count` instances. */
  private rowTableOf(count: number): Int32Array {
    const size = count * ROW_SLOTS;
    if (this.rowTable.length >= size) return this.rowTable.slice(0, size);
    const table = new Int32Array(size).fill(-1);
    table.set(this.rowTable);
    return table;
  }

  /**
   * Throws {@link SHARED_ROW} when an object sent as a row was also walked as a plain object
   * (`met` holds instances, which are never plain objects, and the objects sent as rows).
   */
  private checkRowsUnshared(met: Set<object>): void {
    for (const walked of this.walkedObjects) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (met.has(walked)) throw SHARED_ROW;
    }
  }

  private classFor(entry: RegistryEntry | undefined): number {
    const key = entry ?? UNREGISTERED_ERROR;
    if (key === this.lastEntry) return this.lastClass;
    const classIndex = (this.classIndex ??= new Map<RegistryEntry | symbol, number>());
    let index = classIndex.get(key);
    if (index === undefined) {
      index = this.classes.length;
      this.classes.push(entry === undefined ? ['', null, 1] : [entry.id, entry.module ?? null, entry.isError ? 1 : 0]);
      classIndex.set(key, index);
    }
    this.lastEntry = key;
    this.lastClass = index;
    return index;
  }

  /** The error protocol's record of `error`, its nested values encoded in place. */
  private errorData(error: Error): unknown {
    const record = errorToRecord(error);
    if (record.hasCause === 1) {
      try {
        record.cause = this.value(record.cause);
      } catch (e) {
        addSegment(e, '.cause');
        throw e;
      }
      if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, record, 'cause');
    }
    const errors = record.errors;
    if (errors !== undefined) {
      let i = 0;
      try {
        for (; i < errors.length; i++) {
          errors[i] = this.value(errors[i]);
          if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, errors, i);
        }
      } catch (e) {
        addSegment(e, `.errors[${i}]`);
        throw e;
      }
    }
    const props = record.props;
    if (props !== undefined) {
      let key = '';
      try {
        for (key of Object.keys(props)) {
          props[key] = this.value(props[key]);
          if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, props, key);
        }
      } catch (e) {
        addSegment(e, propertySegment(key));
        throw e;
      }
    }
    return record;
  }

  /** Marks `container` as being walked; a container met again inside itself is a cycle. */
  private enter(container: object): void {
    const ancestors = this.ancestors;
    for (let i = 0; i < this.depth; i++) {
      // A sentinel, not an error: `encode` catches it and never lets it escape.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (ancestors[i] === container) throw RESTART;
    }
    ancestors[this.depth++] = container;
  }

  /**
   * Ends the walk of a container: returns its copy, if it needed one, remembered so that a shared
   * container stays one object on the wire. The object a `toSerialisable()` call just returned goes
   * to the cheaper {@link dataCopies} list instead of {@link copies}.
   *
   * A container copied a second time holds something already converted (an instance, or a copied
   * container, met again), so only once {@link sharing} is set can it be the data of an instance
   * walked before; the first copy is then used, and this walk's copy is dropped (the places
   * recorded in it still point at the same instances, so decoding it is harmless).
   */
  private finish(source: object, copy: object | undefined, isDataRoot: boolean): unknown {
    this.depth--;
    if (copy === undefined) return source;
    if (this.sharing && this.dataCopies.length > 0) {
      const earlier = this.dataCopyOf(source);
      if (earlier !== undefined) {
        (this.copies ??= new Map()).set(source, earlier);
        return earlier;
      }
    }
    if (!isDataRoot) (this.copies ??= new Map()).set(source, copy);
    else if (this.dataCopyIndex !== undefined) this.dataCopyIndex.set(source, copy);
    else this.dataCopies.push(source, copy);
    return copy;
  }

  /** The copy made when `source` was walked as an instance's data, if it was. */
  private dataCopyOf(source: object): object | undefined {
    let index = this.dataCopyIndex;
    if (index === undefined) {
      index = this.dataCopyIndex = new Map();
      const list = this.dataCopies;
      for (let i = 0; i < list.length; i += 2) index.set(list[i] as object, list[i + 1] as object);
    }
    return index.get(source);
  }

  /**
   * Walks a plain object. A null-prototype one also gets a place, since structured clone gives it
   * `Object.prototype` and decode has to take that away again.
   */
  protected object(source: PlainObject, nullPrototype: boolean): unknown {
    if (this.copies !== undefined) {
      const known = this.copies.get(source);
      if (known !== undefined) {
        this.sharing = true;
        return known;
      }
    }
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    this.walkedObjects.push(source);
    let copy: PlainObject | undefined;
    let key = '';
    try {
      for (key in source) {
        const child = source[key];
        if (typeof child !== 'object' || child === null) {
          if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
          continue;
        }
        const result = this.value(child);
        if (this.pendingInstance >= 0) {
          copy ??= copyObject(source);
          copy[key] = result;
          this.place(PLACE_PROPERTY, copy, key);
        } else if (result !== child) {
          copy ??= copyObject(source);
          copy[key] = result;
        }
      }
    } catch (e) {
      addSegment(e, propertySegment(key));
      throw e;
    }
    const result = this.finish(source, copy, isDataRoot);
    if (nullPrototype) this.record(PLACE_NULL_PROTOTYPE, result, 0, -1, -1);
    return result;
  }

  protected array(source: unknown[]): unknown {
    if (this.copies !== undefined) {
      const known = this.copies.get(source);
      if (known !== undefined) {
        this.sharing = true;
        return known;
      }
    }
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    let copy: unknown[] | undefined;
    let i = 0;
    try {
      for (const length = source.length; i < length; i++) {
        const child = source[i];
        if (typeof child !== 'object' || child === null) {
          if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
          continue;
        }
        const result = this.value(child);
        if (this.pendingInstance >= 0) {
          copy ??= source.slice();
          copy[i] = result;
          this.place(PLACE_PROPERTY, copy, i);
        } else if (result !== child) {
          copy ??= source.slice();
          copy[i] = result;
        }
      }
    } catch (e) {
      addSegment(e, propertySegment(i));
      throw e;
    }
    return this.finish(source, copy, isDataRoot);
  }

  protected map(source: Map<unknown, unknown>): unknown {
    if (this.copies !== undefined) {
      const known = this.copies.get(source);
      if (known !== undefined) {
        this.sharing = true;
        return known;
      }
    }
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    let copy: Map<unknown, unknown> | undefined;
    let keyFixes: unknown[] | undefined;
    let index = 0;
    let key: unknown;
    let inKey = true;
    try {
      for (const [originalKey, value] of source) {
        key = originalKey;
        inKey = true;
        let newKey = this.value(originalKey);
        let changed = newKey !== originalKey;
        if (this.pendingInstance >= 0) {
          // An instance as a key: box it so the Map can be rebuilt once, in order, on decode.
          const box = [newKey];
          (keyFixes ??= []).push(box, this.pendingClass, this.pendingInstance);
          this.pendingInstance = -1;
          newKey = box;
          changed = true;
        }
        inKey = false;
        const newValue = this.value(value);
        const valueIsInstance = this.pendingInstance >= 0;
        if (changed || valueIsInstance || newValue !== value) copy ??= copyMapPrefix(source, index);
        if (copy !== undefined) {
          copy.set(newKey, newValue);
          if (valueIsInstance) this.place(PLACE_MAP_VALUE, copy, newKey);
        }
        index++;
      }
    } catch (e) {
      addSegment(e, inKey ? mapKeySegment(index) : mapValueSegment(key));
      throw e;
    }
    if (keyFixes !== undefined) this.record(PLACE_MAP_KEYS, copy, keyFixes, -1, -1);
    return this.finish(source, copy, isDataRoot);
  }

  protected set(source: Set<unknown>): unknown {
    if (this.copies !== undefined) {
      const known = this.copies.get(source);
      if (known !== undefined) {
        this.sharing = true;
        return known;
      }
    }
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    let copy: Set<unknown> | undefined;
    let memberFixes: unknown[] | undefined;
    let index = 0;
    try {
      for (const member of source) {
        let result = this.value(member);
        if (this.pendingInstance >= 0) {
          const box = [result];
          (memberFixes ??= []).push(box, this.pendingClass, this.pendingInstance);
          this.pendingInstance = -1;
          result = box;
        }
        if (result !== member) copy ??= copySetPrefix(source, index);
        copy?.add(result);
        index++;
      }
    } catch (e) {
      addSegment(e, setMemberSegment(index));
      throw e;
    }
    if (memberFixes !== undefined) this.record(PLACE_SET_MEMBERS, copy, memberFixes, -1, -1);
    return this.finish(source, copy, isDataRoot);
  }
}

/** A shallow copy of a plain object, keeping a null prototype and own `__proto__` keys as data. */
export function copyObject(source: PlainObject): PlainObject {
  // Spread defines properties (it never calls the `__proto__` setter), so such keys stay data.
  return Object.getPrototypeOf(source) === null ? Object.assign(Object.create(null) as PlainObject, source) : { ...source };
}

function copyMapPrefix(source: Map<unknown, unknown>, count: number): Map<unknown, unknown> {
  const copy = new Map<unknown, unknown>();
  if (count === 0) return copy;
  for (const [key, value] of source) {
    copy.set(key, value);
    if (copy.size === count) break;
  }
  return copy;
}

function copySetPrefix(source: Set<unknown>, count: number): Set<unknown> {
  const copy = new Set<unknown>();
  if (count === 0) return copy;
  for (const member of source) {
    copy.add(member);
    if (copy.size === count) break;
  }
  return copy;
}

/** The ERR_UNCLONEABLE error for a value of the given kind. */
export function uncloneable(kind: string): Error {
  return uncloneableError(kind, TO_THREAD);
}

/** The ERR_UNREGISTERED_CLASS error for an instance of an unknown class. */
export function unregistered(value: object): Error {
  return unregisteredError(className(value), TO_THREAD);
}

function describeInstance(value: object, entry: RegistryEntry | undefined): string {
  return entry === undefined ? `The ${className(value)} error` : `An instance of ${entry.id}`;
}
