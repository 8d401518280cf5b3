/**
 * The pools of the round-trip figure: a celerity app, a raw Piscina pool and, when poolifier is
 * installed, a poolifier pool; one thread each, all echoing their argument back.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type * as Poolifier from 'poolifier';
import { createApp, type App } from '../index.js';
import type echoTasks from './echo-tasks.js';
import { importOptional } from './optional.js';
import { stopPoolifier } from './poolifier-stop.js';

/** A celerity app and its baselines side by side. */
export class PoolPair {
  private poolifier: Poolifier.FixedThreadPool | undefined;

  private constructor(
    private readonly app: App<typeof echoTasks>,
    private readonly piscina: Piscina,
  ) {}

  /**
   * Starts both pools. With `moduleUrl`, the app may import that module to find a class; call
   * {@link PoolPair.load} to import it up front.
   */
  static open(moduleUrl?: string): PoolPair {
    const app = createApp<typeof echoTasks>({
      tasks: new URL('./echo-tasks.js', import.meta.url),
      threads: 1,
      ...(moduleUrl === undefined ? {} : { modules: [moduleUrl] }),
    });
    const piscina = new Piscina({ filename: new URL('./raw-echo.js', import.meta.url).href, minThreads: 1, maxThreads: 1 });
    return new PoolPair(app, piscina);
  }

  /**
   * Imports the user's module in the app's thread (there is one), so the classes it registers
   * decode there even when their registration names no module.
   */
  async load(moduleUrl: string): Promise<void> {
    await this.app.run('load', moduleUrl);
  }

  /**
   * Starts the pools' threads, so that no measurement pays for it; the poolifier pool only now,
   * if poolifier is installed.
   */
  async warm(): Promise<void> {
    const poolifier = await importOptional<typeof Poolifier>('poolifier');
    if (poolifier !== undefined) this.poolifier = new poolifier.FixedThreadPool(1, fileURLToPath(new URL('./poolifier-echo.js', import.meta.url)));
    await Promise.all([this.app.run('echo', null), this.piscina.run(null), this.poolifier?.execute(null)]);
  }

  /** Whether the poolifier baseline runs (poolifier is installed). */
  get hasPoolifier(): boolean {
    return this.poolifier !== undefined;
  }

  /** One round trip through the celerity app. */
  celerity(value: unknown): Promise<unknown> {
    return this.app.run('echo', value);
  }

  /** One round trip through raw Piscina (plain structured clone each way). */
  raw(value: unknown): Promise<unknown> {
    return this.piscina.run(value) as Promise<unknown>;
  }

  /** One round trip through poolifier (plain structured clone each way); see {@link hasPoolifier}. */
  poolifierRun(value: unknown): Promise<unknown> {
    return (this.poolifier as Poolifier.FixedThreadPool).execute(value);
  }

  /** Stops the pools. */
  async close(): Promise<void> {
    await Promise.all([this.app.close(), this.piscina.close(), this.destroyPoolifier()]);
  }

  /** Stops the pools at once, abandoning any work. */
  async destroy(): Promise<void> {
    await Promise.all([this.app.destroy(), this.piscina.destroy(), this.destroyPoolifier()]);
  }

  /** Destroys the poolifier pool, if there is one (within a bound, see `poolifier-stop.ts`). */
  private async destroyPoolifier(): Promise<void> {
    if (this.poolifier !== undefined) await stopPoolifier(this.poolifier);
  }
}
