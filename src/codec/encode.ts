/**
 * The encoder: turns a value into a {@link Wire} for structured clone.
 *
 * It walks the value once. Plain data costs a type check per node and is never copied; a
 * container is copied (shallowly) only when something inside it is replaced, so the input is
 * never mutated. Each registered instance is converted once (a memo keeps shared instances as
 * one) and recorded as a *place*, innermost first, so decode can rebuild it without a walk.
 *
 * This encoder assumes the plain containers form a tree or DAG, and recurses. When it meets a
 * cycle through plain containers, or nesting deeper than {@link RECURSION_LIMIT}, it throws
 * {@link RESTART} and the caller re-encodes with the subclass in `encode-graph.ts`, whose walk
 * handles cycles and keeps its own stack.
 * @module
 */
import { BuiltInKind, classifyBuiltIn, className, describeClass } from './builtins.js';
import { brokenViewError, TO_THREAD, unregisteredError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from './path.js';
import { ENTRY_KEY, registryTable, type RegistryEntry } from './registry.js';
import { copyArray, copyMapPrefix, copyObject, copySetPrefix, presentIndices } from './copy.js';
import { namedKeys } from './array-named-keys.js';
import { getOwn, setOwn } from './own-property.js';
import { InstanceEncoder, uncloneable } from './encode-instances.js';
import { boxedMember } from './encode-places.js';
import {
  PLACE_MAP_KEYS,
  PLACE_MAP_VALUE,
  PLACE_NULL_PROTOTYPE,
  PLACE_PROPERTY,
  PLACE_SET_MEMBERS,
  WIRE_VERSION,
  type Wire,
} from './wire.js';

/** Thrown by the fast encoder when it meets a cycle through plain containers, or deep nesting. */
export const RESTART: unique symbol = Symbol('celerity.encode.restart');

/**
 * The nesting depth at which the fast encoder hands the value over: well inside what the call
 * stack of a main thread takes (about 1,800 levels of arrays), and far beyond what real data has.
 */
const RECURSION_LIMIT = 1_000;
/** Ancestors up to this depth are found by a scan, deeper ones by a Set (see `Encoder.enter`). */
const SCANNED_DEPTH = 64;

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

type PlainObject = Record<string, unknown>;

export { SHARED_ROW } from './encode-instances.js';

/**
 * One encode call's walk over the containers of a value. Not reusable. Instances are converted
 * by the class it builds on (`encode-instances.ts`).
 */
export class Encoder extends InstanceEncoder {
  protected readonly strict: boolean;
  protected readonly byPrototype = registryTable().byPrototype;
  private readonly ancestors: object[] = [];
  /** The ancestors deeper than {@link SCANNED_DEPTH} (see {@link enter}). */
  private deepAncestors: Set<object> | undefined;
  private depth = 0;

  /**
   * Creates the state for one encode call; `rows: false` keeps every instance's data an object
   * (for values in which an object returned by `toSerialisable()` is shared).
   */
  constructor(strict: boolean, rows = true) {
    super(rows);
    this.strict = strict;
  }

  /** Encodes `value` into a fresh wire. */
  run(value: unknown): Wire {
    const wire: Wire = { w: WIRE_VERSION, v: undefined };
    wire.v = this.value(value);
    if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, wire, 'v');
    this.writePlaces(wire, this.instanceCount);
    this.writeRows(wire);
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
      case BuiltInKind.BrokenView:
        throw brokenViewError(className(value), TO_THREAD);
      default:
        if (this.strict) throw unregistered(value);
        // Not strict: send it as structured clone would, a plain object of its own properties.
        return this.object(value as PlainObject, false);
    }
  }

  /**
   * Marks `container` as being walked; a container met again inside itself is a cycle. The
   * shallowest {@link SCANNED_DEPTH} ancestors are scanned (cheapest for the usual shallow data);
   * deeper ones sit in a Set, so a deep chain costs time in proportion to its depth, not its square.
   */
  protected enter(container: object): void {
    const depth = this.depth;
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (depth === RECURSION_LIMIT) throw RESTART;
    const ancestors = this.ancestors;
    const scanned = depth < SCANNED_DEPTH ? depth : SCANNED_DEPTH;
    for (let i = 0; i < scanned; i++) {
      // A sentinel, not an error: `encode` catches it and never lets it escape.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (ancestors[i] === container) throw RESTART;
    }
    if (depth >= SCANNED_DEPTH) {
      const deep = (this.deepAncestors ??= new Set<object>());
      const size = deep.size;
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (deep.add(container).size === size) throw RESTART;
    }
    ancestors[this.depth++] = container;
  }

  protected leave(): void {
    const depth = --this.depth;
    if (depth >= SCANNED_DEPTH) this.deepAncestors?.delete(this.ancestors[depth] as object);
  }

  /** Ends the walk of a container: returns its copy, if it needed one (see {@link rememberCopy}). */
  private finish(source: object, copy: object | undefined, isDataRoot: boolean): unknown {
    this.leave();
    return copy === undefined ? source : this.rememberCopy(source, copy, isDataRoot);
  }

  /**
   * Walks a plain object. A null-prototype one also gets a place, since structured clone gives it
   * `Object.prototype` and decode has to take that away again.
   */
  protected object(source: PlainObject, nullPrototype: boolean): unknown {
    const known = this.knownCopy(source);
    if (known !== undefined) return known;
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
    const known = this.knownCopy(source);
    if (known !== undefined) return known;
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    let copy: unknown[] | undefined;
    let i = 0;
    try {
      for (const length = source.length; i < length; i++) {
        const child = source[i];
        if (child === undefined && !(i in source)) {
          // A hole: from here on, only the elements the array has.
          for (const index of presentIndices(source, i)) {
            i = index;
            copy = this.element(source, index, copy, true);
          }
          break;
        }
        if (typeof child === 'object' && child !== null) copy = this.element(source, i, copy, false);
        else if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
      }
    } catch (e) {
      addSegment(e, propertySegment(i));
      throw e;
    }
    const named = namedKeys(source);
    if (named !== undefined) copy = this.namedElements(source, named, copy);
    return this.finish(source, copy, isDataRoot);
  }

  /** Converts the named properties of an array (see {@link element}). */
  private namedElements(source: unknown[], named: readonly string[], copy: unknown[] | undefined): unknown[] | undefined {
    for (const key of named) {
      try {
        copy = this.element(source, key, copy, false);
      } catch (e) {
        addSegment(e, propertySegment(key));
        throw e;
      }
    }
    return copy;
  }

  /**
   * Converts element `index` of `source`; returns the array's copy, made (on the first change, as
   * a sparse copy when `sparse`) or as it was.
   */
  private element(source: unknown[], index: number | string, copy: unknown[] | undefined, sparse: boolean): unknown[] | undefined {
    const child = getOwn(source, index);
    if (typeof child !== 'object' || child === null) {
      if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
      return copy;
    }
    const result = this.value(child);
    if (this.pendingInstance >= 0) {
      copy ??= copyArray(source, sparse);
      setOwn(copy, index, result);
      this.place(PLACE_PROPERTY, copy, index);
    } else if (result !== child) {
      copy ??= copyArray(source, sparse);
      setOwn(copy, index, result);
    }
    return copy;
  }

  protected map(source: Map<unknown, unknown>): unknown {
    const known = this.knownCopy(source);
    if (known !== undefined) return known;
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
          newKey = boxedMember((keyFixes ??= []), newKey, this.pendingClass, this.pendingInstance);
          this.pendingInstance = -1;
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
    const known = this.knownCopy(source);
    if (known !== undefined) return known;
    const isDataRoot = source === this.dataRoot;
    this.enter(source);
    let copy: Set<unknown> | undefined;
    let memberFixes: unknown[] | undefined;
    let index = 0;
    try {
      for (const member of source) {
        let result = this.value(member);
        if (this.pendingInstance >= 0) {
          result = boxedMember((memberFixes ??= []), result, this.pendingClass, this.pendingInstance);
          this.pendingInstance = -1;
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

/** The ERR_UNREGISTERED_CLASS error for an instance of an unknown class. */
function unregistered(value: object): Error {
  return unregisteredError(describeClass(value), TO_THREAD);
}
