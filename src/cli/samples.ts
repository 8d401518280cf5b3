/**
 * The built-in sample shapes of `celerity bench` (and of the repository's benchmarks): each comes
 * as the value to send (with registered class instances where the shape has any) and as its
 * plain equivalent, so that figures compare like with like.
 * @module
 */
import { register } from '../index.js';

const MODULE = import.meta.url;
const EPOCH = 1_700_000_000_000;

/** A small registered class held by {@link Order}. */
export class Customer {
  static {
    register(this, { id: 'celerity.sample.Customer', module: MODULE });
  }
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
  /** The customer's data. */
  toSerialisable(): CustomerData {
    return { id: this.id, name: this.name };
  }
  /** Rebuilds a customer from its data. */
  static fromSerialisable(data: CustomerData): Customer {
    return new Customer(data.id, data.name);
  }
}

/** The data of a {@link Customer}. */
export interface CustomerData {
  id: number;
  name: string;
}

/** The data of an {@link Order}. */
export interface OrderData {
  id: number;
  total: number;
  note: string;
  customer: Customer;
  placed: Date;
}

/** A registered class holding another registered instance and a Date. */
export class Order {
  static {
    register(this, { id: 'celerity.sample.Order', module: MODULE });
  }
  constructor(
    readonly id: number,
    readonly total: number,
    readonly note: string,
    readonly customer: Customer,
    readonly placed: Date,
  ) {}
  /** The order's data (the customer stays an instance: the codec converts it too). */
  toSerialisable(): OrderData {
    return { id: this.id, total: this.total, note: this.note, customer: this.customer, placed: this.placed };
  }
  /** Rebuilds an order from its data. */
  static fromSerialisable(data: OrderData): Order {
    return new Order(data.id, data.total, data.note, data.customer, data.placed);
  }
}

/** The data of a {@link Point}. */
export interface PointData {
  x: number;
  y: number;
}

/** A registered leaf of the nested shape. */
export class Point {
  static {
    register(this, { id: 'celerity.sample.Point', module: MODULE });
  }
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  /** The point's data. */
  toSerialisable(): PointData {
    return { x: this.x, y: this.y };
  }
  /** Rebuilds a point from its data. */
  static fromSerialisable(data: PointData): Point {
    return new Point(data.x, data.y);
  }
}

/** The data of a {@link Signal}. */
export interface SignalData {
  name: string;
  rate: number;
  samples: Float64Array;
  flags: Uint8Array;
}

/** A registered class holding typed arrays: the binary shape. */
export class Signal {
  static {
    register(this, { id: 'celerity.sample.Signal', module: MODULE });
  }
  constructor(
    readonly name: string,
    readonly rate: number,
    readonly samples: Float64Array,
    readonly flags: Uint8Array,
  ) {}
  /** The signal's data; the typed arrays go as they are (structured clone copies them whole). */
  toSerialisable(): SignalData {
    return { name: this.name, rate: this.rate, samples: this.samples, flags: this.flags };
  }
  /** Rebuilds a signal from its data. */
  static fromSerialisable(data: SignalData): Signal {
    return new Signal(data.name, data.rate, data.samples, data.flags);
  }
}

/** `count` flat plain objects of five fields and a Date. */
export function flatPlain(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) rows.push({ id: i, name: `row ${i}`, score: i * 1.5, active: i % 2 === 0, tag: null, at: new Date(EPOCH + i) });
  return rows;
}

/** `count` Orders, each holding a Customer and a Date. */
export function orders(count: number): Order[] {
  const rows: Order[] = [];
  for (let i = 0; i < count; i++) rows.push(new Order(i, i * 2.5, `order ${i}`, new Customer(i, `customer ${i}`), new Date(EPOCH + i)));
  return rows;
}

/** The plain equivalent of {@link orders}: the same fields, nested objects instead of classes. */
export function ordersPlain(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) rows.push({ id: i, total: i * 2.5, note: `order ${i}`, customer: { id: i, name: `customer ${i}` }, placed: new Date(EPOCH + i) });
  return rows;
}

/** A node of the nested shape. */
export interface TreeNode<Leaf> {
  depth: number;
  label: string;
  children: (TreeNode<Leaf> | Leaf)[];
}

function tree<Leaf>(depth: number, leaf: (i: number) => Leaf): TreeNode<Leaf> {
  let next = 0;
  const grow = (level: number): TreeNode<Leaf> => ({
    depth: level,
    label: `node ${level}`,
    children: level === depth ? [leaf(next++), leaf(next++)] : [grow(level + 1), grow(level + 1)],
  });
  return grow(1);
}

/** A binary tree `depth` levels deep of plain objects and arrays, with a {@link Point} at each leaf. */
export function nested(depth: number): TreeNode<Point> {
  return tree(depth, (i) => new Point(i, -i));
}

/** The plain equivalent of {@link nested} (JSON-able: no Dates, no classes). */
export function nestedPlain(depth: number): TreeNode<PointData> {
  return tree(depth, (i) => ({ x: i, y: -i }));
}

/** The Map-heavy shape: customers by key, and a Map of Sets. */
export interface MapHeavy<C> {
  byKey: Map<string, C>;
  tags: Map<number, Set<string>>;
}

function mapShape<C>(count: number, customer: (i: number) => C): MapHeavy<C> {
  const byKey = new Map<string, C>();
  const tags = new Map<number, Set<string>>();
  for (let i = 0; i < count; i++) {
    byKey.set(`customer-${i}`, customer(i));
    if (i % 5 === 0) tags.set(i, new Set([`t${i % 7}`, `t${i % 11}`, `t${i % 13}`]));
  }
  return { byKey, tags };
}

/** `count` Customers in a Map by key, beside a Map of tag Sets. */
export function mapHeavy(count: number): MapHeavy<Customer> {
  return mapShape(count, (i) => new Customer(i, `customer ${i}`));
}

/** The plain equivalent of {@link mapHeavy}. */
export function mapHeavyPlain(count: number): MapHeavy<CustomerData> {
  return mapShape(count, (i) => ({ id: i, name: `customer ${i}` }));
}

function signalParts(i: number, length: number): [string, number, Float64Array, Uint8Array] {
  const samples = new Float64Array(length);
  const flags = new Uint8Array(length);
  for (let j = 0; j < length; j++) {
    samples[j] = Math.sin((i + 1) * j * 0.001);
    flags[j] = j & 0xff;
  }
  return [`signal ${i}`, 48_000, samples, flags];
}

/** `count` Signals, each holding a Float64Array and a Uint8Array of `length` elements. */
export function signals(count: number, length: number): Signal[] {
  return Array.from({ length: count }, (_, i) => new Signal(...signalParts(i, length)));
}

/** The plain equivalent of {@link signals}. */
export function signalsPlain(count: number, length: number): SignalData[] {
  return Array.from({ length: count }, (_, i) => {
    const [name, rate, samples, flags] = signalParts(i, length);
    return { name, rate, samples, flags };
  });
}

/** One sample shape. */
export interface SampleShape {
  /** Short name, e.g. `class-heavy`. */
  name: string;
  /** What the value holds, with its size. */
  description: string;
  /** The value to send. */
  value: unknown;
  /** Its plain equivalent (the same data without classes); the structured clone baseline. */
  plain: unknown;
}

/** Sizes of the sample shapes. */
export interface SampleSizes {
  /** Rows of the flat and class-heavy shapes. */
  rows: number;
  /** Depth of the nested tree (2^depth leaves). */
  depth: number;
  /** Entries of the Map-heavy shape. */
  entries: number;
  /** Signals of the binary shape, and elements per typed array. */
  signals: number;
  signalLength: number;
}

/** The sizes the benchmarks quote: each shape takes a few milliseconds to clone. */
export const FULL_SIZES: SampleSizes = { rows: 10_000, depth: 12, entries: 5_000, signals: 64, signalLength: 8_192 };
/** Tiny sizes for smoke runs. */
export const QUICK_SIZES: SampleSizes = { rows: 100, depth: 4, entries: 50, signals: 2, signalLength: 64 };

/** Builds the five sample shapes: flat plain, class-heavy, deeply nested, Map-heavy, binary. */
export function sampleShapes(sizes: SampleSizes = FULL_SIZES): SampleShape[] {
  const { rows, depth, entries } = sizes;
  const leaves = 2 ** depth;
  return [
    { name: 'flat plain', description: `${rows} plain objects with a Date each`, value: flatPlain(rows), plain: flatPlain(rows) },
    { name: 'class-heavy', description: `${rows} Orders, each holding a Customer and a Date`, value: orders(rows), plain: ordersPlain(rows) },
    { name: 'deeply nested', description: `a tree ${depth} levels deep, ${leaves} Point leaves`, value: nested(depth), plain: nestedPlain(depth) },
    { name: 'Map-heavy', description: `a Map of ${entries} Customers and a Map of Sets`, value: mapHeavy(entries), plain: mapHeavyPlain(entries) },
    {
      name: 'binary',
      description: `${sizes.signals} Signals with a Float64Array and a Uint8Array of ${sizes.signalLength}`,
      value: signals(sizes.signals, sizes.signalLength),
      plain: signalsPlain(sizes.signals, sizes.signalLength),
    },
  ];
}
