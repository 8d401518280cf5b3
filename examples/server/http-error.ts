/**
 * An error that already knows its HTTP answer: status, a short machine-readable code, a message
 * for people, and any extra headers.
 * @module
 */

/** An error the server answers with a given status instead of a 500. */
export class HttpError extends Error {
  /** The HTTP status to answer with. */
  readonly status: number;
  /** A short stable code for clients, e.g. `bad_json`. */
  readonly code: string;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates the error. */
  constructor(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  static {
    Object.defineProperty(this.prototype, 'name', { value: 'HttpError' });
  }
}

/** The client went away before the request was read: there is no one to answer. */
export class ClientGone extends Error {
  static {
    Object.defineProperty(this.prototype, 'name', { value: 'ClientGone' });
  }
}
