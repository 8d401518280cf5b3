/**
 * Object identity for one encode or serialize call: which objects the call has met, and the
 * number it gave each.
 *
 * One Map for every object is cheap (about 25 ns an entry) until it holds some 4,000 entries;
 * past that its table no longer fits V8's regular heap pages, and every growth allocates a large
 * object: 150–220 ns an entry, the largest part of converting many small instances. So the table
 * is a list of Maps of at most {@link CHUNK} entries each: a lookup that misses asks each of them
 * (a few ns each), which stays cheaper than one big Map up to {@link MAX_CHUNKS} of them; beyond,
 * the last one grows as one Map would. (A WeakMap shared across calls would be cheaper for
 * long-lived objects, but is much dearer for just-made ones, such as the results a worker writes.)
 * @module
 */

/** Entries per Map: its table stays below V8's large-object size. */
const CHUNK = 4000;

/** Maps asked on a miss before the last one is let grow. */
const MAX_CHUNKS = 24;

/** The identity table of one call. */
export class IdentityTable {
  private current = new Map<object, number>();
  /** The Maps filled before {@link current}. */
  private readonly full: Map<object, number>[] = [];

  /** The number `value` was given, if it was met. */
  get(value: object): number | undefined {
    const found = this.current.get(value);
    if (found !== undefined) return found;
    const full = this.full;
    for (let i = 0; i < full.length; i++) {
      const earlier = (full[i] as Map<object, number>).get(value);
      if (earlier !== undefined) return earlier;
    }
    return undefined;
  }

  /** Whether `value` was met. */
  has(value: object): boolean {
    return this.get(value) !== undefined;
  }

  /** Records `value`, not met before, with number `id`. */
  set(value: object, id: number): void {
    if (this.current.size >= CHUNK && this.full.length < MAX_CHUNKS) {
      this.full.push(this.current);
      this.current = new Map();
    }
    this.current.set(value, id);
  }

  /** Records `value` as met (number 0) unless it was; returns whether it is new. */
  add(value: object): boolean {
    if (this.get(value) !== undefined) return false;
    this.set(value, 0);
    return true;
  }
}
