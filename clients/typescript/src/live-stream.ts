// GET /api/v1/tasks/stream as an async iterable of typed events. A dropped connection, a `closed`
// (the server stops, or found the client too slow) and an `expired` (the token ran out) are followed
// by a new connection with Last-Event-ID, so the server first sends what changed meanwhile (or
// `reset` when that was too much); before each new connection the iterable yields `reconnecting`,
// and a new token is asked for (a TokenSource function renews it). A refusal that asking again
// cannot change (400, 401, 403) ends the iteration with its typed error.

import { ConnectionError, isTasksError, UnexpectedResponseError, type TasksError } from './errors.js';
import type { CallOptions, HttpClient, Query } from './http.js';
import { serverSentEvents, type ServerSentEvent } from './sse.js';
import type { TaskView } from './types.js';

/** What the live stream says; `id` is the event id (a stream sequence) to resume after. */
export type LiveEvent =
  /** The stream is live (after the catch-up of a resumed one). */
  | { readonly type: 'ready'; readonly id: string; readonly seq: number }
  /** A Task changed and matches the filter: the Task as it is now. */
  | { readonly type: 'task'; readonly id: string; readonly task: TaskView }
  /** A Task changed and no longer matches the filter. */
  | { readonly type: 'leave'; readonly id: string; readonly taskId: string }
  /** Too much changed while the client was away: read the list again. */
  | { readonly type: 'reset'; readonly id: string; readonly seq: number; readonly reason: string }
  /** The token expired and the server ended the stream (the client reconnects with a fresh token). */
  | { readonly type: 'expired'; readonly id: string; readonly code: string; readonly message: string }
  /** The server ended the stream (it stops, or the client read too slowly); the client reconnects. */
  | { readonly type: 'closed'; readonly id: string; readonly reason: string }
  /** The client's own: the connection is gone and it connects again after `delayMs`. */
  | { readonly type: 'reconnecting'; readonly id: string; readonly attempt: number; readonly delayMs: number; readonly error?: TasksError };

export interface LiveStreamOptions extends CallOptions {
  /** Start after this event id, as a reconnection does (the server sends what changed since). */
  readonly lastEventId?: string;
  /** Connect again after a drop, `closed` or `expired` (default true); false ends the iteration instead. */
  readonly reconnect?: boolean;
  /** The first wait before connecting again; default the server's `retry` (3 s), doubling to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Give up (with the last error) after this many reconnections in a row without `ready`; default no limit. */
  readonly maxReconnects?: number;
}

const DEFAULT_RECONNECT_DELAY_MS = 1000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 30_000;

/** Errors that the next connection may not meet: the server's 5xx, a timeout, a lost connection. */
function transient(error: TasksError): boolean {
  return error.kind === 'unavailable' || error.kind === 'timeout' || error.kind === 'connection';
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(['ready', 'task', 'leave', 'reset', 'expired', 'closed']);

function decode(event: ServerSentEvent): LiveEvent | undefined {
  // An event of a later release is not ours to interpret, whatever its data.
  if (!KNOWN_EVENTS.has(event.event)) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(event.data) as Record<string, unknown>;
  } catch (error) {
    throw new UnexpectedResponseError('MALFORMED_RESPONSE', `the live stream sent a ${event.event} event that is not JSON: ${event.data.slice(0, 200)}`, { cause: error });
  }
  const id = event.lastEventId;
  switch (event.event) {
    case 'ready':
      return { type: 'ready', id, seq: Number(data.seq) };
    case 'task':
      return { type: 'task', id, task: data as unknown as TaskView };
    case 'leave':
      return { type: 'leave', id, taskId: String(data.id) };
    case 'reset':
      return { type: 'reset', id, seq: Number(data.seq), reason: String(data.reason ?? '') };
    case 'expired':
      return { type: 'expired', id, code: String(data.code ?? 'TOKEN_EXPIRED'), message: String(data.message ?? 'the token expired') };
    case 'closed':
      return { type: 'closed', id, reason: String(data.reason ?? '') };
    default:
      return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The live stream of the Tasks matching `query` (the list's filters and `q`). */
export async function* liveEvents(http: HttpClient, query: Query, options: LiveStreamOptions = {}): AsyncGenerator<LiveEvent, void, undefined> {
  const { signal } = options;
  let lastEventId = options.lastEventId ?? '';
  let serverRetryMs: number | undefined;
  let attempt = 0;
  for (;;) {
    let failure: TasksError | undefined;
    let immediately = false;
    // One controller per connection: ending the iteration (a break) aborts this connection only.
    const connection = new AbortController();
    const onAbort = () => connection.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await http.stream('streamTasks', { query, accept: 'text/event-stream', headers: lastEventId ? { 'last-event-id': lastEventId } : {} }, { ...options, signal: connection.signal });
      if (!response.body) throw new UnexpectedResponseError('MALFORMED_RESPONSE', 'the live stream answered without a body');
      for await (const item of serverSentEvents(response.body, lastEventId)) {
        if (item.kind === 'retry') serverRetryMs = item.ms;
        if (item.kind !== 'event') continue;
        lastEventId = item.lastEventId;
        const event = decode(item);
        if (event === undefined) continue;
        if (event.type === 'ready') attempt = 0;
        // A new token is what an expired stream needs, not a pause.
        if (event.type === 'expired') immediately = true;
        yield event;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const typed = isTasksError(error) ? error : new ConnectionError('STREAM_BROKEN', `the live stream broke: ${(error as Error).message}`, { cause: error });
      if (!transient(typed)) throw typed;
      failure = typed;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.abort();
    }
    if (options.reconnect === false) {
      if (failure) throw failure;
      return;
    }
    attempt++;
    if (options.maxReconnects !== undefined && attempt > options.maxReconnects) {
      throw failure ?? new ConnectionError('STREAM_ENDED', `the live stream ended ${attempt} times in a row without getting ready`);
    }
    const first = options.reconnectDelayMs ?? serverRetryMs ?? DEFAULT_RECONNECT_DELAY_MS;
    const delayMs = immediately && attempt === 1 ? 0 : Math.min(first * 2 ** (attempt - 1), options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS);
    yield { type: 'reconnecting', id: lastEventId, attempt, delayMs, ...(failure ? { error: failure } : {}) };
    await sleep(delayMs, signal);
  }
}
