// W3C trace context (traceparent, tracestate) across the hops no instrumentation library covers: the
// headers of NATS messages (OpenTelemetry has no NATS instrumentation for Node.js), the commits of
// TASK_EVENTS, and the HTTP requests vle-tasks sends and serves. Everything goes through the global
// propagator: until the SDK is started (libs/service-kit tracing.ts) it is the API's no-op one, and
// nothing is written or read; the SDK's writes the context of sampled spans only.

import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, type Context, type Link, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/** The part of a NATS message's headers (MsgHdrs of @nats-io/transport-node) the propagator uses. */
export interface MessageHeaders {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}

/** A trace context kept beside what it came with (a commit read from the log): traceparent, tracestate. */
export type TraceCarrier = Readonly<Record<string, string>>;

const headerSetter: TextMapSetter<Pick<MessageHeaders, 'set'>> = { set: (headers, key, value) => headers.set(key, value) };
// MsgHdrs.get answers '' for a header it does not have.
const headerGetter: TextMapGetter<Pick<MessageHeaders, 'get' | 'keys'>> = { get: (headers, key) => headers.get(key) || undefined, keys: (headers) => headers.keys() };

/** Writes the trace context of `from` (default: the active span) into a message's headers. */
export function injectTraceContext(headers: Pick<MessageHeaders, 'set'>, from: Context = context.active()): void {
  propagation.inject(from, headers, headerSetter);
}

/**
 * The context a message's headers carry, on top of the root context: the sender's span becomes the
 * parent of what the message starts, whatever happens to be active where it is read.
 */
export function extractTraceContext(headers: Pick<MessageHeaders, 'get' | 'keys'> | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

/** The trace-context fields of a message's headers, to keep; undefined when it has none. */
export function traceCarrierOf(headers: Pick<MessageHeaders, 'get'> | undefined): TraceCarrier | undefined {
  if (!headers) return undefined;
  const carrier: Record<string, string> = {};
  for (const field of propagation.fields()) {
    const value = headers.get(field);
    if (value) carrier[field] = value;
  }
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** The trace context of `from` (default: the active span) as a carrier; undefined without a span to carry. */
export function carrierOfContext(from: Context = context.active()): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier, defaultTextMapSetter);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** The context a kept carrier holds, on top of the root context. */
export function contextOfCarrier(carrier: TraceCarrier | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : ROOT_CONTEXT;
}

/** A link to the span a context or carrier names; undefined when it names none. */
export function linkTo(from: Context | TraceCarrier | undefined, attributes?: Link['attributes']): Link | undefined {
  if (from === undefined) return undefined;
  const spanContext = trace.getSpanContext(isContext(from) ? from : contextOfCarrier(from));
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return attributes ? { context: spanContext, attributes } : { context: spanContext };
}

function isContext(value: Context | TraceCarrier): value is Context {
  return typeof (value as Context).getValue === 'function';
}
