// A parser of server-sent events (text/event-stream, the WHATWG HTML standard's "event stream
// interpretation"), fed with text as it arrives. An EventSource cannot send a bearer token, so the
// live stream is read with fetch and parsed here. Lines end in CRLF, LF or CR (a CR at the end of a
// chunk may be the first half of a CRLF), a comment is a line starting with ':', the last event id
// carries over from event to event, and an event not ended by a blank line when the stream ends is
// dropped, as the standard says.

export interface ServerSentEvent {
  /** The `event:` field; `message` when there is none. */
  readonly event: string;
  /** The `data:` lines joined with '\n'. */
  readonly data: string;
  /** The last event id seen so far (this event's or an earlier one's), '' before any. */
  readonly lastEventId: string;
}

export type SseItem =
  | ({ readonly kind: 'event' } & ServerSentEvent)
  /** The `retry:` field: how long to wait before reconnecting. */
  | { readonly kind: 'retry'; readonly ms: number }
  /** A comment line (the server's `: heartbeat`), without its colon. */
  | { readonly kind: 'comment'; readonly text: string };

export class SseParser {
  private buffer = '';
  private started = false;
  /** The previous chunk ended in CR: a LF that starts this one belongs to it. */
  private pendingCr = false;
  private eventType = '';
  private data: string[] = [];
  private lastEventId = '';

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
  }

  /** The items completed by this chunk of text. */
  push(chunk: string): SseItem[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.buffer += text;
    const items: SseItem[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.buffer.slice(start, i), items);
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return items;
  }

  private line(line: string, items: SseItem[]): void {
    if (line === '') return this.dispatch(items);
    if (line.startsWith(':')) {
      items.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) items.push({ kind: 'retry', ms: Number(value) });
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  private dispatch(items: SseItem[]): void {
    if (this.data.length > 0) items.push({ kind: 'event', event: this.eventType || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId });
    this.eventType = '';
    this.data = [];
  }
}

/** The items of an event-stream body, as they arrive; ends when the body does. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>, lastEventId = ''): AsyncGenerator<SseItem> {
  const parser = new SseParser(lastEventId);
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
  } finally {
    // Stop the download when the consumer stops early (a break out of for await).
    await reader.cancel().catch(() => undefined);
  }
}
