/**
 * The per-thread class registry: id ↔ class, aliases and module URLs.
 *
 * It lives on `globalThis` under a `Symbol.for` key, so every copy of the library loaded in one
 * thread (a bundle beside an install, two installed versions) reads and writes the same table.
 * @module
 */
import { CelerityError, UnrecoverableError } from '../errors.js';
import type { RowShape } from './row-shape.js';

/** Anything with a `toSerialisable()` method: what a registered class's instances must offer. */
export interface Serialisable<Data = unknown> {
  /** Returns the instance's data: any value the codec can carry, registered instances included. */
  toSerialisable(): Data;
}

/** A class whose instances are {@link Serialisable} and that can rebuild one from its data. */
export interface SerialisableClass<Instance extends Serialisable = Serialisable, Data = unknown> {
  /** The class's prototype, shared by its instances. */
  readonly prototype: Instance;
  /** Rebuilds an instance from what `toSerialisable()` returned. */
  fromSerialisable(data: Data): Instance;
}

/** Any Error subclass: these travel by the error protocol and need no methods. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** Options of {@link register} and {@link serialisable}. */
export interface RegisterOptions {
  /** The stable name on the wire. Defaults to the class's name; set it in bundled or minified apps. */
  id?: string;
  /** URL of the module that defines the class, so a thread lacking it can import it (if allowed). */
  module?: string | URL;
  /** Older ids that still decode to this class. */
  aliases?: readonly string[];
}

/** One registered class, as the codec sees it. @internal */
export interface RegistryEntry {
  readonly id: string;
  readonly cls: ClassLike;
  readonly prototype: object;
  readonly module: string | undefined;
  /** `true` for Error subclasses that travel by the error protocol. */
  readonly isError: boolean;
  /** Builds an instance from data: `fromSerialisable`, or the error protocol for errors. */
  readonly fromSerialisable: ((data: unknown) => unknown) | undefined;
  /** The key list this class's data had the last time it was sent as a row (the encoder's cache). */
  rowShape: RowShape | undefined;
  /**
   * The class table of the encode call that listed this class last (a token only), and the
   * class's index in it: values alternating between classes find their index without a lookup.
   */
  classTable?: readonly unknown[] | undefined;
  classIndex?: number;
}

/** A function with a prototype: the runtime view of a class. @internal */
export interface ClassLike {
  readonly name: string;
  readonly prototype: object;
}

/** The shared table behind the registry functions. @internal */
export interface RegistryTable {
  readonly version: 1;
  readonly byId: Map<string, RegistryEntry>;
  readonly byPrototype: Map<object, RegistryEntry>;
  readonly modules: Set<string>;
}

const REGISTRY_KEY = Symbol.for('celerity.registry.v1');

/**
 * Where a registered class's prototype keeps its entry (non-enumerable), so the encoder finds it
 * with a cached property load instead of a map lookup. An instance of an unregistered subclass
 * inherits it, so readers must check `entry.prototype` against the object's own prototype.
 * Built-in error prototypes are never touched: they are found through `byPrototype`.
 * @internal
 */
export const ENTRY_KEY: unique symbol = Symbol.for('celerity.registry.entry.v1') as never;

/** Ids of the error constructors that always decode as themselves. */
const BUILT_IN_ERRORS: readonly (readonly [string, ClassLike])[] = [
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError],
  // The library's own errors, so that a timeout, a cancel or an UnrecoverableError keeps its class
  // across a thread or a queue.
  ['celerity.CelerityError', CelerityError],
  ['celerity.UnrecoverableError', UnrecoverableError],
];

function createTable(): RegistryTable {
  const table: RegistryTable = { version: 1, byId: new Map(), byPrototype: new Map(), modules: new Set() };
  for (const [id, cls] of BUILT_IN_ERRORS) addEntry(table, makeEntry(cls, id, undefined, true));
  return table;
}

/** The registry of the current thread, created on first use. @internal */
export function registryTable(): RegistryTable {
  const holder = globalThis as { [REGISTRY_KEY]?: RegistryTable };
  return (holder[REGISTRY_KEY] ??= createTable());
}

/** Whether `cls` makes errors: `Error` or a subclass (DOMException included). */
export function isErrorClass(cls: ClassLike): boolean {
  return cls === Error || cls.prototype instanceof Error;
}

function makeEntry(cls: ClassLike, id: string, module: string | undefined, isError: boolean): RegistryEntry {
  const from = (cls as { fromSerialisable?: unknown }).fromSerialisable;
  const hasMethods = typeof from === 'function' && typeof (cls.prototype as { toSerialisable?: unknown }).toSerialisable === 'function';
  return {
    id,
    cls,
    prototype: cls.prototype,
    module,
    // An Error subclass that brings its own methods uses them; others use the error protocol.
    isError: isError && !hasMethods,
    fromSerialisable: hasMethods ? (data: unknown) => (from as (d: unknown) => unknown).call(cls, data) : undefined,
    rowShape: undefined,
    classTable: undefined,
    classIndex: -1,
  };
}

function addEntry(table: RegistryTable, entry: RegistryEntry, aliases: readonly string[] = []): void {
  table.byId.set(entry.id, entry);
  for (const alias of aliases) table.byId.set(alias, entry);
  table.byPrototype.set(entry.prototype, entry);
  if (entry.module !== undefined) table.modules.add(entry.module);
  if (!BUILT_IN_ERRORS.some(([, cls]) => cls === entry.cls)) {
    Object.defineProperty(entry.prototype, ENTRY_KEY, { value: entry, configurable: true, enumerable: false, writable: false });
  }
}

function normaliseModule(module: string | URL | undefined): string | undefined {
  if (module === undefined) return undefined;
  const text = module instanceof URL ? module.href : module;
  if (text.startsWith('file:') || /^[a-z][a-z0-9+.-]*:/i.test(text)) return text;
  throw new CelerityError('ERR_INVALID_OPTION', `register: options.module must be a module URL such as import.meta.url, got ${JSON.stringify(text)}`);
}

/**
 * Registers a class so its instances survive `encode` / `decode` (and therefore every trip to a
 * worker thread and back). Returns the class, so it can be used in a static block or inline.
 *
 * @example
 * class Point {
 *   static { register(this, { id: 'geo.Point', module: import.meta.url }); }
 *   constructor(readonly x: number, readonly y: number) {}
 *   toSerialisable() { return { x: this.x, y: this.y }; }
 *   static fromSerialisable(d: { x: number; y: number }) { return new Point(d.x, d.y); }
 * }
 */
export function register<C extends SerialisableClass | ErrorClass>(cls: C, options: RegisterOptions = {}): C {
  if (typeof cls !== 'function') {
    throw new CelerityError('ERR_NOT_SERIALISABLE', `register: expected a class, got ${typeof cls}`);
  }
  const klass = cls as unknown as ClassLike;
  const table = registryTable();
  const existing = table.byPrototype.get(klass.prototype);
  if (existing !== undefined && existing.cls === klass) return cls;

  const id = options.id ?? klass.name;
  if (typeof id !== 'string' || id === '') {
    throw new CelerityError('ERR_INVALID_OPTION', 'register: the class has no name; pass options.id (a stable string such as "geo.Point")');
  }
  const isError = isErrorClass(klass);
  if (!isError) {
    const missing: string[] = [];
    if (typeof (klass.prototype as { toSerialisable?: unknown }).toSerialisable !== 'function') missing.push('an instance method toSerialisable()');
    if (typeof (klass as { fromSerialisable?: unknown }).fromSerialisable !== 'function') missing.push('a static method fromSerialisable(data)');
    if (missing.length > 0) {
      throw new CelerityError('ERR_NOT_SERIALISABLE', `register: class ${klass.name || id} needs ${missing.join(' and ')}`, { classId: id });
    }
  }
  const aliases = options.aliases ?? [];
  for (const name of [id, ...aliases]) {
    const taken = table.byId.get(name);
    if (taken !== undefined && taken.cls !== klass) {
      throw new CelerityError(
        'ERR_DUPLICATE_ID',
        `register: id "${name}" is already taken by class ${taken.cls.name || taken.id}; give ${klass.name || 'this class'} another id`,
        { classId: name },
      );
    }
  }
  addEntry(table, makeEntry(klass, id, normaliseModule(options.module), isError), aliases);
  return cls;
}

/**
 * The standard (TC39) class decorator form of {@link register}.
 *
 * @example
 * @serialisable({ id: 'geo.Point', module: import.meta.url })
 * class Point { ... }
 */
export function serialisable(options: RegisterOptions = {}) {
  return function decorate<C extends SerialisableClass | ErrorClass>(cls: C, context: ClassDecoratorContext): C {
    const id = options.id ?? (typeof context.name === 'string' ? context.name : undefined);
    return register(cls, id === undefined ? options : { ...options, id });
  };
}

/** Whether a class is registered in this thread. */
export function isRegistered(cls: ClassLike): boolean {
  return registryTable().byPrototype.get(cls.prototype)?.cls === cls;
}

/** The id a class is registered under in this thread, or `undefined`. */
export function classId(cls: ClassLike): string | undefined {
  const entry = registryTable().byPrototype.get(cls.prototype);
  return entry?.cls === cls ? entry.id : undefined;
}

/** The class registered under `id` (or one of its aliases) in this thread, or `undefined`. */
export function lookupClass(id: string): ClassLike | undefined {
  return registryTable().byId.get(id)?.cls;
}

/** The module URLs given by every registration in this thread (part of an app's allowlist). */
export function registeredModules(): string[] {
  return [...registryTable().modules];
}
