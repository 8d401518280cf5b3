/**
 * Where an encoder gathers rows (see `row-shape.ts`): the values of every row, the table that
 * tells each instance's row, the key lists of this call, and the scratch space a row is filled in
 * while its nested values are encoded.
 * @module
 */
import { ChunkedList } from './chunked-list.js';
import { NO_FACTS } from './encode-places.js';
import type { RegistryEntry } from './registry.js';
import { internRowShape, shapeIndex, type RowShape } from './row-shape.js';
import { ROW_SLOTS, type Wire } from './wire.js';

/** The rows of one encode call. */
export class RowWriter {
  /** The values of every row, one row after another. */
  private readonly values = new ChunkedList<unknown>();
  /** Whether some instance's data went as a row. */
  used = false;
  /**
   * Rows being filled, stacked: a row's values are gathered here while its nested values (which
   * may be rows themselves) are encoded, then appended to {@link values} whole.
   */
  readonly scratch: unknown[] = [];
  top = 0;
  /** Instances among the values of the rows being filled, as (index in row, class, instance). */
  readonly instances: number[] = [];
  instanceTop = 0;
  /** Shape index and offset in {@link values} of each instance, or -1 (see `Wire.r`). */
  private table = NO_FACTS;
  /** The shapes this call used, and their key lists as they go on the wire. */
  private readonly shapes: RowShape[] = [];
  private readonly shapeKeys: (readonly string[])[] = [];

  /**
   * The index in this call's shape list of the key list of `entry`'s latest row: `keys`, or when
   * `keys` is undefined the shape `entry` had last.
   */
  shapeOf(entry: RegistryEntry, keys: string[] | undefined): number {
    let shape = entry.rowShape;
    if (keys !== undefined || shape === undefined) {
      shape = internRowShape(keys ?? [], this.shapes, this.shapeKeys);
      entry.rowShape = shape;
    }
    return shapeIndex(shape, this.shapes, this.shapeKeys);
  }

  /** Moves the scratch values from `start` on to {@link values}; returns their offset there. */
  commit(start: number): number {
    const values = this.values;
    const offset = values.length;
    const scratch = this.scratch;
    for (let i = start; i < this.top; i++) values.push(scratch[i]);
    this.top = start;
    return offset;
  }

  /** Notes that `instance`'s data is the row of shape `shape` at `offset`. */
  setRow(instance: number, shape: number, offset: number): void {
    let table = this.table;
    const at = instance * ROW_SLOTS;
    if (at + ROW_SLOTS > table.length) {
      const grown = new Int32Array(Math.max(64, table.length * 2, at + ROW_SLOTS)).fill(-1);
      grown.set(table);
      this.table = table = grown;
    }
    table[at] = shape;
    table[at + 1] = offset;
  }

  /** Writes the rows into `wire`, which holds `instances` instances. */
  writeTo(wire: Wire, instances: number): void {
    wire.s = this.shapeKeys;
    wire.r = this.tableOf(instances);
    wire.d = this.values.toArray();
  }

  /** The row table cut (or padded with -1) to `count` instances. */
  private tableOf(count: number): Int32Array {
    const size = count * ROW_SLOTS;
    if (this.table.length >= size) return this.table.slice(0, size);
    const table = new Int32Array(size).fill(-1);
    table.set(this.table);
    return table;
  }
}
