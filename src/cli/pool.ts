/**
 * The two pools of the round-trip figure: a celerity app and a raw Piscina pool, one thread each,
 * both echoing their argument back.
 * @module
 */
import { Piscina } from 'piscina';
import { createApp, type App } from '../index.js';
import type echoTasks from './echo-tasks.js';

/** A celerity app and a raw Piscina pool side by side. */
export class PoolPair {
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

  /** Starts both pools' threads, so that no measurement pays for it. */
  async warm(): Promise<void> {
    await Promise.all([this.app.run('echo', null), this.piscina.run(null)]);
  }

  /** One round trip through the celerity app. */
  celerity(value: unknown): Promise<unknown> {
    return this.app.run('echo', value);
  }

  /** One round trip through raw Piscina (plain structured clone each way). */
  raw(value: unknown): Promise<unknown> {
    return this.piscina.run(value) as Promise<unknown>;
  }

  /** Stops both pools. */
  async close(): Promise<void> {
    await Promise.all([this.app.close(), this.piscina.close()]);
  }

  /** Stops both pools at once, abandoning any work. */
  async destroy(): Promise<void> {
    await Promise.all([this.app.destroy(), this.piscina.destroy()]);
  }
}
