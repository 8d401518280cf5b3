/**
 * Reading a request body with a size limit.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ClientGone, HttpError } from './http-error.js';

/**
 * Beyond the limit the rest of the body is read and dropped, up to this many times the limit,
 * so the client is done sending when the 413 arrives and reads it cleanly; past that the
 * connection is cut rather than spend more bandwidth on it.
 */
const DRAIN_FACTOR = 8;

function tooLarge(limit: number, close: boolean): HttpError {
  return new HttpError(413, 'too_large', `the request body is larger than the limit of ${limit} bytes`, close ? { connection: 'close' } : {});
}

/**
 * Reads the whole body as UTF-8 text.
 *
 * @throws {HttpError} 413 when the body passes `limit` bytes (declared or actual).
 * @throws {ClientGone} when the client disconnects first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit * DRAIN_FACTOR) {
      // Not worth reading at all: answer at once and drop the connection after the answer.
      reject(tooLarge(limit, true));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        if (size > limit * DRAIN_FACTOR) {
          finish(() => {
            reject(tooLarge(limit, true));
          });
          req.pause();
        }
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.once('end', () => {
      finish(() => {
        if (over) reject(tooLarge(limit, false));
        else resolve(Buffer.concat(chunks, size).toString('utf8'));
      });
    });
    req.once('error', () => {
      finish(() => {
        reject(new ClientGone('the client disconnected while sending'));
      });
    });
    req.once('close', () => {
      finish(() => {
        if (!req.complete) reject(new ClientGone('the client disconnected while sending'));
      });
    });
  });
}
