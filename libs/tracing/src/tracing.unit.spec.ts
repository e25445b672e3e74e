import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headers } from '@nats-io/transport-node';
import { propagation, trace } from '@opentelemetry/api';
import { Headers } from '@vle/contracts';
import { captureSpans, type SpanCapture } from '@vle/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeSpanIds, carrierOfContext, context, contextOfCarrier, endHttpClientSpan, errorCodeOf, extractTraceContext, followParentSampling, httpServerSpans, inSpan, injectTraceContext, linkTo, startHttpClientSpan, startSpan, traceCarrierOf, UNTRACED, withActiveSpan } from './index.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('without an SDK (no endpoint configured)', () => {
  it('writes and reads no trace context, and runs the work of a span as is', async () => {
    const h = headers();
    const ids = await inSpan({ name: 'work', entry: true }, () => {
      injectTraceContext(h);
      return activeSpanIds();
    });
    expect(ids).toBeUndefined();
    expect(h.keys()).toEqual([]);
    expect(carrierOfContext()).toBeUndefined();
    const incoming = headers();
    incoming.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(trace.getSpanContext(extractTraceContext(incoming))).toBeUndefined();
    expect(traceCarrierOf(incoming)).toBeUndefined();
    expect(startSpan({ name: 'not recorded' }).isRecording()).toBe(false);
  });
});

describe('with an SDK', () => {
  let capture: SpanCapture;
  beforeEach(() => {
    capture = captureSpans();
  });
  afterEach(async () => {
    await capture.stop();
  });

  it('uses the header names libs/contracts declares', () => {
    expect(propagation.fields()).toEqual([Headers.traceparent, Headers.tracestate]);
  });

  it("carries a span's context through a NATS message's headers: what the message starts is its child", async () => {
    const h = headers();
    await inSpan({ name: 'sender', entry: true }, () => injectTraceContext(h));
    const [sender] = capture.spans();
    expect(TRACEPARENT.exec(h.get('traceparent'))?.slice(1)).toEqual([sender!.traceId, sender!.spanId]);
    startSpan({ name: 'receiver', parent: extractTraceContext(h) }).end();
    expect(capture.spans()[1]).toMatchObject({ name: 'receiver', traceId: sender!.traceId, parentSpanId: sender!.spanId });
  });

  it('keeps tracestate beside traceparent, from the sender to what the receiver sends on', async () => {
    const incoming = headers();
    incoming.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    incoming.set('tracestate', 'vendor=abc');
    const onward = headers();
    await inSpan({ name: 'relay', parent: extractTraceContext(incoming) }, () => injectTraceContext(onward));
    expect(onward.get('tracestate')).toBe('vendor=abc');
    expect(onward.get('traceparent')).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-/);
  });

  it('keeps a context as a carrier (a commit read from the log) and links to it', async () => {
    const carrier = await inSpan({ name: 'append', entry: true }, () => carrierOfContext());
    const [append] = capture.spans();
    const h = headers();
    h.set('traceparent', carrier!.traceparent!);
    h.set(Headers.eventType, 'TaskCreated');
    expect(traceCarrierOf(h)).toEqual(carrier);
    expect(trace.getSpanContext(contextOfCarrier(carrier))).toMatchObject({ traceId: append!.traceId, spanId: append!.spanId });
    expect(linkTo(carrier, { 'vle.task_id': 't1' })).toEqual({ context: expect.objectContaining({ traceId: append!.traceId, spanId: append!.spanId }), attributes: { 'vle.task_id': 't1' } });
    expect(linkTo(undefined)).toBeUndefined();
    expect(linkTo({ traceparent: 'not a traceparent' })).toBeUndefined();
    expect(linkTo(contextOfCarrier(undefined))).toBeUndefined();
  });

  it('starts a trace of its own when asked, linked to the active span', async () => {
    await inSpan({ name: 'job', entry: true }, async () => {
      startSpan({ name: 'own', root: true, links: [linkTo(context.active()), undefined] }).end();
    });
    const [own, job] = capture.spans();
    expect(own!.traceId).not.toBe(job!.traceId);
    expect(own!.parentSpanId).toBeUndefined();
    expect(own!.links).toEqual([{ traceId: job!.traceId, spanId: job!.spanId, attributes: {} }]);
  });

  it('marks a failed span with the error code, never the error text', async () => {
    const refusal = Object.assign(new Error('password=hunter2 is wrong'), { code: 'VALIDATION_FAILED' });
    await expect(inSpan({ name: 'command create', entry: true }, () => Promise.reject(refusal))).rejects.toBe(refusal);
    const [span] = capture.spans();
    expect(span).toMatchObject({ status: { code: 'error', message: 'VALIDATION_FAILED' }, attributes: { 'error.type': 'VALIDATION_FAILED' } });
    expect(JSON.stringify(span)).not.toContain('hunter2');
  });

  it('makes a span without a parent only where work enters: elsewhere nothing inside it is traced', async () => {
    const inner = await inSpan({ name: 'job' }, async (job) => {
      const handle = startSpan({ name: 'handle' });
      const h = headers();
      await withActiveSpan(handle, () => inSpan({ name: 'dispatch' }, () => injectTraceContext(h)));
      handle.end();
      return { job, handle, ids: activeSpanIds(), headers: h.keys() };
    });
    expect(inner.job).toBe(UNTRACED);
    expect(inner.handle).toBe(UNTRACED);
    expect(inner).toMatchObject({ ids: undefined, headers: [] });
    expect(capture.spans()).toEqual([]);
    await inSpan({ name: 'process tasks.req.create', entry: true }, () => inSpan({ name: 'command create' }, () => undefined));
    expect(capture.spans().map((span) => [span.name, span.parentSpanId === undefined])).toEqual([
      ['command create', false],
      ['process tasks.req.create', true],
    ]);
  });

  describe('under an unsampled parent', () => {
    const UNSAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    const incoming = () => {
      const h = headers();
      h.set('traceparent', UNSAMPLED);
      return h;
    };
    // What a job's delivery does: a span from the message's headers, a child, a message sent on.
    const relay = () =>
      inSpan({ name: 'job', parent: extractTraceContext(incoming()), attributes: { 'vle.queue': 'q' } }, async (job) => {
        const handle = startSpan({ name: 'handle' });
        return withActiveSpan(handle, async () => {
          const onward = headers();
          await inSpan({ name: 'dispatch' }, () => injectTraceContext(onward));
          handle.end();
          return { onward: onward.get('traceparent'), ids: activeSpanIds(), job };
        });
      });
    afterEach(() => followParentSampling(false));

    it('records nothing and carries the trace id and the not-sampled flag on', async () => {
      const { onward, ids } = await relay();
      expect(capture.spans()).toEqual([]);
      expect(onward).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
      expect(ids?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    });

    it('when the sampler follows the parent, runs the work untraced instead of asking the SDK for spans that record nothing', async () => {
      // The SDK's answer: a new non-recording span, with a span id of its own.
      expect((await relay()).onward).not.toBe(UNSAMPLED);
      followParentSampling(true);
      const { onward, job, ids } = await relay();
      expect(job).toBe(UNTRACED);
      expect(onward).toBe('');
      expect(ids).toBeUndefined();
      // Where work enters too: a caller's unsampled traceparent is followed.
      await inSpan({ name: 'process', entry: true, parent: extractTraceContext(incoming()) }, (span) => expect(span).toBe(UNTRACED));
      expect(capture.spans()).toEqual([]);
    });

    it('still records the children of a sampled parent, and the roots', async () => {
      followParentSampling(true);
      const h = headers();
      h.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      await inSpan({ name: 'job', parent: extractTraceContext(h) }, () => startSpan({ name: 'handle' }).end());
      await inSpan({ name: 'command', parent: extractTraceContext(incoming()), root: true }, () => undefined);
      expect(capture.spans().map((span) => [span.name, span.traceId === '0af7651916cd43dd8448eb211c80319c'])).toEqual([
        ['handle', true],
        ['job', true],
        ['command', false],
      ]);
    });
  });

  it('gives the ids of the active span to log lines, none outside one', async () => {
    expect(activeSpanIds()).toBeUndefined();
    const ids = await inSpan({ name: 'logged', entry: true }, () => activeSpanIds());
    expect(ids).toEqual({ traceId: capture.spans()[0]!.traceId, spanId: capture.spans()[0]!.spanId });
  });
});

describe('errorCodeOf', () => {
  it('takes the code, else a job failure\'s response code, else the class name', () => {
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'TASK_NOT_FOUND', responseCode: 'OTHER' }))).toBe('TASK_NOT_FOUND');
    expect(errorCodeOf({ message: 'x', responseCode: 'PVE_LOCKED', permanent: false })).toBe('PVE_LOCKED');
    expect(errorCodeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorCodeOf('a string')).toBe('Error');
  });
});

describe('HTTP spans', () => {
  let capture: SpanCapture;
  beforeEach(() => {
    capture = captureSpans();
  });
  afterEach(async () => {
    await capture.stop();
  });

  async function serve(handle: (request: IncomingMessage & { route?: { path: string } }) => number): Promise<{ url: string; close: () => Promise<void> }> {
    const spans = httpServerSpans();
    const server = createServer((request, response) => spans(request, response, () => response.writeHead(handle(request)).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it("serves each request in a SERVER span named by its route, continuing the caller's trace", async () => {
    let active: ReturnType<typeof activeSpanIds>;
    const server = await serve((request) => {
      active = activeSpanIds();
      request.route = { path: '/api/v1/tasks/:taskId/cancel' };
      return 202;
    });
    try {
      const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      expect((await fetch(`${server.url}/api/v1/tasks/abc/cancel?token=secret`, { method: 'POST', headers: { traceparent: caller } })).status).toBe(202);
      await expect.poll(() => capture.spans().length).toBe(1);
      const [span] = capture.spans();
      expect(span).toMatchObject({
        name: 'POST /api/v1/tasks/:taskId/cancel',
        kind: 'server',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        parentSpanId: 'b7ad6b7169203331',
        status: { code: 'unset' },
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/tasks/:taskId/cancel', 'http.response.status_code': 202, 'url.path': '/api/v1/tasks/abc/cancel' },
      });
      expect(active).toEqual({ traceId: span!.traceId, spanId: span!.spanId });
    } finally {
      await server.close();
    }
  });

  it('fails the span of a 5xx answer, and makes none for the health probes', async () => {
    const server = await serve((request) => (request.url === '/broken' ? 503 : 200));
    try {
      await fetch(`${server.url}/health/ready`);
      await fetch(`${server.url}/broken`);
      await expect.poll(() => capture.spans().length).toBe(1);
      expect(capture.spans()[0]).toMatchObject({ name: 'GET', status: { code: 'error', message: '503' }, attributes: { 'http.response.status_code': 503 } });
    } finally {
      await server.close();
    }
  });

  it('makes a CLIENT span of a call without its query string (tokens travel there), failed for 4xx and for no answer', async () => {
    await inSpan({ name: 'handler', entry: true }, async () => {
      const call = startHttpClientSpan({ method: 'post', url: new URL('https://moodle.example/webservice/rest/server.php?wstoken=secret'), system: 'moodle' });
      expect(carrierOfContext(call.context)?.traceparent).toMatch(new RegExp(`-${call.span.spanContext().spanId}-01$`));
      endHttpClientSpan(call.span, 404);
      endHttpClientSpan(startHttpClientSpan({ method: 'GET', url: new URL('http://pve:8006/api2/json/version'), system: 'proxmox' }).span, undefined, 'ECONNREFUSED');
    });
    const [moodle, proxmox, handler] = capture.spans();
    expect(moodle).toMatchObject({
      name: 'POST moodle',
      kind: 'client',
      parentSpanId: handler!.spanId,
      status: { code: 'error', message: '404' },
      attributes: { 'http.request.method': 'POST', 'server.address': 'moodle.example', 'server.port': 443, 'url.path': '/webservice/rest/server.php', 'http.response.status_code': 404, 'vle.external_system': 'moodle' },
    });
    expect(JSON.stringify(moodle)).not.toContain('secret');
    expect(proxmox).toMatchObject({ status: { code: 'error', message: 'ECONNREFUSED' }, attributes: { 'server.port': 8006 } });
    expect(proxmox!.attributes['http.response.status_code']).toBeUndefined();
  });
});
