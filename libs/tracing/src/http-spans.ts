// HTTP spans made by hand rather than by @opentelemetry/instrumentation-http: that one patches
// node:http for every request of the process (the OTLP exporter's own, the NATS-free health probes),
// needs to be loaded before anything imports http, and under ESM a loader hook on top. vle-tasks has
// two HTTP edges to trace and owns both: the requests its services serve (one middleware, installed
// by service-kit's bootstrap) and the calls its clients make (the axios interceptors of
// libs/integrations external-calls.ts, the projection's command forwarder).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import { Attr } from './attributes.js';
import { markFailed, startSpan } from './spans.js';

/** Requests without a span: the probes an orchestrator sends every few seconds. */
const UNTRACED_PATH = /^\/health(\/|$)/;

type Middleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * A SERVER span per request, continuing the caller's trace when its request carries a traceparent,
 * named by the route it matched (`POST /api/v1/tasks`); 5xx answers are failures. Everything the
 * request starts (guards, the controller, its commands) runs inside it.
 */
export function httpServerSpans(): Middleware {
  return (request, response, next) => {
    const path = pathOf(request.url);
    if (UNTRACED_PATH.test(path)) {
      next();
      return;
    }
    const method = request.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const span = startSpan({ name: method, kind: SpanKind.SERVER, entry: true, parent, attributes: { [Attr.httpMethod]: method, [Attr.urlPath]: path, [Attr.urlScheme]: 'http' } });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      // The route is known once the router matched it, which is after this middleware ran.
      const route = (request as IncomingMessage & { route?: { path?: unknown } }).route?.path;
      if (typeof route === 'string') {
        span.updateName(`${method} ${route}`);
        span.setAttribute(Attr.httpRoute, route);
      }
      if (response.headersSent) span.setAttribute(Attr.httpStatus, response.statusCode);
      if (!response.writableFinished) markFailed(span, 'CLIENT_CLOSED');
      else if (response.statusCode >= 500) markFailed(span, String(response.statusCode));
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

export interface HttpClientCall {
  readonly method: string;
  readonly url: URL;
  /** Who is called: proxmox, guacamole, moodle, openvle, task-api. */
  readonly system: string;
}

/**
 * A CLIENT span of one HTTP call (`POST proxmox`), child of the active span, and the context to
 * inject into the request's headers so that the called system may join the trace. The query string
 * is left out: Moodle and Guacamole take their tokens there.
 */
export function startHttpClientSpan(call: HttpClientCall): { span: Span; context: Context } {
  const method = call.method.toUpperCase();
  const port = call.url.port ? Number(call.url.port) : call.url.protocol === 'https:' ? 443 : 80;
  const span = startSpan({
    name: `${method} ${call.system}`,
    kind: SpanKind.CLIENT,
    attributes: {
      [Attr.httpMethod]: method,
      [Attr.serverAddress]: call.url.hostname,
      [Attr.serverPort]: port,
      [Attr.urlScheme]: call.url.protocol.replace(/:$/, ''),
      [Attr.urlPath]: call.url.pathname,
      [Attr.externalSystem]: call.system,
    },
  });
  return { span, context: trace.setSpan(context.active(), span) };
}

/** Ends a client span with the answer's status (4xx and 5xx are failures), or with the code of no answer. */
export function endHttpClientSpan(span: Span, status: number | undefined, noAnswerCode = 'NO_ANSWER'): void {
  if (status === undefined) markFailed(span, noAnswerCode);
  else {
    span.setAttribute(Attr.httpStatus, status);
    if (status >= 400) markFailed(span, String(status));
  }
  span.end();
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}
