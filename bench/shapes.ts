/**
 * Sample payloads shared by the benchmarks: each shape comes as registered class instances (where
 * it has any) and as the equivalent plain data, so ratios compare like with like.
 */
import { register } from 'celerity';

/** A small registered class held by {@link Order}. */
export class Customer {
  static {
    register(this, { id: 'bench.Customer' });
  }
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
  toSerialisable(): { id: number; name: string } {
    return { id: this.id, name: this.name };
  }
  static fromSerialisable(data: { id: number; name: string }): Customer {
    return new Customer(data.id, data.name);
  }
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
    register(this, { id: 'bench.Order' });
  }
  constructor(
    readonly id: number,
    readonly total: number,
    readonly note: string,
    readonly customer: Customer,
    readonly placed: Date,
  ) {}
  toSerialisable(): OrderData {
    return { id: this.id, total: this.total, note: this.note, customer: this.customer, placed: this.placed };
  }
  static fromSerialisable(data: OrderData): Order {
    return new Order(data.id, data.total, data.note, data.customer, data.placed);
  }
}

/** `count` flat plain objects of five fields and a Date. */
export function flatPlain(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) rows.push({ id: i, name: `row ${i}`, score: i * 1.5, active: i % 2 === 0, tag: null, at: new Date(1_700_000_000_000 + i) });
  return rows;
}

/** `count` Orders, each holding a Customer and a Date. */
export function orders(count: number): Order[] {
  const rows: Order[] = [];
  for (let i = 0; i < count; i++) rows.push(new Order(i, i * 2.5, `order ${i}`, new Customer(i, `customer ${i}`), new Date(1_700_000_000_000 + i)));
  return rows;
}

/** The plain equivalent of {@link orders}: the same fields, nested objects instead of classes. */
export function ordersPlain(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({ id: i, total: i * 2.5, note: `order ${i}`, customer: { id: i, name: `customer ${i}` }, placed: new Date(1_700_000_000_000 + i) });
  }
  return rows;
}
