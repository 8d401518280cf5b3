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

/** Imports bullmq and ioredis once; rejects with `ERR_MISSING_DEPENDENCY` when either is missing. */
export function loadPeers(): Promise<Peers> {
  loading ??= (async () => {
    let bullmq: typeof BullMQ;
    let ioredis: typeof IORedis;
    try {
      [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
    } catch (error) {
      throw missingDependencyError('bullmq and ioredis', 'celerity/bullmq', error);
    }
    return { bullmq, Redis: ioredis.Redis };
  })();
  return loading;
}
