/**
 * `celerity/bullmq`: the same tasks module across processes and machines, on a BullMQ queue in
 * Redis. The submitting side is {@link createQueueApp} (the same interface as `createApp`'s app,
 * plus `attach` and `counts`); the worker side is {@link createQueueWorker} or the
 * `celerity worker` command. Needs the optional peers `bullmq` and `ioredis`.
 * @module
 */
export { createQueueApp, type QueueApp, type QueueCounts } from './queue-app.js';
export { createQueueWorker, type QueueWorker } from './queue-worker.js';
export type { QueueAppOptions, QueueSubmitOptions, QueueRetryOptions, QueueWorkerOptions, KeepOptions, JobReport } from './options.js';
export type { Connection } from './connection.js';
export { UnrecoverableError } from '../errors.js';
