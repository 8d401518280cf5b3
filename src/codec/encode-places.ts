/**
 * The index an encoder writes beside the value: every *place* (a container and a key where
 * decode puts a rebuilt instance, or some other fix), the keys those places use, and the table of
 * the classes involved. Decode visits only these places, so look-alike data never builds a class.
 * @module
 */
import type { RegistryEntry } from './registry.js';
import { FACT_SLOTS, LISTED_FACT_PLACES, type ClassRow, type Wire } from './wire.js';

/**
 * Boxes `value`, the encoded form of instance `instance` of class `cls` standing as a Map key or
 * Set member, so decode can rebuild the Map or Set once, in order: files `[box, cls, instance]` in
 * `fixes` and returns the box.
 */
export function boxedMember(fixes: unknown[], value: unknown, cls: number, instance: number): unknown[] {
  const box = [value];
  fixes.push(box, cls, instance);
  return box;
}

/** The facts array before the first place is recorded. */
export const NO_FACTS = new Int32Array(0);

/** Records places, keys and classes for one encode call; the encoders build on it. */
export class PlaceRecorder {
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
  /** The class index of unregistered Errors in {@link classes}, or -1 while there is none. */
  private unregisteredError = -1;

  /** Appends a place: its container to {@link places}, its numbers and key reference to the facts. */
  protected record(kind: number, container: unknown, key: unknown, cls: number, instance: number): void {
    this.places.push(container);
    let facts = this.facts;
    const n = this.factCount;
    if (n + FACT_SLOTS > facts.length) {
      // Starts at 64 bytes, the most V8 keeps inside the object: a larger typed array costs an
      // allocation outside the heap (microseconds), which one tiny message would pay twice.
      const grown = new Int32Array(Math.max(16, facts.length * 4));
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

  /** The index of `entry`'s class in the class table (an unregistered Error when `entry` is undefined). */
  protected classFor(entry: RegistryEntry | undefined): number {
    const classes = this.classes;
    if (entry === undefined) {
      if (this.unregisteredError < 0) this.unregisteredError = classes.push(['', null, 1]) - 1;
      return this.unregisteredError;
    }
    // The index is cached on the entry, for this call's table only: entries are shared by calls,
    // and an encode nested in a toSerialisable() takes the cache over, after which the outer call
    // lists the class a second time (harmless: both rows name the same class).
    if (entry.classTable === classes) return entry.classIndex as number;
    const index = classes.push([entry.id, entry.module ?? null, entry.isError ? 1 : 0]) - 1;
    entry.classTable = classes;
    entry.classIndex = index;
    return index;
  }

  /** Writes the places, keys and classes into `wire`, which holds `instances` instances. */
  protected writePlaces(wire: Wire, instances: number): void {
    if (this.places.length === 0) return;
    wire.p = this.places;
    wire.f = this.places.length <= LISTED_FACT_PLACES ? listed(this.facts, this.factCount) : this.facts.slice(0, this.factCount);
    wire.k = this.keys;
    wire.c = this.classes;
    wire.n = instances;
  }
}

/** The first `count` facts as a list of numbers. */
function listed(facts: Int32Array, count: number): number[] {
  // Filled by push, so the list stays packed: structured clone copies a holey list element by element.
  const list: number[] = [];
  for (let i = 0; i < count; i++) list.push(facts[i] as number);
  return list;
}
