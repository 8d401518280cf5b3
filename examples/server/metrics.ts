/**
 * What the server measures about itself: how late its event loop runs, and how requests ended.
 * @module
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The event loop is sampled by a timer this often, ms. */
export const SAMPLE_MS = 10;

/** Event-loop lateness figures, ms. */
export interface DelaySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** How many samples the figures come from. */
  readonly samples: number;
}

/** A snapshot of the server's own figures. */
export interface MetricsSnapshot {
  /** `'pool'` (tasks on worker threads) or `'inline'` (the same work on the main thread). */
  readonly mode: 'pool' | 'inline';
  /** How late the event loop ran beyond its {@link SAMPLE_MS} sampling timer. */
  readonly eventLoopDelay: DelaySummary;
  /** Answers sent, by status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Runs cancelled because their client disconnected before the answer. */
  readonly cancelledOnDisconnect: number;
  /** Requests whose client disconnected while the body was still arriving. */
  readonly goneWhileSending: number;
  /** Solves refused at once because those ahead would not leave them time to finish within the limit. */
  readonly refusedEarly: number;
}

function lateness(histogram: IntervalHistogram, value: number): number {
  // The histogram records whole timer intervals (ns); lateness is what exceeds the interval.
  return histogram.count === 0 ? 0 : Math.max(0, value / 1e6 - SAMPLE_MS);
}

/** The counters and the event-loop monitor of one server. */
export class ServerMetrics {
  /** Runs cancelled because their client disconnected. */
  cancelledOnDisconnect = 0;
  /** Clients gone before their body was read. */
  goneWhileSending = 0;
  /** Solves refused at once: they could not have finished within the limit. */
  refusedEarly = 0;
  readonly #mode: 'pool' | 'inline';
  readonly #histogram = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  #statuses: Record<string, number> = {};

  /** Starts measuring. */
  constructor(mode: 'pool' | 'inline') {
    this.#mode = mode;
    this.#histogram.enable();
  }

  /** Counts an answer. */
  answered(status: number): void {
    this.#statuses[status] = (this.#statuses[status] ?? 0) + 1;
  }

  /** The figures since the start or the last {@link ServerMetrics.reset}. */
  snapshot(): MetricsSnapshot {
    const h = this.#histogram;
    return {
      mode: this.#mode,
      eventLoopDelay: {
        p50: lateness(h, h.percentile(50)),
        p99: lateness(h, h.percentile(99)),
        max: lateness(h, h.max),
        mean: lateness(h, h.mean),
        samples: h.count,
      },
      statuses: { ...this.#statuses },
      cancelledOnDisconnect: this.cancelledOnDisconnect,
      goneWhileSending: this.goneWhileSending,
      refusedEarly: this.refusedEarly,
    };
  }

  /** Starts the figures afresh (a load run calls this just before it begins). */
  reset(): void {
    this.#histogram.reset();
    this.#statuses = {};
    this.cancelledOnDisconnect = 0;
    this.goneWhileSending = 0;
    this.refusedEarly = 0;
  }

  /** Stops the event-loop monitor. */
  stop(): void {
    this.#histogram.disable();
  }
}
