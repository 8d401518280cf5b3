/**
 * `app.map()`: one task call per input, results in input order. Inputs are sent in chunks (one
 * pool task each) so that tiny items share the cost of a round trip; with `chunkSize: 'auto'`
 * the chunk size follows the measured time per item, aiming at a few milliseconds of work per
 * chunk. The first failure rejects the map and cancels every chunk still out.
 * @module
 */
import { Active } from './active.js';
import type { Core } from './core.js';
import type { EncodedArgs } from './transport.js';
import { Job } from './job.js';
import { onAbort } from './abort.js';
import { callBack, warnThrew } from './callback.js';
import {
  FLAG_CHUNK,
  RESULT_DURATION,
  RESULT_FAILED,
  RESULT_FAILURE,
  RESULT_INDEX,
  RESULT_KIND,
  RESULT_OK,
  RESULT_THREW,
  RESULT_VALUE,
  RESULT_WIRE,
  type ResultMessage,
} from '../protocol/messages.js';
import { abortError, invalidOption, failureError } from '../errors.js';
import { resolveMapOptions, type MapOptions } from './options.js';

/** Work per auto-sized chunk worth a round trip, ms. */
const TARGET_CHUNK_MS = 2;
/** The largest auto-sized chunk. */
const MAX_AUTO_CHUNK = 8192;

type Source<T> = { kind: 'array'; items: readonly T[] } | { kind: 'sync'; iterator: Iterator<T> } | { kind: 'async'; iterator: AsyncIterator<T> };

function sourceOf<T>(given: Iterable<T> | AsyncIterable<T>): Source<T> {
  const inputs: unknown = given;
  if (Array.isArray(inputs)) return { kind: 'array', items: inputs as readonly T[] };
  if ((typeof inputs === 'object' && inputs !== null) || typeof inputs === 'string') {
    const syncFactory = (inputs as Partial<Iterable<T>>)[Symbol.iterator];
    if (typeof syncFactory === 'function') return { kind: 'sync', iterator: syncFactory.call(inputs) };
    const asyncFactory = (inputs as Partial<AsyncIterable<T>>)[Symbol.asyncIterator];
    if (typeof asyncFactory === 'function') return { kind: 'async', iterator: asyncFactory.call(inputs) };
  }
  throw invalidOption('map: inputs must be an iterable or an async iterable');
}

/** Starts a map and returns its promise. @internal */
export function startMap<T, R>(core: Core, name: string, inputs: Iterable<T> | AsyncIterable<T>, options: MapOptions | undefined): Promise<R[]> {
  try {
    return new Mapper<T, R>(core, name, sourceOf(inputs), options ?? {}).promise;
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** What a chunk reports to. */
interface ChunkOwner<R> {
  chunkDone(chunk: Chunk<R>, values: readonly R[], runTime: number): void;
  chunkFailed(chunk: Chunk<R>, error: unknown): void;
}

class Mapper<T, R> extends Active implements ChunkOwner<R> {
  readonly promise: Promise<R[]>;
  private resolve!: (value: R[]) => void;
  private reject!: (error: unknown) => void;
  private readonly core: Core;
  private readonly name: string;
  private readonly source: Source<T>;
  private readonly fixedSize: number | undefined;
  private readonly concurrency: number;
  private readonly onProgress: ((done: number, total: number | undefined) => void) | undefined;
  private readonly results: R[] = [];
  private readonly out = new Set<Chunk<R>>();
  private next = 0;
  private done = 0;
  private exhausted = false;
  private finished = false;
  private pulling = false;
  /** Measured run time per input, ms (a moving average). */
  private perItem: number | undefined;
  /** Stops following the caller's signal. */
  private unfollow: (() => void) | undefined;
  /** The priority of every chunk (0: none). */
  private readonly priority: number;

  constructor(core: Core, name: string, source: Source<T>, given: MapOptions) {
    super();
    const { chunkSize, concurrency, signal, onProgress, priority } = resolveMapOptions(given, core.options.maxThreads);
    this.promise = new Promise<R[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.core = core;
    this.name = name;
    this.source = source;
    this.fixedSize = chunkSize;
    this.concurrency = concurrency;
    this.priority = priority;
    this.onProgress = onProgress;
    if (source.kind === 'array') this.results.length = source.items.length;
    core.active.enter(this);
    if (signal !== undefined) {
      this.unfollow = onAbort(signal, (reason) => {
        this.fail(abortError(reason));
      });
      if (this.unfollow === undefined) return;
    }
    this.pump();
  }

  /** The total, once known. */
  private get total(): number | undefined {
    if (this.source.kind === 'array') return this.source.items.length;
    return this.exhausted ? this.next : undefined;
  }

  private chunkSize(): number {
    if (this.fixedSize !== undefined) return this.fixedSize;
    if (this.perItem === undefined) return 1;
    let size = Math.floor(TARGET_CHUNK_MS / Math.max(this.perItem, 1e-4));
    const total = this.total;
    // Keep enough chunks to spread the rest over every thread.
    if (total !== undefined) size = Math.min(size, Math.ceil((total - this.next) / this.core.options.maxThreads));
    return Math.max(1, Math.min(MAX_AUTO_CHUNK, size));
  }

  /** Sends chunks until `concurrency` are out or the inputs run out. */
  private pump(): void {
    if (this.pulling) return;
    try {
      while (!this.finished && !this.exhausted && this.out.size < this.concurrency) {
        const size = this.chunkSize();
        const source = this.source;
        let items: T[];
        if (source.kind === 'array') {
          items = source.items.slice(this.next, this.next + size);
          if (this.next + items.length >= source.items.length) this.exhausted = true;
        } else if (source.kind === 'sync') {
          items = [];
          while (items.length < size) {
            const step = source.iterator.next();
            if (step.done === true) {
              this.exhausted = true;
              break;
            }
            items.push(step.value);
          }
        } else {
          this.pullAsync(source.iterator, size);
          return;
        }
        if (items.length > 0) this.launch(items);
      }
      if (this.exhausted && this.out.size === 0) this.complete();
    } catch (error) {
      this.fail(error);
    }
  }

  private pullAsync(iterator: AsyncIterator<T>, size: number): void {
    this.pulling = true;
    const items: T[] = [];
    const step = (): void => {
      iterator.next().then(
        (result) => {
          if (this.finished) return;
          if (result.done === true) this.exhausted = true;
          else items.push(result.value);
          if (!this.exhausted && items.length < size) {
            step();
            return;
          }
          this.pulling = false;
          if (items.length > 0) {
            try {
              this.launch(items);
            } catch (error) {
              this.fail(error);
              return;
            }
          }
          this.pump();
        },
        (error: unknown) => {
          this.pulling = false;
          this.fail(error);
        },
      );
    };
    step();
  }

  private launch(items: T[]): void {
    const offset = this.next;
    this.next += items.length;
    let args: EncodedArgs;
    try {
      args = this.core.transport.encodeArgs(items, 'inputs');
    } catch (error) {
      // Name the input at fault by its place in the whole map, not in the chunk.
      items.forEach((item, index) => {
        this.core.transport.encodeOne(item, `inputs[${offset + index}]`);
      });
      throw error;
    }
    this.out.add(new Chunk<R>(this.core, this, this.name, offset, items.length, args, this.priority));
  }

  /** A chunk succeeded. */
  chunkDone(chunk: Chunk<R>, values: readonly R[], runTime: number): void {
    this.out.delete(chunk);
    if (this.finished) return;
    const { offset, count } = chunk;
    for (let index = 0; index < count; index++) this.results[offset + index] = values[index] as R;
    this.done += count;
    const perItem = runTime / count;
    this.perItem = this.perItem === undefined ? perItem : (this.perItem + perItem) / 2;
    callBack(this.onProgress, [this.done, this.total], 'map onProgress');
    this.pump();
  }

  /** A chunk failed: the map fails with its error. */
  chunkFailed(chunk: Chunk<R>, error: unknown): void {
    this.out.delete(chunk);
    this.fail(error);
  }

  override abort(error: Error): void {
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    for (const chunk of [...this.out]) chunk.cancel();
    this.out.clear();
    if (this.source.kind !== 'array') {
      try {
        void this.source.iterator.return?.();
      } catch (closeError) {
        warnThrew('closing the map inputs', closeError);
      }
    }
    this.settle();
    this.reject(error);
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.settle();
    this.resolve(this.results);
  }

  private settle(): void {
    this.unfollow?.();
    this.core.active.leave(this);
  }
}

/** One chunk of a map: a pool task that runs the task once per input. */
class Chunk<R> extends Job {
  readonly offset: number;
  readonly count: number;
  private readonly mapper: ChunkOwner<R>;

  constructor(core: Core, mapper: ChunkOwner<R>, name: string, offset: number, count: number, args: EncodedArgs, priority: number) {
    super(core, count);
    this.priority = priority;
    this.mapper = mapper;
    this.offset = offset;
    this.count = count;
    core.counters.submitted += count;
    core.active.enter(this);
    this.post(name, args, FLAG_CHUNK, undefined);
  }

  protected onAnswer(result: ResultMessage): void {
    const kind = result[RESULT_KIND] & ~RESULT_WIRE;
    if (kind === RESULT_OK || kind === RESULT_THREW) {
      let value: unknown;
      try {
        value = this.core.transport.decode(result[RESULT_VALUE], (result[RESULT_KIND] & RESULT_WIRE) !== 0, kind === RESULT_OK ? 'result' : 'error');
      } catch (error) {
        this.failAll(error);
        return;
      }
      if (typeof value === 'object' && value !== null && value instanceof Promise) {
        value.then(
          (decoded: unknown) => {
            this.decoded(result, decoded);
          },
          (error: unknown) => {
            this.failAll(error);
          },
        );
        return;
      }
      this.decoded(result, value);
      return;
    }
    const record = result[RESULT_FAILURE];
    if (kind === RESULT_FAILED && record !== undefined) this.failAll(failureError(record));
    else this.cancel();
  }

  private decoded(result: ResultMessage, value: unknown): void {
    if (!this.markSettled()) return;
    this.recordTimes(result, 0);
    if ((result[RESULT_KIND] & ~RESULT_WIRE) === RESULT_OK) {
      this.core.counters.completed += this.count;
      this.mapper.chunkDone(this, value as R[], result[RESULT_DURATION]);
      return;
    }
    // Inputs before the one that threw succeeded; those after it never ran.
    const index = result[RESULT_INDEX] ?? 0;
    this.core.counters.completed += index;
    this.core.counters.failed += 1;
    this.core.counters.cancelled += this.count - index - 1;
    this.mapper.chunkFailed(this, value);
  }

  protected onLost(error: Error): void {
    this.failAll(error);
  }

  private failAll(error: unknown): void {
    if (!this.markSettled()) return;
    this.core.counters.failed += this.count;
    this.mapper.chunkFailed(this, error);
  }

  /** Cancels the chunk (the map failed or was cancelled). */
  cancel(): void {
    if (this.settled) return;
    this.stop('cancel');
    this.markSettled();
    this.core.counters.cancelled += this.count;
  }

  override abort(error: Error): void {
    this.failAll(error);
  }
}
