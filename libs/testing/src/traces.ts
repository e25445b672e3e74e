// Traces in tests: the spans of the process under test (captureSpans: an in-memory SDK), or those
// other processes export (startOtlpReceiver: an OTLP/HTTP receiver of the test's own, as a collector
// would be, at POST /v1/traces), both read as SpanRecords; and the tree of one trace, checked to be
// connected.

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

type AttributeValue = string | number | boolean;
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanRecord {
  /** service.name of the process that made it. */
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly status: { readonly code: 'unset' | 'ok' | 'error'; readonly message?: string };
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string; readonly attributes: Readonly<Record<string, AttributeValue>> }>;
}

const KIND_OF_API: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};
const STATUS_OF_API: Record<SpanStatusCode, SpanRecord['status']['code']> = { [SpanStatusCode.UNSET]: 'unset', [SpanStatusCode.OK]: 'ok', [SpanStatusCode.ERROR]: 'error' };

export interface SpanCapture {
  /** The spans ended so far, oldest first. */
  spans(): SpanRecord[];
  reset(): void;
  /** Takes the provider, context manager and propagator off the API again. */
  stop(): Promise<void>;
}

/**
 * An SDK for the process under test, keeping every span in memory: the API's tracer provider, an
 * AsyncLocalStorage context manager and the W3C propagator, as the service-kit's SDK registers them.
 */
export function captureSpans(service = 'test'): SpanCapture {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    spans: () => exporter.getFinishedSpans().map((span) => recordOfReadable(span, service)),
    reset: () => exporter.reset(),
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function recordOfReadable(span: ReadableSpan, service: string): SpanRecord {
  const { traceId, spanId } = span.spanContext();
  const parentSpanId = span.parentSpanContext?.spanId;
  return {
    service,
    name: span.name,
    kind: KIND_OF_API[span.kind],
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    attributes: span.attributes as Record<string, AttributeValue>,
    status: { code: STATUS_OF_API[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: (link.attributes ?? {}) as Record<string, AttributeValue> })),
  };
}

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  /** The spans of every OTLP/JSON request received so far. */
  spans(): SpanRecord[];
  /** Every request to /v1/traces: its content type and size (a protobuf body is kept undecoded). */
  readonly requests: ReadonlyArray<{ readonly contentType: string; readonly body: Buffer }>;
  close(): Promise<void>;
}

/** An OTLP/HTTP trace receiver on a free port of 127.0.0.1: POST /v1/traces, answered 200 `{}`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: SpanRecord[] = [];
  const requests: Array<{ contentType: string; body: Buffer }> = [];
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    void bodyOf(request).then((body) => {
      const contentType = String(request.headers['content-type'] ?? '');
      requests.push({ contentType, body });
      if (contentType.startsWith('application/json')) {
        try {
          spans.push(...spansOfOtlpJson(JSON.parse(body.toString('utf8'))));
        } catch (error) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(error) }));
          return;
        }
      }
      response.writeHead(200, { 'content-type': contentType.startsWith('application/json') ? 'application/json' : 'application/x-protobuf' }).end(contentType.startsWith('application/json') ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bodyOf(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  links?: Array<{ traceId: string; spanId: string; attributes?: OtlpKeyValue[] }>;
}
interface OtlpJsonRequest {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

const KIND_OF_OTLP: Record<number, SpanKindName> = { 1: 'internal', 2: 'server', 3: 'client', 4: 'producer', 5: 'consumer' };
const STATUS_OF_OTLP: Record<number, SpanRecord['status']['code']> = { 0: 'unset', 1: 'ok', 2: 'error' };

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
    if (v !== undefined) attributes[key] = v;
  }
  return attributes;
}

/** The spans of an ExportTraceServiceRequest in the OTLP/JSON encoding (ids in hex). */
export function spansOfOtlpJson(request: OtlpJsonRequest): SpanRecord[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map(
        (span): SpanRecord => ({
          service,
          name: span.name,
          kind: KIND_OF_OTLP[span.kind] ?? 'internal',
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          attributes: attributesOf(span.attributes),
          status: { code: STATUS_OF_OTLP[span.status?.code ?? 0] ?? 'unset', ...(span.status?.message ? { message: span.status.message } : {}) },
          links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: attributesOf(link.attributes) })),
        }),
      ),
    );
  });
}

export interface TraceTree {
  readonly root: SpanRecord;
  readonly spans: readonly SpanRecord[];
  children(span: SpanRecord): SpanRecord[];
  /** The spans from the root down to `span`. */
  pathTo(span: SpanRecord): SpanRecord[];
}

/**
 * The spans of one trace as a tree; throws unless they form exactly one: a single root, and every
 * other span's parent among them (a missing parent is a hop that lost the trace context).
 */
export function traceTree(spans: readonly SpanRecord[], traceId: string): TraceTree {
  const own = spans.filter((s) => s.traceId === traceId);
  const byId = new Map(own.map((s) => [s.spanId, s]));
  const roots = own.filter((s) => s.parentSpanId === undefined);
  if (roots.length !== 1) throw new Error(`trace ${traceId} has ${roots.length} roots: ${roots.map((s) => `${s.service}: ${s.name}`).join('; ')}`);
  const orphans = own.filter((s) => s.parentSpanId !== undefined && !byId.has(s.parentSpanId));
  if (orphans.length > 0) throw new Error(`trace ${traceId}: the parents of ${orphans.map((s) => `${s.service}: ${s.name}`).join('; ')} are not in it`);
  const root = roots[0]!;
  return {
    root,
    spans: own,
    children: (span) => own.filter((s) => s.parentSpanId === span.spanId),
    pathTo: (span) => {
      const path = [span];
      for (let at = span; at.parentSpanId !== undefined; ) {
        at = byId.get(at.parentSpanId)!;
        path.unshift(at);
      }
      return path;
    },
  };
}
