// A thread of live-stream clients (live-client-pool.ts): one SSE connection per client over one
// keep-alive agent, each chunk stamped on the shared monotonic clock when it arrives and only its
// `id:` and `event:` lines read (sse-events.ts). The `task` and `leave` events are logged for the
// latency; on `stop` every connection is closed and the log handed to the main thread.

import { Agent, get, type ClientRequest } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { monotonicMs, ReceiptLog } from './live-figures.js';
import type { ThreadCommand, ThreadData, ThreadReport } from './live-client-pool.js';
import { watchLoopDelay } from './loop-delay.js';
import { SseEventReader } from './sse-events.js';

const port = parentPort!;
const { url, token, clients } = workerData as ThreadData;
// One socket per stream: a stream never ends, so a smaller pool would leave clients waiting for one.
const agent = new Agent({ keepAlive: true, maxSockets: clients.length });
const log = new ReceiptLog();
const loopDelay = watchLoopDelay();
const requests: ClientRequest[] = [];
let stopping = false;

const report = (message: ThreadReport) => port.postMessage(message);

function open(index: number, path: string): ClientRequest {
  const request = get(`${url}${path}`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (response) => {
    if (response.statusCode !== 200) {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => report({ type: 'refused', client: index, status: response.statusCode ?? 0, body }));
      return;
    }
    let at = 0;
    const reader = new SseEventReader((event, id) => {
      if ((event === 'task' || event === 'leave') && id !== undefined) log.add(index, id, at);
      else if (event === 'ready') report({ type: 'ready', client: index });
      else report({ type: 'incident', client: index, what: `event: ${event}` });
    });
    // Every event of a chunk arrived at once: one clock read per chunk.
    response.on('data', (chunk: Buffer) => {
      at = monotonicMs();
      reader.push(chunk);
    });
    response.on('close', () => {
      if (!stopping) report({ type: 'incident', client: index, what: 'the server ended the stream' });
    });
  });
  request.on('error', (error) => {
    if (!stopping) report({ type: 'incident', client: index, what: `connection error: ${error.message}` });
  });
  return request;
}

for (const { index, path } of clients) requests.push(open(index, path));

port.on('message', (command: ThreadCommand) => {
  if (command.type === 'measure') return loopDelay.reset();
  stopping = true;
  for (const request of requests) request.destroy();
  agent.destroy();
  const receipts = log.take();
  // Transferred, not copied: millions of receipts.
  port.postMessage({ type: 'result', receipts, loopDelay: loopDelay.finish() } satisfies ThreadReport, [receipts.client.buffer, receipts.id.buffer, receipts.at.buffer]);
  port.close();
});
