// The list's live updates: GET /api/v1/tasks/stream read with fetch (an EventSource cannot send the
// bearer token), parsed by eventsource-parser, reconnecting after a drop with Last-Event-ID so that
// the server sends what changed meanwhile (or `reset` when that was too much).

import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { authHeaders } from '../api/client.js';
import type { TaskView } from '../api/types.js';

export type LiveState = 'connecting' | 'live' | 'offline' | 'stopped';

export interface LiveHandlers {
  task(task: TaskView): void;
  leave(taskId: string): void;
  /** Too much changed while away: load the list again. */
  reset(): void;
  state(state: LiveState, detail?: string): void;
  /** The server refused the token (401) or said it expired: the session is over. */
  unauthorized(message: string): void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export class LiveStream {
  private controller?: AbortController;
  private lastEventId?: string;
  private retryMs = RETRY_MIN_MS;
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(
    /** The stream's URL with the list's filters. */
    private readonly url: string,
    private readonly on: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.on.state('stopped');
  }

  private async connect(): Promise<void> {
    this.controller = new AbortController();
    this.on.state('connecting');
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      const response = await fetch(this.url, { headers, signal: this.controller.signal, cache: 'no-store' });
      if (response.status === 401) {
        const body = (await response.json().catch(() => ({}))) as { message?: string };
        this.on.unauthorized(body.message ?? 'the token was refused');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`the live stream answered ${response.status}`);
      const parser = createParser({ onEvent: (message) => this.dispatch(message), onRetry: (ms) => (this.retryMs = Math.max(RETRY_MIN_MS, Math.min(ms, RETRY_MAX_MS))) });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      if (!this.stopped) this.retryLater('the connection ended');
    } catch (error) {
      if (this.stopped) return;
      this.retryLater(error instanceof Error ? error.message : String(error));
    }
  }

  private dispatch(message: EventSourceMessage): void {
    if (message.id) this.lastEventId = message.id;
    const data = message.data ? (JSON.parse(message.data) as Record<string, unknown>) : {};
    switch (message.event) {
      case 'ready':
        this.retryMs = RETRY_MIN_MS;
        this.on.state('live');
        break;
      case 'task':
        this.on.task(data as unknown as TaskView);
        break;
      case 'leave':
        this.on.leave(String(data.id));
        break;
      case 'reset':
        this.on.reset();
        break;
      case 'expired':
        this.stopped = true;
        this.controller?.abort();
        this.on.unauthorized(String(data.message ?? 'the token expired'));
        break;
      // 'closed': the server stops or found us too slow; the stream ends and we reconnect.
    }
  }

  private retryLater(reason: string): void {
    this.on.state('offline', reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}
