// The changes the open list receives: one more stream of the same filter as the page's (the list of
// every Task: GET /api/v1/tasks/stream with no filter), whose `task` and `leave` events the bench
// counts, so that the burst is set and reported in changes per second that reached the page.

import { SseEventReader } from '../live/sse-events.js';

export class ChangeCounter {
  /** `task` and `leave` events received so far. */
  count = 0;
  private failure: string | undefined;
  private readonly ended: Promise<void>;
  private markReady!: () => void;
  /** Settles at the stream's `ready` event. */
  private readonly readied = new Promise<void>((resolve) => (this.markReady = resolve));

  private constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly controller: AbortController,
  ) {
    const reader = new SseEventReader((event) => {
      if (event === 'task' || event === 'leave') this.count++;
      else if (event === 'ready') this.markReady();
    });
    this.ended = (async () => {
      try {
        for await (const chunk of body) reader.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (!controller.signal.aborted) this.failure = 'the server ended the stream';
      } catch (error) {
        if (!controller.signal.aborted) this.failure = (error as Error).message;
      }
    })();
  }

  /** Opens the stream and waits for its `ready` (its catch-up done). */
  static async open(url: string, token: string, timeoutMs = 30_000): Promise<ChangeCounter> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    const counter = new ChangeCounter(response.body as unknown as AsyncIterable<Uint8Array>, controller);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      counter.readied.then(() => 'ready' as const),
      counter.ended.then(() => 'ended' as const),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return counter;
    await counter.stop();
    throw new Error(`GET ${url}: ${counter.failure ?? `no ready event within ${timeoutMs / 1000} s`}`);
  }

  /** Why the stream broke before stop(), if it did. */
  get broken(): string | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.ended;
  }
}
