/**
 * Sample payloads shared by the benchmarks: each shape comes as registered class instances (where
 * it has any) and as the equivalent plain data, so ratios compare like with like. They are the
 * same shapes `celerity bench` measures by default (defined once, in `src/cli/samples.ts`).
 * @module
 */
import type * as Samples from '../dist/.types/cli/samples.js';
import { samples } from './dist.js';

export const { Customer, Order, Point, Signal, flatPlain, orders, ordersPlain, nested, nestedPlain, mapHeavy, mapHeavyPlain, signals, signalsPlain, sampleShapes, FULL_SIZES, QUICK_SIZES } = samples;
/** A small registered class held by {@link Order}. */
export type Customer = Samples.Customer;
/** A registered class holding another registered instance and a Date. */
export type Order = Samples.Order;
/** A registered leaf of the nested shape. */
export type Point = Samples.Point;
/** A registered class holding typed arrays. */
export type Signal = Samples.Signal;
export type { OrderData, CustomerData, PointData, SignalData, SampleShape, SampleSizes } from './dist.js';
