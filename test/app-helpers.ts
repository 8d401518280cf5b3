// Shared set-up of the app tests: the fixture tasks module and a typed app factory.
import { createApp, type App, type AppOptions } from 'celerity';
import type tasks from './fixtures/app-tasks.js';

/** URL of the tasks module every app test uses. */
export const tasksUrl = new URL('./fixtures/app-tasks.js', import.meta.url);

/** The typed app of the fixture tasks. */
export type TestApp = App<typeof tasks>;

/** Creates an app of the fixture tasks (2 threads unless told otherwise). */
export function makeApp(options: Partial<AppOptions> = {}): TestApp {
  return createApp<typeof tasks>({ tasks: tasksUrl, threads: 2, ...options });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits a promise expected to reject and returns what it rejected with. */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error & { code?: string; path?: string; classId?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** A small seeded generator of numbers in [0, 1), so that a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
