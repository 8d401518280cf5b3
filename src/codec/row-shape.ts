/**
 * Row shapes: the key lists of instance data sent as rows.
 *
 * Structured clone writes every property name of every object it copies, and the receiving side
 * looks each one up again; for many small objects that is most of the cost. When `toSerialisable()`
 * returns a plain object, the encoder sends its values as a row of a flat array and its key list
 * once per wire (see `Wire.s`), and decode rebuilds the object from the row.
 * @module
 */

/** A key list, cached on the registry entry of the class whose data had it last. */
export interface RowShape {
  readonly keys: readonly string[];
  /** The shape list of the encode call that last gave this shape an index (a token only). */
  owner: readonly (readonly string[])[] | undefined;
  /** This shape's index in {@link owner}. */
  index: number;
}

/** How many distinct shapes one encode call compares a new key list with before adding it as new. */
const SHAPE_SEARCH_LIMIT = 32;

/**
 * Finds `keys` among the shapes of one encode call (`known`, beside their key lists in `list`), or
 * adds them; returns the shape.
 */
export function internRowShape(keys: readonly string[], known: RowShape[], list: (readonly string[])[]): RowShape {
  const limit = Math.min(known.length, SHAPE_SEARCH_LIMIT);
  for (let i = known.length - 1; i >= known.length - limit; i--) {
    const candidate = known[i] as RowShape;
    if (sameKeys(candidate.keys, keys)) return candidate;
  }
  // `keys` is taken over, not copied; frozen, as later wires list the same array.
  const shape: RowShape = { keys: Object.freeze(keys), owner: undefined, index: -1 };
  shapeIndex(shape, known, list);
  return shape;
}

/** The index of `shape` in this call's shape list, adding it when this call has not used it yet. */
export function shapeIndex(shape: RowShape, known: RowShape[], list: (readonly string[])[]): number {
  if (shape.owner === list) return shape.index;
  shape.owner = list;
  shape.index = list.push(shape.keys) - 1;
  known.push(shape);
  return shape.index;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
