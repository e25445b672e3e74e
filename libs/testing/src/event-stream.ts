// A server-sent events client for tests: reads a text/event-stream response as it comes, keeps every
// event and comment, and says when the stream ended. (Node has fetch but no EventSource.)

export interface StreamEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export interface EventStream {
  readonly status: number;
  readonly headers: Headers;
  /** Every event so far, in order. */
  readonly events: StreamEvent[];
  /** Comment lines (heartbeats), without the leading colon. */
  readonly comments: string[];
  /** Resolves when the server ended the stream (or `close` was called). */
  readonly ended: Promise<void>;
  /** The body when the answer was not a stream (an error). */
  body(): Promise<string>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const streaming = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  let text: Promise<string> | undefined;
  const ended = streaming
    ? (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let id: string | undefined;
              let event = 'message';
              const data: string[] = [];
              // `retry:` and unknown fields are not events; a block of comments only is a heartbeat.
              for (const line of block.split('\n')) {
                if (line.startsWith(':')) comments.push(line.slice(1).trim());
                else if (line.startsWith('id:')) id = line.slice(3).trim();
                else if (line.startsWith('event:')) event = line.slice(6).trim();
                else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
              }
              if (data.length > 0) events.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
            }
          }
        } catch {
          // Aborted by close(), or the connection dropped: the stream has ended either way.
        }
      })()
    : Promise.resolve();
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    body: () => (text ??= response.text()),
    close: () => abort.abort(),
  };
}
