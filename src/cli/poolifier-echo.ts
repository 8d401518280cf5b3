/**
 * The poolifier worker of `celerity bench` (loaded only when poolifier is installed): a baseline
 * of the pool round trip, a plain structured clone each way and no codec.
 * @module
 */
import { ThreadWorker } from 'poolifier';

export default new ThreadWorker((value: unknown) => value);
