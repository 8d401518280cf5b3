/**
 * The tasks module behind the pool round trip of `celerity bench`: it sends back what it gets, so
 * the figure is the cost of the trip (codec and dispatch, both ways) and nothing else.
 * @module
 */
import { defineTasks } from '../index.js';
// The built-in sample classes, registered in every thread before any value arrives.
import './samples.js';

export default defineTasks({
  /** Returns its argument; it is decoded on arrival and encoded again for the way back. */
  echo(value: unknown): unknown {
    return value;
  },
  /** Imports the user's module in this thread, so the classes it registers can be decoded here. */
  async load(url: string): Promise<void> {
    await import(url);
  },
});
