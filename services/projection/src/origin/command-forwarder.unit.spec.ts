// The forwarder in a Nest app with the guard of service-kit (as in the projection), in front of a
// stand-in task-api on loopback: which routes are forwarded, what goes through unchanged, and what a
// task-api that is down, silent or refusing a big body gives.

import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMMAND_HTTP_ROUTES } from '@vle/contracts';
import { ServiceKitModule, tokenVerifierOptionsOf } from '@vle/service-kit';
import { freePort } from '@vle/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandForwardController } from './command-forward.controller.js';
import { forwardedPathOf } from './command-forwarder.js';
import { OriginModule } from './origin.module.js';

const TIMEOUT_MS = 400;

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let upstream: Server;
let upstreamUrl: string;
let seen: Seen[] = [];
let handle: (request: IncomingMessage, response: ServerResponse) => void;

async function appBefore(taskApiUrl: string, taskApiMaxInFlight = 64): Promise<{ app: INestApplication; url: string }> {
  const auth = tokenVerifierOptionsOf({ AUTH_JWT_ALGORITHM: 'RS256', AUTH_ISSUER: 'openvle', AUTH_AUDIENCE: 'vle-tasks' });
  const module = await Test.createTestingModule({ imports: [ServiceKitModule.forRoot({ service: 'test', config: {}, auth }), OriginModule.forRoot({ taskApiUrl, taskApiTimeoutMs: TIMEOUT_MS, taskApiMaxInFlight })] }).compile();
  const app = module.createNestApplication({ logger: false, bodyParser: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** An echo of what task-api got, answered with its own status and headers. */
function echo(status: number, headers: Record<string, string> = {}) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const text = JSON.stringify({ code: 'ECHO', message: 'seen', violations: [] });
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
      response.end(text);
    });
  };
}

let front: { app: INestApplication; url: string };

beforeAll(async () => {
  upstream = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  front = await appBefore(upstreamUrl);
});

afterEach(() => {
  seen = [];
});

afterAll(async () => {
  await front?.app.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('the forwarded routes', () => {
  it('are exactly the command routes of the contract, each a POST', () => {
    const routes = Object.getOwnPropertyNames(CommandForwardController.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => {
        const handler = (CommandForwardController.prototype as unknown as Record<string, object>)[name]!;
        return { path: Reflect.getMetadata(PATH_METADATA, handler) as string, method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod };
      });
    expect(routes.map((r) => r.path).sort()).toEqual(Object.values(COMMAND_HTTP_ROUTES).sort());
    expect(new Set(routes.map((r) => r.method))).toEqual(new Set([RequestMethod.POST]));
  });

  it('forwards every command route, and nothing else: no GET of a command path, no other POST', async () => {
    handle = echo(202);
    const commands = ['/api/v1/tasks', '/api/v1/tasks/t1/subtasks/s1/retry', '/api/v1/tasks/t1/subtasks/s1/skip', '/api/v1/tasks/t1/cancel', '/api/v1/tasks/t1/pin', '/api/v1/tasks/t1/unpin?x=1'];
    for (const path of commands) expect((await fetch(`${front.url}${path}`, { method: 'POST' })).status).toBe(202);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(commands.map((path) => `POST ${path}`));
    seen = [];
    const notCommands: [string, string][] = [
      ...commands.map((path): [string, string] => ['GET', path]),
      ['PUT', '/api/v1/tasks/t1/cancel'],
      ['DELETE', '/api/v1/tasks'],
      ['POST', '/api/v1/tasks/t1'],
      ['POST', '/api/v1/tasks/t1/history'],
      ['POST', '/api/v1/tasks/t1/subtasks/s1'],
      ['POST', '/api/v1/tasks/t1/subtasks/s1/retry/more'],
      ['POST', '/api/v1/retention/run'],
      ['POST', '/api/v1/stats'],
      ['POST', '/health/ready'],
    ];
    for (const [method, path] of notCommands) {
      const response = await fetch(`${front.url}${path}`, { method });
      expect([method, path, response.status]).toEqual([method, path, 404]);
    }
    expect(seen).toEqual([]);
  });

  it('forwards the path and query only, whatever form the request line had', () => {
    expect(forwardedPathOf('/api/v1/tasks?a=1')).toBe('/api/v1/tasks?a=1');
    expect(forwardedPathOf('http://elsewhere.example/api/v1/tasks')).toBe('/api/v1/tasks');
    expect(forwardedPathOf('/api/v1/tasks', '/prefix/')).toBe('/prefix/api/v1/tasks');
  });
});

describe('a forwarded command', () => {
  it("streams the body with the caller's headers, and returns task-api's status, headers and body unchanged", async () => {
    handle = echo(401, { 'www-authenticate': 'Bearer realm="vle-tasks", error="invalid_token"', 'retry-after': '3', location: '/api/v1/tasks/abc', 'x-custom': 'kept' });
    const body = JSON.stringify({ name: 'n', subtasks: [] });
    const response = await fetch(`${front.url}/api/v1/tasks`, { method: 'POST', headers: { authorization: 'Bearer token-1', 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' }, body });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 'ECHO', message: 'seen', violations: [] });
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vle-tasks", error="invalid_token"');
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('location')).toBe('/api/v1/tasks/abc');
    expect(response.headers.get('x-custom')).toBe('kept');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const [got] = seen;
    expect(got!.body).toBe(body);
    expect(got!.headers).toMatchObject({ authorization: 'Bearer token-1', 'content-type': 'application/json', 'content-length': String(body.length), 'x-forwarded-for': '203.0.113.9, 127.0.0.1', 'x-forwarded-proto': 'http' });
    expect(got!.headers.host).toBe(new URL(upstreamUrl).host);
  });

  it('answers 502 UPSTREAM_UNAVAILABLE at once when task-api is not there', async () => {
    const down = await appBefore(`http://127.0.0.1:${await freePort()}`);
    try {
      const started = Date.now();
      const response = await fetch(`${down.url}/api/v1/tasks/t1/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED'), violations: [] });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    } finally {
      await down.app.close();
    }
  });

  it('forwards at most TASK_API_MAX_IN_FLIGHT at once: one more is answered 503 UPSTREAM_BUSY at once and never sent on', async () => {
    const narrow = await appBefore(upstreamUrl, 2);
    const held: ServerResponse[] = [];
    let arrived: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (arrived = resolve));
    handle = (request, response) => {
      request.resume();
      held.push(response);
      if (held.length === 2) arrived();
    };
    const post = () => fetch(`${narrow.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    try {
      const first = [post(), post()];
      await both;
      const busy = await post();
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toEqual({ code: 'UPSTREAM_BUSY', message: expect.stringContaining('TASK_API_MAX_IN_FLIGHT'), violations: [] });
      expect(held.length).toBe(2);
      // Once they are answered, the room is back.
      for (const r of held.splice(0)) r.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([202, 202]);
      handle = echo(202);
      expect((await post()).status).toBe(202);
    } finally {
      for (const r of held) r.destroy();
      await narrow.app.close();
    }
  });

  it('answers 504 UPSTREAM_TIMEOUT when task-api takes the body and never answers', async () => {
    const open: ServerResponse[] = [];
    handle = (request, response) => {
      request.resume();
      open.push(response);
    };
    const started = Date.now();
    const response = await fetch(`${front.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ code: 'UPSTREAM_TIMEOUT', message: expect.stringContaining(`${TIMEOUT_MS} ms`), violations: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    for (const r of open) r.destroy();
  });

  it('answers 504 when task-api accepts the connection but never reads the body (no hang)', async () => {
    handle = () => undefined;
    const response = await fetch(`${front.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(8 << 20) });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { code: string }).code).toBe('UPSTREAM_TIMEOUT');
    upstream.closeAllConnections();
  });

  it("passes task-api's early refusal of a big body while the upload goes on, holding none of it", async () => {
    const LIMIT = 512 * 1024;
    handle = (request, response) => {
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= LIMIT) return;
        request.off('data', onData);
        request.resume();
        const text = JSON.stringify({ code: 'PAYLOAD_TOO_LARGE', message: `request body is larger than the limit of ${LIMIT} bytes`, violations: [] });
        response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      request.on('data', onData);
    };
    const { status, body, sent } = await uploadUntilAnswered(`${front.url}/api/v1/tasks`, 256 << 20);
    expect([status, body]).toEqual([413, expect.any(String)]);
    expect(JSON.parse(body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // The answer came while the upload of 256 MiB had hardly begun: the body was streamed, not gathered.
    expect(sent).toBeLessThan(32 << 20);
  });
});

/** POSTs a chunked body of up to `total` bytes as fast as the connection takes it, until an answer arrives. */
function uploadUntilAnswered(url: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let answered = false;
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) return void outgoing.once('drain', pump);
      }
      if (!answered) outgoing.end();
    };
    outgoing.on('response', (response) => {
      answered = true;
      const atAnswer = sent;
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString(), sent: atAnswer });
        outgoing.destroy();
      });
    });
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.write('{"name":"');
    pump();
  });
}
