// The HTTP side of the client: one request of a route of routes.ts with the bearer token, a timeout,
// the caller's AbortSignal, and every answer that is not a 2xx turned into its typed error.

import { ConnectionError, isTasksError, TimeoutError, UnexpectedResponseError, type TasksError } from './errors.js';
import { errorOfReply, isErrorReply } from './error-reply.js';
import { pathOf, ROUTES, type ImplementedOperation, type Origin } from './routes.js';
import { authorizationOf, type TokenSource } from './token.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HttpOptions {
  /**
   * The one origin (README, "One origin"): the projection, which serves the queries and the live
   * stream and forwards the commands to task-api. `npm start`: `http://127.0.0.1:3002`.
   */
  readonly baseUrl?: string | URL;
  /** Where the commands go when not to `baseUrl` (task-api's own port, inside the network). */
  readonly commandsUrl?: string | URL;
  /** Where the queries go when not to `baseUrl`. */
  readonly queriesUrl?: string | URL;
  /** The bearer token: a JWT, or a function that gives a fresh one before each request. */
  readonly token?: TokenSource;
  /** How long a request may take, to its last byte (a live stream: to its first); default 30 s. */
  readonly timeoutMs?: number;
  /** Another fetch (a proxy agent's, a test's); default the global one of Node.js 20+. */
  readonly fetch?: typeof fetch;
  /** Extra headers of every request (`user-agent`, ...). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** This request's own timeout, instead of the client's. */
  readonly timeoutMs?: number;
}

export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface HttpRequest {
  readonly path?: Readonly<Record<string, string | number>>;
  readonly query?: Query;
  readonly body?: unknown;
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Marks the abort of a request by its own timer, as against the caller's signal. */
class Expired extends Error {}

export class HttpClient {
  private readonly origins: Readonly<Record<Origin, string | undefined>>;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpOptions) {
    const base = options.baseUrl === undefined ? undefined : String(options.baseUrl);
    this.origins = {
      commands: trimmed(options.commandsUrl === undefined ? base : String(options.commandsUrl)),
      queries: trimmed(options.queriesUrl === undefined ? base : String(options.queriesUrl)),
    };
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The URL of an operation with its path parameters and query. */
  url(operation: ImplementedOperation, request: Pick<HttpRequest, 'path' | 'query'> = {}): URL {
    const route = ROUTES[operation];
    const origin = this.origins[route.origin];
    if (origin === undefined) throw new TypeError(`no base URL for ${operation}: give baseUrl, or ${route.origin}Url`);
    const url = new URL(origin + pathOf(route, request.path));
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined && item !== null) url.searchParams.append(name, item instanceof Date ? item.toISOString() : String(item));
      }
    }
    return url;
  }

  async json<T>(operation: ImplementedOperation, request: HttpRequest = {}, options: CallOptions = {}): Promise<T> {
    return this.exchange(operation, { accept: 'application/json', ...request }, options, async (response) => {
      const text = await response.text();
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new UnexpectedResponseError('MALFORMED_RESPONSE', `${operation} answered ${response.status} with a body that is not JSON: ${snippet(text)}`, { status: response.status, cause: error });
      }
    });
  }

  async text(operation: ImplementedOperation, request: HttpRequest, options: CallOptions = {}): Promise<string> {
    return this.exchange(operation, request, options, (response) => response.text());
  }

  /**
   * The answer of a streamed route once its headers are in (the timeout stops there); the body is
   * the caller's to read, under `options.signal`.
   */
  async stream(operation: ImplementedOperation, request: HttpRequest, options: CallOptions): Promise<Response> {
    return this.exchange(operation, request, options, async (response) => response, true);
  }

  private async exchange<T>(operation: ImplementedOperation, request: HttpRequest, options: CallOptions, read: (response: Response) => Promise<T>, headersOnly = false): Promise<T> {
    const route = ROUTES[operation];
    const url = this.url(operation, request);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers: Record<string, string> = { ...this.options.headers, ...request.headers };
    if (request.accept) headers.accept = request.accept;
    const authorization = await authorizationOf(this.options.token);
    if (authorization) headers.authorization = authorization;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    options.signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Expired()), timeoutMs);
    let streaming = false;
    try {
      const response = await this.fetch(url, {
        method: route.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: controller.signal,
      });
      if (!response.ok) throw await errorOfResponse(response, `${route.method} ${url.pathname}`);
      streaming = headersOnly;
      return await read(response);
    } catch (error) {
      streaming = false;
      throw failure(error, controller.signal, options.signal, `${route.method} ${url.pathname}`, timeoutMs);
    } finally {
      clearTimeout(timer);
      // A stream's body is read after this returns: the caller's signal must still abort it.
      if (!streaming) options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

function trimmed(url: string | undefined): string | undefined {
  return url?.replace(/\/+$/, '');
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line || '(empty)';
}

/** What a thrown fetch means: the caller's abort (its reason, as fetch does), our timeout, or a broken connection. */
function failure(error: unknown, own: AbortSignal, caller: AbortSignal | undefined, what: string, timeoutMs: number): unknown {
  if (isTasksError(error)) return error;
  if (caller?.aborted) return caller.reason;
  if (own.reason instanceof Expired) return new TimeoutError('REQUEST_TIMEOUT', `${what} got no answer within ${timeoutMs} ms`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new ConnectionError('CONNECTION_FAILED', `${what} failed: ${reason}`, { cause: error });
}

/** The typed error of an answer that is not a 2xx: the API's ErrorReply, or what a proxy said. */
export async function errorOfResponse(response: Response, what: string): Promise<TasksError> {
  const text = await response.text().catch(() => '');
  const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
  const extra = retryAfterMs === undefined ? {} : { retryAfterMs };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the API's answer (a proxy's page): the status says what it is.
  }
  if (isErrorReply(body)) return errorOfReply(body, response.status, extra);
  return errorOfReply({ code: `HTTP_${response.status}`, message: `${what} answered ${response.status} ${response.statusText}: ${snippet(text)}` }, response.status, extra);
}

/** Retry-After in seconds or as an HTTP date, in ms. */
function retryAfterOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
