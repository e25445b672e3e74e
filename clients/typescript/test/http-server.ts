// A local HTTP server of the test's own, in the process, for the unit tests of the HTTP side: real
// fetch, real sockets, real aborts, with answers the test scripts request by request.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

export interface TestServer {
  readonly url: string;
  /** Every request, in order. */
  readonly seen: Seen[];
  /** The answer to the next requests: handlers are taken in turn, the last one repeats. */
  answer(...handlers: Handler[]): void;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const seen: Seen[] = [];
  let handlers: Handler[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      const handler = handlers[Math.min(next++, handlers.length - 1)];
      if (!handler) {
        response.writeHead(500).end('no answer scripted');
        return;
      }
      void Promise.resolve(handler(entry, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    answer(...list) {
      handlers = list;
      next = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

/** An event-stream answer that writes `text` and then ends it, holds it open, or breaks the connection. */
export const events =
  (text: string, then: 'end' | 'hold' | 'drop' = 'end'): Handler =>
  (_, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(text);
    if (then === 'end') response.end();
    if (then === 'drop') setTimeout(() => response.socket?.destroy(), 20);
  };
