// The one instrumentation of the clients' calls (external-calls.ts), against a real HTTP server: each
// call counted by outcome and traced as a CLIENT span, whose traceparent the server receives.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { externalCalls } from '@vle/metrics';
import { captureSpans, type SpanCapture } from '@vle/testing';
import { inSpan } from '@vle/tracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentCalls, instrumentSmtpCall } from './external-calls.js';

let url: string;
const received: IncomingHttpHeaders[] = [];
const server = createServer((request, response) => {
  received.push(request.headers);
  response.writeHead(request.url?.startsWith('/broken') ? 502 : 200, { 'content-type': 'application/json' }).end('{}');
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let capture: SpanCapture;
beforeEach(() => {
  capture = captureSpans();
  received.length = 0;
});
afterEach(async () => {
  await capture.stop();
});

async function counted(system: string, outcome: string): Promise<number> {
  return (await externalCalls.get()).values.find((v) => v.labels.system === system && v.labels.outcome === outcome)?.value ?? 0;
}

describe('an instrumented HTTP client', () => {
  it("traces a call as a CLIENT span of the caller's span, sends its traceparent, and counts it", async () => {
    const http = axios.create({ baseURL: `${url}/webservice/rest` });
    instrumentCalls(http, 'moodle');
    const before = await counted('moodle', 'ok');
    await inSpan({ name: 'handle deploy_course', entry: true }, () => http.post('/server.php?wstoken=secret-token&wsfunction=core_course_duplicate_course', 'a=1'));
    const [call, handler] = capture.spans();
    expect(call).toMatchObject({
      name: 'POST moodle',
      kind: 'client',
      traceId: handler!.traceId,
      parentSpanId: handler!.spanId,
      status: { code: 'unset' },
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200, 'url.path': '/webservice/rest/server.php', 'server.address': '127.0.0.1', 'vle.external_system': 'moodle' },
    });
    expect(JSON.stringify(call)).not.toContain('secret-token');
    expect(received[0]!.traceparent).toBe(`00-${call!.traceId}-${call!.spanId}-01`);
    expect(await counted('moodle', 'ok')).toBe(before + 1);
  });

  it('fails the span of an error answer with its status, and of no answer with the error code', async () => {
    const http = axios.create({ baseURL: url });
    instrumentCalls(http, 'guacamole');
    const gone = axios.create({ baseURL: 'http://127.0.0.1:9' });
    instrumentCalls(gone, 'proxmox');
    const refused = await counted('proxmox', 'error');
    // Calls are made by handlers, inside their spans: a call outside any trace makes no span.
    await inSpan({ name: 'handle', entry: true }, async () => {
      await expect(http.get('/broken')).rejects.toThrow('status code 502');
      await expect(gone.get('/api2/json/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
    const [broken, unanswered] = capture.spans();
    expect(broken).toMatchObject({ name: 'GET guacamole', status: { code: 'error', message: '502' }, attributes: { 'http.response.status_code': 502 } });
    expect(unanswered).toMatchObject({ name: 'GET proxmox', status: { code: 'error', message: 'ECONNREFUSED' } });
    expect(await counted('proxmox', 'error')).toBe(refused + 1);
  });

  it('sends no traceparent when the process does not trace', async () => {
    await capture.stop();
    const http = axios.create({ baseURL: url });
    instrumentCalls(http, 'openvle');
    await http.get('/api/v1/events/1');
    expect(received[0]!.traceparent).toBeUndefined();
    capture = captureSpans();
  });
});

describe('an instrumented SMTP exchange', () => {
  it('is a CLIENT span naming the server, failed with the reply code of a refusal', async () => {
    const server_ = { host: 'smtp.example', port: 587 };
    await inSpan({ name: 'handle send', entry: true }, () => instrumentSmtpCall(server_, async () => ({ accepted: ['a@uni.example'] })));
    const refusal = Object.assign(new Error('550 5.1.1 <b@uni.example>: mailbox unavailable'), { responseCode: 550 });
    await inSpan({ name: 'handle send', entry: true }, () => expect(instrumentSmtpCall(server_, () => Promise.reject(refusal))).rejects.toBe(refusal));
    const [sent, handler, refused] = capture.spans();
    expect(sent).toMatchObject({ name: 'send smtp', kind: 'client', parentSpanId: handler!.spanId, status: { code: 'unset' }, attributes: { 'vle.external_system': 'smtp', 'server.address': 'smtp.example', 'server.port': 587 } });
    expect(refused).toMatchObject({ status: { code: 'error', message: '550' }, attributes: { 'error.type': '550' } });
    expect(JSON.stringify(capture.spans())).not.toContain('uni.example');
  });
});
