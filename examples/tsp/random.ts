/**
 * Seeded randomness, so that every run of an example (and every thread) draws the same numbers
 * from the same seed, and one-thread and many-thread runs can be compared tour for tour.
 * @module
 */
import { City } from './city.js';
import { Problem } from './problem.js';

/** A source of numbers in [0, 1). */
export type Random = () => number;

/**
 * A small, fast seeded generator (a 32-bit xorshift, whose seed is first spread by an integer
 * hash so that neighbouring seeds give unrelated streams). Not for cryptography.
 */
export function seededRandom(seed: number): Random {
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b);
  state ^= state >>> 13;
  state = Math.imul(state, 0xc2b2ae35);
  state ^= state >>> 16;
  if (state === 0) state = 0x6d2b79f5;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** A random permutation of 0 … n-1 (Fisher–Yates). */
export function randomOrder(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = order[i] as number;
    order[i] = order[j] as number;
    order[j] = held;
  }
  return order;
}

/** `size` cities scattered over a 1000 × 1000 square, the same for the same seed. */
export function randomProblem(size: number, seed: number): Problem {
  const random = seededRandom(seed);
  const cities = Array.from({ length: size }, (_, index) => new City(`c${index}`, Math.round(random() * 100_000) / 100, Math.round(random() * 100_000) / 100));
  return new Problem(`random-${size}-seed-${seed}`, cities);
}
