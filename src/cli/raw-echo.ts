/**
 * The raw Piscina worker of `celerity bench`: the baseline of the pool round trip, a plain
 * structured clone each way and no codec.
 * @module
 */

/** Returns its argument. */
export default function echo(value: unknown): unknown {
  return value;
}
