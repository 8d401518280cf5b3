/**
 * BullMQ and ioredis are optional peers: in-process users install neither. They are imported on
 * first use, and a missing one is a clear `ERR_MISSING_DEPENDENCY`, not a module-resolution error.
 * @module
 */
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';
import { missingDependencyError } from '../errors.js';

/** The two packages, loaded. */
export interface Peers {
  readonly bullmq: typeof BullMQ;
  readonly Redis: typeof IORedis.Redis;
}

let loading: Promise<Peers> | undefined;

/** Whether `error` says that package `name` itself cannot be found (not one of its own imports). */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && (error as Error).message.includes(`'${name}'`);
}

/** Imports bullmq and ioredis once; rejects with `ERR_MISSING_DEPENDENCY` naming the one(s) missing. */
export function loadPeers(): Promise<Peers> {
  loading ??= (async () => {
    const [bullmq, ioredis] = await Promise.allSettled([import('bullmq'), import('ioredis')]);
    if (bullmq.status === 'fulfilled' && ioredis.status === 'fulfilled') return { bullmq: bullmq.value, Redis: ioredis.value.Redis };
    const missing = [bullmq.status === 'rejected' ? 'bullmq' : undefined, ioredis.status === 'rejected' ? 'ioredis' : undefined].filter((name) => name !== undefined);
    const cause: unknown = bullmq.status === 'rejected' ? bullmq.reason : ioredis.status === 'rejected' ? ioredis.reason : undefined;
    // BullMQ imports ioredis itself: without ioredis, bullmq fails too, though it is installed.
    const named = missing.length === 2 && !isMissing(bullmq.status === 'rejected' ? bullmq.reason : undefined, 'bullmq') ? ['ioredis'] : missing;
    throw missingDependencyError(named.join(' and '), 'celerity/bullmq', cause);
  })();
  return loading;
}
