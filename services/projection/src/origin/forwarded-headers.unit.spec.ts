import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forwarded-headers.js';

const peer = { remoteAddress: '10.0.0.7', encrypted: false };

describe('the headers of a forwarded command', () => {
  it('sends the caller end-to-end headers to task-api, and none of its hop-by-hop ones', () => {
    const sent = upstreamRequestHeaders(
      {
        host: 'tasks.example.org',
        authorization: 'Bearer abc',
        'content-type': 'application/json',
        'content-length': '42',
        'x-request-id': 'r-1',
        connection: 'keep-alive, X-Secret-Hop',
        'x-secret-hop': 'only for this hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        trailer: 'x-digest',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic cHJveHk=',
        'proxy-connection': 'keep-alive',
        expect: '100-continue',
      },
      peer,
      'task-api:3001',
    );
    expect(sent).toEqual({
      host: 'task-api:3001',
      authorization: 'Bearer abc',
      'content-type': 'application/json',
      'content-length': '42',
      'x-request-id': 'r-1',
      'x-forwarded-for': '10.0.0.7',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'tasks.example.org',
    });
  });

  it('appends this hop to X-Forwarded-For and keeps the protocol and host an Ingress set', () => {
    const sent = upstreamRequestHeaders({ host: 'projection:3002', 'x-forwarded-for': '203.0.113.9, 10.1.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tasks.example.org' }, peer, '127.0.0.1:3001');
    expect(sent).toMatchObject({ 'x-forwarded-for': '203.0.113.9, 10.1.0.1, 10.0.0.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tasks.example.org', host: '127.0.0.1:3001' });
    expect(upstreamRequestHeaders({}, { encrypted: true }, 'h')).toMatchObject({ 'x-forwarded-for': 'unknown', 'x-forwarded-proto': 'https' });
  });

  it("returns task-api's answer headers unchanged but for the hop-by-hop ones", () => {
    const returned = downstreamResponseHeaders({
      'content-type': 'application/json; charset=utf-8',
      'content-length': '99',
      location: '/api/v1/tasks/0190',
      'www-authenticate': 'Bearer realm="vle-tasks", error="invalid_token"',
      'retry-after': '1',
      'set-cookie': ['a=1', 'b=2'],
      date: 'Tue, 01 Dec 2026 10:00:00 GMT',
      connection: 'close, x-hop',
      'x-hop': 'gone',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
    });
    expect(returned).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'content-length': '99',
      location: '/api/v1/tasks/0190',
      'www-authenticate': 'Bearer realm="vle-tasks", error="invalid_token"',
      'retry-after': '1',
      'set-cookie': ['a=1', 'b=2'],
      date: 'Tue, 01 Dec 2026 10:00:00 GMT',
    });
  });
});
