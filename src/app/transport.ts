/**
 * The app's side of the messages: argument lists encoded for the threads (through the JSON wire
 * first when `wire: 'json'`), answers decoded, task messages handed to the pool, control messages
 * (abort a task's signal) broadcast to the threads, and the worker events (start, progress, answer)
 * routed to the run they concern.
 * @module
 */
import { BroadcastChannel } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import type { Piscina } from 'piscina';
import { encode, type Wire } from '../codec/index.js';
import { jsonRoundTrip } from '../json/index.js';
import { decodeWithImports, type Allowlist } from '../protocol/class-loader.js';
import { EVENT_ANSWER, EVENT_LOADED, arePlainPrimitives, isWorkerEvent, type ControlMessage, type ResultMessage, type RunEvent, type TaskMessage } from '../protocol/messages.js';
import type { ResolvedOptions } from './options.js';
import type { Batches } from './batches.js';

/** What receives the answer of a try posted to answer by event. */
export interface AnswerSink {
  /** The answer of try `n`. */
  onAnswerEvent(n: number, answer: ResultMessage): void;
}

/** What receives the start and progress events of one run. */
export interface EventSink {
  /** A worker event for this run number. */
  onEvent(event: RunEvent): void;
}

/** An argument list ready to post. */
export interface EncodedArgs {
  /** The plain list itself (all primitives), or its {@link Wire}. */
  readonly value: Wire | readonly unknown[];
  /** Whether `value` is a {@link Wire}. */
  readonly wire: boolean;
}

/** The messages of one app. */
export class Transport {
  /** The control channel's name, for the threads' boot data. */
  readonly channelName = `celerity:${randomUUID()}`;
  private readonly channel = new BroadcastChannel(this.channelName);
  private readonly sinks = new Map<number, EventSink>();
  /** Tries whose answer comes as an event, by run number. */
  private readonly answerSinks = new Map<number, AnswerSink>();
  private answerHolds = 0;
  private answerHold: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * @param options The app's options (`strict`, `wire`).
   * @param allow Modules this thread may import to decode answers (the threads' allowlist too).
   */
  constructor(
    private readonly options: ResolvedOptions,
    private readonly allow: Allowlist,
  ) {
    this.channel.unref();
  }

  private pool: Piscina<TaskMessage, ResultMessage | null> | undefined;

  private batches: Batches | undefined;

  /**
   * Starts routing the pool's worker events; `loaded` hears which threads have loaded. Task
   * messages go to the pool through `batches`.
   */
  attach(pool: Piscina<TaskMessage, ResultMessage | null>, batches: Batches, loaded: (thread: number) => void): void {
    this.pool = pool;
    this.batches = batches;
    pool.on('message', (message: unknown) => {
      if (!isWorkerEvent(message)) return;
      if (message[1] === EVENT_ANSWER) this.answerSinks.get(message[2])?.onAnswerEvent(message[3], message[4]);
      else if (message[1] === EVENT_LOADED) loaded(message[2]);
      else this.sinks.get(message[2])?.onEvent(message);
    });
  }

  /**
   * Encodes an argument list (or a chunk of map inputs). A list of primitives needs no codec at
   * all and is sent as it is. Messages carry class ids only: which modules a thread may import is
   * fixed when the app is made (its allowlist), never named by a message.
   */
  encodeArgs(list: readonly unknown[], path: string): EncodedArgs {
    if (this.options.wire === 'json') list = jsonRoundTrip(list, { path, strict: this.options.strict }) as unknown[];
    if (arePlainPrimitives(list)) return { value: list, wire: false };
    return { value: encode(list, { strict: this.options.strict, path }), wire: true };
  }

  /** Encodes one value alone, for the path of an error. */
  encodeOne(value: unknown, path: string): void {
    encode(value, { strict: this.options.strict, path });
  }

  /**
   * Decodes an answer from a thread (result, error, progress), importing allowed modules if
   * needed; a plain primitive (`isWire` false) is returned as it is. May return a promise.
   */
  decode(value: unknown, isWire: boolean, path: string): unknown {
    const decoded = isWire ? decodeWithImports(value as Wire, path, this.allow) : value;
    if (this.options.wire !== 'json' || path === 'error') return decoded;
    // Errors are left as they are: a failed trip would hide the error the task actually threw.
    const check = (v: unknown): unknown => jsonRoundTrip(v, { path, strict: this.options.strict });
    return decoded instanceof Promise ? decoded.then(check) : check(decoded);
  }

  /**
   * Hands one task message to the pool, alone or in a batch (see `batches.ts`); the promise is
   * the pool's answer for whatever carried it.
   */
  post(message: TaskMessage, transfer: readonly ArrayBuffer[] | undefined): Promise<ResultMessage | null> {
    return (this.batches as Batches).post(message, transfer);
  }

  /** Routes the worker events of run `i` to `sink` until {@link untrack}. */
  track(i: number, sink: EventSink): void {
    this.sinks.set(i, sink);
  }

  /** Stops routing worker events of run `i`. */
  untrack(i: number): void {
    this.sinks.delete(i);
  }

  /** Routes the answer event of run `i` to `sink` until {@link forgetAnswer}. */
  expectAnswer(i: number, sink: AnswerSink): void {
    this.answerSinks.set(i, sink);
  }

  /** Stops routing the answer event of run `i`. */
  forgetAnswer(i: number): void {
    this.answerSinks.delete(i);
  }

  /**
   * Keeps the process alive while an answer event is on its way. The pool unreferences a thread
   * as soon as it has no task, which Piscina decides on its own, shorter, reply: without a hold,
   * a process awaiting nothing else could exit with the answer still queued.
   */
  holdForAnswer(): void {
    if (this.answerHolds++ === 0) this.answerHold = setInterval(noop, 1 << 30);
  }

  /** Ends one {@link holdForAnswer}. */
  releaseAnswerHold(): void {
    if (--this.answerHolds > 0) return;
    clearInterval(this.answerHold);
    this.answerHold = undefined;
  }

  /** Tells a thread to abort the signal of one task. */
  control(thread: number, i: number, n: number, kind: 'cancel' | 'timeout'): void {
    if (this.closed) return;
    const message: ControlMessage = { t: thread, i, n, r: kind };
    this.channel.postMessage(message);
  }

  /** Closes the control channel; later controls are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
  }
}

function noop(): void {
  // keeps a timer alive, nothing more
}
