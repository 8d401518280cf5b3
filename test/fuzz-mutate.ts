/**
 * Mutations of real wires, as a hostile sender would make them: numbers turned into edge values,
 * strings into `__proto__`, `constructor` or unknown ids, arrays made sparse or huge, subtrees
 * swapped, dropped or made cyclic, typed-array entries changed. Deterministic for a seed, so a
 * failing case can be replayed.
 */

/** A small deterministic random source (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  /** One of `items`, or `undefined` when there is none. */
  maybe<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.below(items.length)];
  }
}

const EDGE_NUMBERS = [-1, 0, 0.5, -0, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 - 1, 2 ** 53, -(2 ** 31), 1e9, 3, 7];
const EDGE_STRINGS = ['__proto__', 'constructor', 'prototype', 'toString', 'no.such.Class', '', 'geo.Point', 'fuzz.Probe', 'fuzz.ProbeError', 'celerity', 'custom', 'Date', 'map', 'set', 'ref', 'class', 'error', 'a.b', '0', '-1'];

/** A place in the graph a mutation can change: a key of a container, or an element of a typed array. */
interface Slot {
  readonly container: object;
  readonly key: string | number;
  /** The containers from the root down to `container`. */
  readonly ancestors: readonly object[];
}

/** Every slot of `root`, up to `limit` of them (breadth first, each container once). */
function slotsOf(root: object, limit: number): Slot[] {
  const slots: Slot[] = [];
  const seen = new Set<object>();
  const queue: { node: object; ancestors: object[] }[] = [{ node: root, ancestors: [] }];
  while (queue.length > 0 && slots.length < limit) {
    const { node, ancestors } = queue.shift() as { node: object; ancestors: object[] };
    if (seen.has(node)) continue;
    seen.add(node);
    const path = [...ancestors, node];
    if (ArrayBuffer.isView(node)) {
      const view = node as unknown as ArrayLike<unknown>;
      if (node instanceof Int32Array || node instanceof Uint8Array) for (let i = 0; i < Math.min(view.length, 64); i++) slots.push({ container: node, key: i, ancestors: path });
      continue;
    }
    if (node instanceof Map) {
      for (const [key, value] of node as Map<unknown, unknown>) {
        if (typeof key === 'object' && key !== null) queue.push({ node: key, ancestors: path });
        if (typeof value === 'object' && value !== null) queue.push({ node: value, ancestors: path });
      }
      continue;
    }
    if (node instanceof Set) {
      for (const member of node) if (typeof member === 'object' && member !== null) queue.push({ node: member as object, ancestors: path });
      continue;
    }
    if (node instanceof Date || node instanceof RegExp || node instanceof ArrayBuffer) continue;
    for (const key of Reflect.ownKeys(node)) {
      if (typeof key === 'symbol' || (Array.isArray(node) && key === 'length')) continue;
      const slotKey = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
      slots.push({ container: node, key: slotKey, ancestors: path });
      const value = (Object.getOwnPropertyDescriptor(node, key) as PropertyDescriptor).value as unknown;
      if (typeof value === 'object' && value !== null) queue.push({ node: value, ancestors: path });
    }
  }
  return slots;
}

function read(slot: Slot): unknown {
  return Object.getOwnPropertyDescriptor(slot.container, slot.key)?.value;
}

function write(slot: Slot, value: unknown): void {
  if (ArrayBuffer.isView(slot.container)) {
    (slot.container as unknown as Record<number, unknown>)[slot.key as number] = typeof value === 'number' ? value : 1;
    return;
  }
  // Frozen or non-configurable properties stay as they are.
  Reflect.defineProperty(slot.container, slot.key, { value, writable: true, enumerable: true, configurable: true });
}

/** The kinds of mutation; `cyclic` is left out where the result must survive JSON text. */
export type MutationKind = 'number' | 'string' | 'drop' | 'nullish' | 'swap' | 'cyclic' | 'sparse' | 'huge' | 'retype' | 'wrap' | 'duplicate';

const ALL_KINDS: readonly MutationKind[] = ['number', 'number', 'string', 'string', 'drop', 'nullish', 'swap', 'cyclic', 'sparse', 'huge', 'retype', 'wrap', 'duplicate'];
const TEXT_KINDS: readonly MutationKind[] = ALL_KINDS.filter((kind) => kind !== 'cyclic');

/**
 * Applies `count` random mutations to `root` in place and returns what was done (for a failure
 * report). `text`: the result must still be writable as JSON text (no cycles).
 */
export function mutate(root: object, random: Random, count: number, text: boolean): string[] {
  const done: string[] = [];
  for (let i = 0; i < count; i++) {
    const slots = slotsOf(root, 4000);
    if (slots.length === 0) return done;
    const slot = random.pick(slots);
    const kind = random.pick(text ? TEXT_KINDS : ALL_KINDS);
    const current = read(slot);
    const where = `${slot.ancestors.length}:${String(slot.key)}`;
    try {
      apply(kind, slot, slots, current, random, text);
    } catch {
      // A frozen container keeps its value: the wire stays as it was at that slot.
    }
    done.push(`${kind}@${where}`);
  }
  return done;
}

function apply(kind: MutationKind, slot: Slot, slots: readonly Slot[], current: unknown, random: Random, text: boolean): void {
  {
    switch (kind) {
      case 'number':
        write(slot, random.pick(EDGE_NUMBERS));
        break;
      case 'string':
        write(slot, random.pick(EDGE_STRINGS));
        break;
      case 'drop':
        if (!ArrayBuffer.isView(slot.container)) Reflect.deleteProperty(slot.container, slot.key);
        break;
      case 'nullish':
        write(slot, text ? null : random.pick([null, undefined]));
        break;
      case 'swap': {
        const other = random.pick(slots);
        const value = read(other);
        write(other, current);
        write(slot, value);
        break;
      }
      case 'cyclic':
        write(slot, random.pick(slot.ancestors));
        break;
      case 'sparse': {
        const array = random.maybe(slot.ancestors.filter((node) => Array.isArray(node)) as unknown[][]);
        if (array !== undefined && array.length > 0) {
          if (random.below(2) === 0) Reflect.deleteProperty(array, random.below(array.length));
          else if (array.length < 2 ** 32 - 8) array.length += 1 + random.below(5);
        }
        break;
      }
      case 'huge': {
        const array = random.maybe(slot.ancestors.filter((node) => Array.isArray(node)) as unknown[][]);
        if (array !== undefined && !text) array.length = random.pick([2 ** 32 - 1, 1e8, 2 ** 20]);
        else write(slot, random.pick([2 ** 32 - 1, 1e8, 2 ** 31 - 1]));
        break;
      }
      case 'retype':
        write(slot, typeof current === 'number' ? String(current) : typeof current === 'string' ? current.length : Array.isArray(current) ? Object.fromEntries(Object.entries(current)) : typeof current === 'object' && current !== null ? Object.values(current) : [current]);
        break;
      case 'wrap':
        write(slot, random.pick([[current], { json: current }, [[current]], [['custom', 'fuzz.Probe']], ['celerity', 'ref']]));
        break;
      case 'duplicate': {
        const other = random.pick(slots);
        write(slot, read(other));
        break;
      }
    }
  }
}
