/**
 * A list built by appending, in arrays of at most {@link CHUNK} values, joined once at the end.
 * One JS array pushed past V8's large-object size (some 16,000 values) is reallocated and copied
 * whole at each growth; pieces below it never are, and the join allocates the whole length once.
 * @module
 */

/** Values per piece (8 bytes each: below V8's large-object size). */
const CHUNK = 12_000;

/** A list that grows in pieces; see the module notes. */
export class ChunkedList<T> {
  private current: T[] = [];
  private readonly full: T[][] = [];
  /** How many values {@link full} holds. */
  private filled = 0;

  /** How many values the list holds. */
  get length(): number {
    return this.filled + this.current.length;
  }

  /** Appends `value`. */
  push(value: T): void {
    let current = this.current;
    if (current.length === CHUNK) {
      this.full.push(current);
      this.filled += CHUNK;
      this.current = current = [];
    }
    current.push(value);
  }

  /** The whole list as one array (the list itself when it never left its first piece). */
  toArray(): T[] {
    // concat knows the whole length: one allocation, instead of growth after growth.
    return this.full.length === 0 ? this.current : ([] as T[]).concat(...this.full, this.current);
  }
}
