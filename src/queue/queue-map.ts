/**
 * `map` on a queue: one job per input, at most `concurrency` of them waiting at a time, results
 * in input order. The first failure rejects the map and cancels the jobs still out.
 * @module
 */
import { abortError, invalidOption } from '../errors.js';
import { resolveMapOptions, type MapOptions } from '../app/options.js';
import type { TaskRun } from '../app/run.js';
import { onAbort } from '../app/abort.js';
import { callBack } from '../app/callback.js';

/** The default number of jobs a map keeps out at once. */
const DEFAULT_CONCURRENCY = 64;

/** Runs `submit` once per input, as the module notes say. */
export function mapOnQueue<T, R>(inputs: Iterable<T> | AsyncIterable<T>, given: MapOptions | undefined, submit: (input: T) => TaskRun<R>): Promise<R[]> {
  return new Promise<R[]>((resolve, rejectWith) => {
    // A task may throw anything; the map rejects with it as it is.
    const reject = rejectWith as (error: unknown) => void;
    const raw = given as { chunkSize?: unknown } | undefined;
    if (raw?.chunkSize !== undefined && raw.chunkSize !== 'auto') {
      reject(invalidOption('options.chunkSize has no meaning on a queue: each input is one job'));
      return;
    }
    const options = resolveMapOptions(given, DEFAULT_CONCURRENCY / 2);
    const iterator = iteratorOf(inputs);
    const results: R[] = [];
    const out = new Set<TaskRun<R>>();
    let next = 0;
    let done = 0;
    let exhausted = false;
    let finished = false;
    let pulling = false;
    /** Stops following the caller's signal. */
    let unfollow: (() => void) | undefined;
    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      unfollow?.();
      for (const run of out) run.cancel();
      out.clear();
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      reject(error);
    };
    if (options.signal !== undefined) {
      unfollow = onAbort(options.signal, (reason) => {
        fail(abortError(reason));
      });
      if (unfollow === undefined) return;
    }
    const launch = (input: T): void => {
      const index = next++;
      const run = submit(input);
      out.add(run);
      run.then(
        (value) => {
          if (finished) return;
          out.delete(run);
          results[index] = value;
          done++;
          callBack(options.onProgress, [done, exhausted ? next : undefined], 'map onProgress');
          pump();
        },
        (error: unknown) => {
          fail(error);
        },
      );
    };
    const pump = (): void => {
      if (finished || pulling) return;
      if (exhausted) {
        if (out.size === 0) {
          finished = true;
          unfollow?.();
          resolve(results);
        }
        return;
      }
      if (out.size >= options.concurrency) return;
      pulling = true;
      Promise.resolve(iterator.next()).then(
        (step) => {
          pulling = false;
          if (finished) return;
          if (step.done === true) exhausted = true;
          else launch(step.value);
          pump();
        },
        (error: unknown) => {
          pulling = false;
          fail(error);
        },
      );
    };
    pump();
  });
}

function iteratorOf<T>(inputs: Iterable<T> | AsyncIterable<T>): Iterator<T> | AsyncIterator<T> {
  const given: unknown = inputs;
  if (typeof given === 'object' && given !== null) {
    const sync = (given as Partial<Iterable<T>>)[Symbol.iterator];
    if (typeof sync === 'function') return sync.call(given);
    const async = (given as Partial<AsyncIterable<T>>)[Symbol.asyncIterator];
    if (typeof async === 'function') return async.call(given);
  }
  throw invalidOption('map: inputs must be an iterable or an async iterable');
}
