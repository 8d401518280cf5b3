/**
 * The requests of a load run: mostly valid problems, with malformed JSON, invalid problems,
 * oversized bodies and clients that hang up mixed in, in a fixed order for a given seed.
 * @module
 */
import { seededRandom, type Random } from '../tsp/random.js';

/** What kind of request, and so which answer is expected. */
export type RequestKind = 'valid' | 'malformed' | 'invalid' | 'oversized' | 'abort';

/** One planned request. */
export interface PlannedRequest {
  readonly kind: RequestKind;
  readonly body: string;
  /** Send without `Content-Length` (chunked), so the server must count the bytes itself. */
  readonly chunked: boolean;
  /** For `abort`: hang up this many ms after sending. */
  readonly abortAfterMs?: number;
}

/** Share of each kind, per 100 requests. */
export const MIX: Readonly<Record<RequestKind, number>> = { valid: 68, malformed: 8, invalid: 10, oversized: 6, abort: 8 };

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function problemBody(random: Random, cities: number, starts: number): string {
  const list = Array.from({ length: cities }, () => ({ x: Math.round(random() * 100_000) / 100, y: Math.round(random() * 100_000) / 100 }));
  return JSON.stringify({ cities: list, starts, seed: int(random, 0, 1_000_000) });
}

function malformed(random: Random): string {
  const samples = [
    '{"cities": [{"x": 1, "y": 2},',
    'cities=1,2,3',
    '',
    '{"cities": [{"x": 1, "y": 2}, {"x": 3, "y": 4},]}',
    "{'cities': []}",
    '{"cities": [{"x": 1 "y": 2}]}',
  ];
  return samples[int(random, 0, samples.length - 1)] ?? '';
}

function invalid(random: Random): string {
  const three = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }];
  const samples: unknown[] = [
    null,
    [1, 2, 3],
    { cities: 'Paris, Lyon, Nice' },
    { cities: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
    { cities: [{ x: '0', y: 0 }, ...three] },
    { cities: three, starts: 1000 },
    { cities: three, seed: -1 },
    { cities: [...three, { x: 5 }] },
    { cities: [{ name: 'A', x: 0, y: 0 }, { name: 'A', x: 1, y: 1 }, { x: 2, y: 2 }] },
    { towns: three },
  ];
  return JSON.stringify(samples[int(random, 0, samples.length - 1)]);
}

function oversized(random: Random, maxBodyBytes: number): string {
  // Valid-looking JSON, just too big: the server must refuse it on size, not on content.
  const target = Math.round(maxBodyBytes * (1.1 + random() * 1.5));
  const city = '{"x":123.45,"y":678.9},';
  return `{"cities":[${city.repeat(Math.ceil(target / city.length))}{"x":0,"y":0}]}`;
}

/** Plans `count` requests. `maxBodyBytes` is the server's limit, which oversized bodies exceed. */
export function planRequests(count: number, seed: number, maxBodyBytes: number): PlannedRequest[] {
  const random = seededRandom(seed);
  const kinds = Object.entries(MIX) as [RequestKind, number][];
  const plan: PlannedRequest[] = [];
  for (let index = 0; index < count; index++) {
    let roll = random() * 100;
    let kind: RequestKind = 'valid';
    for (const [name, share] of kinds) {
      if (roll < share) {
        kind = name;
        break;
      }
      roll -= share;
    }
    const chunked = random() < 0.25;
    switch (kind) {
      case 'valid':
        plan.push({ kind, chunked, body: problemBody(random, int(random, 40, 200), int(random, 1, 4)) });
        break;
      case 'malformed':
        plan.push({ kind, chunked, body: malformed(random) });
        break;
      case 'invalid':
        plan.push({ kind, chunked, body: invalid(random) });
        break;
      case 'oversized':
        plan.push({ kind, chunked, body: oversized(random, maxBodyBytes) });
        break;
      case 'abort':
        plan.push({ kind, chunked, body: problemBody(random, int(random, 250, 350), 8), abortAfterMs: int(random, 5, 60) });
        break;
    }
  }
  return plan;
}
