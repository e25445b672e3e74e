// The projection is the one origin of clients (README, "One origin"; DESIGN §2, §14): it serves every
// read itself and forwards the command routes to task-api, because reads and commands share paths
// (GET and POST /api/v1/tasks) and an Ingress routes by path, not by method. The caller must see
// exactly what task-api answers, so the forwarder is a plain reverse proxy: the body streams through
// (never held here: task-api's limit of 512 KiB applies as it reads, and a bigger body costs this
// process one socket buffer), task-api's status, end-to-end headers and body come back unchanged, and
// task-api checks the token. What task-api cannot answer gets an ErrorReply of this origin's own:
// 502 UPSTREAM_UNAVAILABLE (not reachable, or the connection broke before an answer) or 504
// UPSTREAM_TIMEOUT (no answer within TASK_API_TIMEOUT_MS); a command answered so may have been
// applied all the same, as any command whose answer was lost (retry it with an idempotency key). At
// most TASK_API_MAX_IN_FLIGHT commands are forwarded at once: past that, 503 UPSTREAM_BUSY at once
// (never sent on), so that a flood holds neither sockets nor memory here while task-api catches up.
// Each forward is a CLIENT span of the caller's request, and task-api is sent its traceparent.

import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { carrierOfContext, endHttpClientSpan, startHttpClientSpan } from '@vle/tracing';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forwarded-headers.js';

export interface CommandForwarderOptions {
  /** task-api's base URL (TASK_API_URL): its origin, and a path prefix if it has one. */
  readonly upstream: URL;
  /**
   * TASK_API_TIMEOUT_MS: the longest task-api may take to answer once it has the whole body, and the
   * longest the connection to it may stay silent (connecting, a stalled upload or answer).
   */
  readonly timeoutMs: number;
  /** TASK_API_MAX_IN_FLIGHT: commands forwarded at once; one more is answered 503 UPSTREAM_BUSY. */
  readonly maxInFlight: number;
  readonly onFailure?: (failure: ForwardFailure) => void;
}

export interface ForwardFailure {
  readonly code: 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_BUSY';
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

/** The request line as forwarded: path and query only, whatever form the caller sent it in. */
export function forwardedPathOf(url: string, prefix = ''): string {
  const parsed = new URL(url, 'http://origin.invalid');
  return `${prefix.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}

class UpstreamTimeout extends Error {}

// One connection per command: a kept-alive one that task-api closes just as it is reused fails before
// any answer, and a POST must not be sent twice to find out. Yet each request says `Connection:
// keep-alive`: with `close`, a Node server that refuses a body early (401, 413) closes the socket
// while the upload is still being written, and the refusal is lost to EPIPE; kept alive, it reads the
// rest and drops it. So the agents keep the header and never keep the socket.
class OneExchangeHttpAgent extends HttpAgent {
  override keepSocketAlive(): boolean {
    return false;
  }
}
class OneExchangeHttpsAgent extends HttpsAgent {
  override keepSocketAlive(): boolean {
    return false;
  }
}

export class CommandForwarder {
  private readonly agent: HttpAgent;
  private inFlight = 0;

  constructor(private readonly options: CommandForwarderOptions) {
    this.agent = options.upstream.protocol === 'https:' ? new OneExchangeHttpsAgent({ keepAlive: true }) : new OneExchangeHttpAgent({ keepAlive: true });
  }

  /** Closes the connections still open (service shutdown). */
  close(): void {
    this.agent.destroy();
  }

  /** Forwards one request to task-api and streams its answer back; resolves when the exchange is over. */
  forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { upstream, timeoutMs } = this.options;
    const path = forwardedPathOf((request as { originalUrl?: string }).originalUrl ?? request.url ?? '/', upstream.pathname);
    const method = request.method ?? 'POST';
    if (this.inFlight >= this.options.maxInFlight) {
      this.options.onFailure?.({ code: 'UPSTREAM_BUSY', method, path, reason: `${this.inFlight} commands in flight` });
      // The upload is read and dropped, so that the caller reads the answer.
      request.resume();
      sendError(response, 503, 'UPSTREAM_BUSY', `this origin forwards at most ${this.options.maxInFlight} commands at once (TASK_API_MAX_IN_FLIGHT); the command was not sent: send it again shortly`, { 'retry-after': '1' });
      return Promise.resolve();
    }
    this.inFlight++;
    const call = startHttpClientSpan({ method, url: new URL(path, upstream), system: 'task-api' });
    // The caller's trace context reached this span already; task-api's parent is this span.
    const headers = { ...upstreamRequestHeaders(request.headers, { remoteAddress: request.socket.remoteAddress, encrypted: Boolean((request.socket as TLSSocket).encrypted) }, upstream.host), ...carrierOfContext(call.context) };
    let answered: number | undefined;
    let failure: string | undefined;
    return new Promise<void>((resolve) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const finish = () => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        clearTimeout(deadline);
        endHttpClientSpan(call.span, answered, failure);
        resolve();
      };
      const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing: ClientRequest = send({
        protocol: upstream.protocol,
        hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
        port: upstream.port || undefined,
        method,
        path,
        headers,
        agent: this.agent,
        timeout: timeoutMs,
      });
      outgoing.on('timeout', () => outgoing.destroy(new UpstreamTimeout(`task-api was silent for ${timeoutMs} ms`)));
      // Once task-api has the whole body, its answer is due within the timeout, silent or not.
      request.once('end', () => {
        if (settled || response.headersSent) return;
        deadline = setTimeout(() => outgoing.destroy(new UpstreamTimeout(`task-api did not answer within ${timeoutMs} ms`)), timeoutMs);
      });

      outgoing.on('response', (answer) => {
        clearTimeout(deadline);
        answered = answer.statusCode;
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, downstreamResponseHeaders(answer.headers));
        answer.pipe(response);
        answer.on('end', () => {
          // task-api answered before it read the whole body (a refusal such as 401 or 413): the rest
          // of the caller's upload is read and dropped here, as task-api would, not held or sent on.
          if (!request.complete) {
            request.unpipe(outgoing);
            outgoing.destroy();
            request.resume();
          }
        });
        answer.on('error', () => {
          if (!response.writableEnded) response.destroy();
        });
      });

      outgoing.on('error', (error) => {
        request.unpipe(outgoing);
        // The whole answer is out already (a destroy after it ends the upload, above): nothing to do.
        if (response.writableEnded) return;
        if (!request.complete) request.resume();
        if (response.headersSent) {
          // Broken in the middle of task-api's answer: cut the caller's too, never a silently short one.
          response.destroy();
          finish();
          return;
        }
        const timedOut = error instanceof UpstreamTimeout;
        const forwardFailure: ForwardFailure = {
          code: timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
          method,
          path,
          reason: (error as NodeJS.ErrnoException).code ?? error.message,
        };
        failure = forwardFailure.code;
        this.options.onFailure?.(forwardFailure);
        const message = timedOut ? `task-api did not answer in time (${error.message}); the command may have been applied` : `task-api is not reachable (${forwardFailure.reason}); the command was not answered`;
        sendError(response, timedOut ? 504 : 502, forwardFailure.code, message);
      });

      // The caller went away (or its answer is complete): nothing more goes to task-api.
      response.on('close', () => {
        if (!response.writableFinished) outgoing.destroy();
        finish();
      });
      request.on('error', () => outgoing.destroy());
      request.pipe(outgoing);
    });
  }
}

function sendError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ code, message, violations: [] });
  // The rest of an upload still arriving is read and dropped (above), so that the caller reads this.
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
