// Errors of the Guacamole client, classified (reference §2): Guacamole answers with an APIError
// `{message, type, ...}` and the status of GuacamoleStatus, 403 for both bad credentials and a dead
// token. The job runtime reads `permanent` and `responseCode` by shape, without importing this.

import type { JobFailure } from '@vle/domain';

export type GuacamoleErrorKind =
  /** 400 `User "x" already exists.` / `The connection "x" already exists.`: look the object up. */
  | 'exists'
  /** 404 `Not found: "57"`. */
  | 'not_found'
  /** 400 other than a duplicate: a bad parameter, a blank name. */
  | 'bad_request'
  /** 409 */
  | 'conflict'
  /** 403 INVALID_CREDENTIALS / INSUFFICIENT_CREDENTIALS: the login was refused. */
  | 'auth'
  /** 403 PERMISSION_DENIED after one fresh login: the account may not do this. */
  | 'permission'
  /** 5xx, 408, 429: the server (or a proxy in front of it) could not do it now. */
  | 'unavailable'
  /** No HTTP answer: connection refused or reset, DNS. */
  | 'network'
  /** No answer in time. Ambiguous for a write: the server may have done the work. */
  | 'timeout'
  | 'unknown';

export interface GuacamoleClassification {
  readonly kind: GuacamoleErrorKind;
  readonly transient: boolean;
}

/** The APIError types of rest/APIError.java. */
export type GuacamoleErrorType = 'BAD_REQUEST' | 'INVALID_CREDENTIALS' | 'INSUFFICIENT_CREDENTIALS' | 'INTERNAL_ERROR' | 'NOT_FOUND' | 'PERMISSION_DENIED' | 'STREAM_ERROR';

const DUPLICATE = /\balready exists\.?$/;

/**
 * The kind of an answer and whether asking again can succeed. 400/404/409 are permanent (a handler
 * that knows better, e.g. "already exists" during a create it looks up, decides otherwise); a 403 is
 * permanent here because the client has already logged in afresh once before it gives up.
 */
export function classifyGuacamoleError(status: number, type: string | undefined, message: string): GuacamoleClassification {
  if (status === 400) return { kind: DUPLICATE.test(message) ? 'exists' : 'bad_request', transient: false };
  if (status === 404) return { kind: 'not_found', transient: false };
  if (status === 409) return { kind: 'conflict', transient: false };
  if (status === 403 || status === 401) return { kind: type === 'PERMISSION_DENIED' ? 'permission' : 'auth', transient: false };
  if (status >= 500 || status === 408 || status === 429) return { kind: 'unavailable', transient: true };
  return { kind: 'unknown', transient: false };
}

export interface GuacamoleErrorInit {
  /** HTTP status; 0 when no HTTP answer arrived. */
  readonly status: number;
  /** The APIError's type, when the answer was one. */
  readonly type?: string;
  readonly message: string;
  readonly method: string;
  /** Below the base URL, without query string (a token never appears here). */
  readonly path: string;
  readonly kind: GuacamoleErrorKind;
  readonly transient: boolean;
  readonly responseCode: string;
}

/** Anything Guacamole refused or could not be asked. Carries no credentials and no token. */
export class GuacamoleError extends Error implements JobFailure {
  declare readonly name: string;
  readonly status: number;
  readonly type?: string;
  readonly method: string;
  readonly path: string;
  readonly kind: GuacamoleErrorKind;
  readonly transient: boolean;
  /** `!transient`, read by the job runtime's `isPermanent`. */
  readonly permanent: boolean;
  /** GUAC_<status>, GUAC_TIMEOUT or GUAC_NETWORK, read by `responseCodeOf`. */
  readonly responseCode: string;

  constructor(init: GuacamoleErrorInit) {
    super(init.message);
    this.status = init.status;
    if (init.type !== undefined) this.type = init.type;
    this.method = init.method;
    this.path = init.path;
    this.kind = init.kind;
    this.transient = init.transient;
    this.permanent = !init.transient;
    this.responseCode = init.responseCode;
  }

  /** The error of an HTTP answer: an APIError body, or a proxy's page (`HTTP 503 Service Unavailable`). */
  static fromResponse(method: string, path: string, status: number, statusText: string, body: unknown): GuacamoleError {
    const apiError = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string; type?: unknown }) : undefined;
    const type = typeof apiError?.type === 'string' ? apiError.type : undefined;
    const message = apiError?.message || `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
    return new GuacamoleError({ status, type, message, method, path, ...classifyGuacamoleError(status, type, message), responseCode: `GUAC_${status}` });
  }

  toJSON(): Record<string, unknown> {
    const { name, message, status, type, method, path, kind, transient, permanent, responseCode } = this;
    return { name, message, status, type, method, path, kind, transient, permanent, responseCode };
  }
}

// On the prototype, so that the stack captured in the constructor already starts with the name.
Object.defineProperty(GuacamoleError.prototype, 'name', { value: 'GuacamoleError', writable: true, configurable: true });

export function isGuacamoleError(error: unknown): error is GuacamoleError {
  return error instanceof GuacamoleError;
}
