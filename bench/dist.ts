/**
 * The parts of the built package that the benchmarks share with the `celerity bench` command
 * (sample shapes, the superjson and msgpackr set-ups, stopping poolifier, value inspection, the SVG chart, tables). They are not
 * public API, so they are loaded from `dist/` by path rather than through the package name; one
 * copy serves both. `npm run build` must have run first (`npm run bench` does).
 * @module
 */
import type * as Inspect from '../dist/.types/cli/inspect.js';
import type * as Machine from '../dist/.types/cli/machine.js';
import type * as MsgpackrPeer from '../dist/.types/cli/msgpackr-peer.js';
import type * as PoolifierStop from '../dist/.types/cli/poolifier-stop.js';
import type * as Samples from '../dist/.types/cli/samples.js';
import type * as Peer from '../dist/.types/cli/superjson-peer.js';
import type * as Svg from '../dist/.types/cli/svg.js';
import type * as Table from '../dist/.types/cli/table.js';

async function load<T>(path: string): Promise<T> {
  // From build/bench/ up to the package root.
  return (await import(new URL(`../../dist/cli/${path}`, import.meta.url).href)) as T;
}

/** The built-in sample shapes and their registered classes. */
export const samples = await load<typeof Samples>('samples.js');
/** Finding registered classes in a value, its plain equivalent, JSON-ability. */
export const inspect = await load<typeof Inspect>('inspect.js');
/** superjson with the same classes registered. */
export const peer = await load<typeof Peer>('superjson-peer.js');
/** msgpackr with records and the same classes as extensions. */
export const msgpackrPeer = await load<typeof MsgpackrPeer>('msgpackr-peer.js');
/** poolifier's `destroy()` within a bound. */
export const poolifierStop = await load<typeof PoolifierStop>('poolifier-stop.js');
/** The SVG chart renderer. */
export const svg = await load<typeof Svg>('svg.js');
/** Text and Markdown tables. */
export const table = await load<typeof Table>('table.js');
/** The machine description. */
export const machine = await load<typeof Machine>('machine.js');

export type { SampleShape, SampleSizes, OrderData, CustomerData, PointData, SignalData } from '../dist/.types/cli/samples.js';
export type { ChartBar, ChartGroup, ChartSpec } from '../dist/.types/cli/svg.js';
export type { FoundClass } from '../dist/.types/cli/inspect.js';
export type { Machine as MachineInfo } from '../dist/.types/cli/machine.js';
