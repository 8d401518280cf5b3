/**
 * The Redis connections of a queue app or worker: made from a `redis://` URL, ioredis options or
 * an existing ioredis connection, and bounded. ioredis retries for ever and queues commands while
 * Redis is down, so without a bound an unreachable Redis would hang every call: the first
 * connection must be ready within `connectTimeout`, or the app fails with `ERR_BROKER_UNAVAILABLE`.
 * @module
 */
import type { Redis, RedisOptions } from 'ioredis';
import { brokerUnavailableError, invalidOption, messageOf } from '../errors.js';
import type { Peers } from './peers.js';

/** Where Redis is: a `redis://` (or `rediss://`) URL, ioredis options, or an ioredis connection to share. */
export type Connection = string | RedisOptions | Redis;

/** The default bound on the first connection, ms. */
export const DEFAULT_CONNECT_TIMEOUT = 5000;

/** Checks a `connection` option without connecting. */
export function checkConnection(connection: unknown): Connection {
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) throw invalidOption(`options.connection must be a redis:// or rediss:// URL, ioredis options or an ioredis connection, got ${JSON.stringify(connection)}`);
    return connection;
  }
  if (typeof connection === 'object' && connection !== null) return connection;
  throw invalidOption('options.connection must be a redis:// URL, ioredis options or an ioredis connection');
}

/** Whether `connection` is an ioredis connection rather than its options. */
function isClient(connection: Connection): connection is Redis {
  return typeof connection === 'object' && typeof (connection as Partial<Redis>).duplicate === 'function';
}

/**
 * A new connection (BullMQ needs `maxRetriesPerRequest: null` on the connections its workers
 * block on). A shared client is duplicated, so that closing ours never closes the caller's.
 */
export function openConnection(peers: Peers, connection: Connection): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, lazyConnect: false };
  let client: Redis;
  if (typeof connection === 'string') client = new peers.Redis(connection, options);
  else if (isClient(connection)) client = connection.duplicate(options);
  else client = new peers.Redis({ ...connection, ...options });
  // ioredis reports each failed reconnect as an 'error' event; without a listener that would end
  // the process. Readiness is watched by `whenReady`.
  client.on('error', () => undefined);
  return client;
}

/** Resolves once `client` is ready; rejects with `ERR_BROKER_UNAVAILABLE` after `ms`. */
export function whenReady(client: Redis, ms: number, where: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: unknown;
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const done = (error?: Error): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => {
      done();
    };
    const timer = setTimeout(() => {
      const reason = lastError === undefined ? 'no answer' : messageOf(lastError);
      done(brokerUnavailableError(`could not connect to ${where} within ${ms} ms (${reason})`, lastError));
    }, ms);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** A short description of where `connection` points, for messages (never its password). */
export function describeConnection(connection: Connection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      return `${url.protocol}//${url.hostname}:${url.port === '' ? '6379' : url.port}`;
    } catch {
      return 'the Redis URL given';
    }
  }
  if (isClient(connection)) return `${connection.options.host ?? '127.0.0.1'}:${connection.options.port ?? 6379}`;
  return `${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}
