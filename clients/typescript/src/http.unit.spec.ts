// The HTTP side against a server of the test's own, in the process: the token, the query, the two
// origins, the typed error of each kind of refusal, the timeouts, the caller's abort and a refused
// connection.

import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../test/http-server.js';
import { createTasksClient } from './client.js';
import { isConnectionError, isTimeoutError, isUnavailableError, isUnexpectedResponseError, isValidationError, type TasksError } from './errors.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

const PAGE = { items: [], nextCursor: null };

async function rejection(promise: Promise<unknown>): Promise<TasksError> {
  try {
    await promise;
  } catch (error) {
    return error as TasksError;
  }
  throw new Error('it did not fail');
}

describe('a request', () => {
  it('carries a fresh token from the function each time, the accept header and the query', async () => {
    let n = 0;
    const client = createTasksClient({ baseUrl: `${server.url}/`, token: () => `jwt-${++n}`, headers: { 'user-agent': 'vle-cli/1' } });
    server.answer(json(200, PAGE));
    await client.listTasks({ status: ['failed', 'timed_out'], q: 'name ~ "a b"', silent: true, limit: 10 });
    await client.listTasks({ from: '2026-01-01' });
    const [first, second] = server.seen;
    expect(first?.url).toBe('/api/v1/tasks?status=failed&status=timed_out&q=name+%7E+%22a+b%22&silent=true&limit=10');
    expect(first?.headers).toMatchObject({ authorization: 'Bearer jwt-1', accept: 'application/json', 'user-agent': 'vle-cli/1' });
    expect(second?.headers.authorization).toBe('Bearer jwt-2');
    expect(second?.url).toBe('/api/v1/tasks?from=2026-01-01');
  });

  it('sends a Date as ISO time and leaves out what is undefined', async () => {
    const client = createTasksClient({ baseUrl: server.url, token: 'Bearer already' });
    server.answer(json(200, { at: 'x' }));
    await client.previewRetention({ at: new Date('2026-03-02T03:00:00Z') });
    await client.listDeadLetters({ source: ['jobs', 'commands'], code: undefined, before: 12 });
    expect(server.seen.map((s) => s.url)).toEqual(['/api/v1/retention/preview?at=2026-03-02T03%3A00%3A00.000Z', '/api/v1/dead-letters?source=jobs&source=commands&before=12']);
    expect(server.seen[0]?.headers.authorization).toBe('Bearer already');
  });

  it('sends commands to the commands origin and queries to the queries origin, with the ids in the path', async () => {
    const commands = await startTestServer();
    try {
      const client = createTasksClient({ commandsUrl: commands.url, queriesUrl: server.url, token: 't' });
      commands.answer(json(202, { taskId: 't1', status: 'running', events: ['SubTaskRetryRequested'] }));
      server.answer(json(200, PAGE));
      await client.retrySubTask('t1', 's/1', { requestedBy: 'alice' });
      await client.listTasks();
      expect(commands.seen.map((s) => [s.method, s.url, s.headers['content-type'], JSON.parse(s.body)])).toEqual([['POST', '/api/v1/tasks/t1/subtasks/s%2F1/retry', 'application/json', { requestedBy: 'alice' }]]);
      expect(server.seen.map((s) => s.url)).toEqual(['/api/v1/tasks']);
      await expect(createTasksClient({ queriesUrl: server.url }).createTask({ name: 'x', subtasks: [] })).rejects.toThrow('no base URL for createTask: give baseUrl, or commandsUrl');
    } finally {
      await commands.close();
    }
  });
});

describe('a refusal', () => {
  it("is the API's code with its status, its fields and Retry-After", async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(json(400, { code: 'VALIDATION_FAILED', message: 'invalid query: limit: must be at most 500', violations: [{ field: 'limit', message: 'must be at most 500' }] }), json(503, { code: 'QUERY_TIMEOUT', message: 'the query took too long' }, { 'retry-after': '2' }));
    const invalid = await rejection(client.listTasks({ limit: 501 }));
    expect(isValidationError(invalid) && invalid).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, field: 'limit', message: 'invalid query: limit: must be at most 500' });
    const busy = await rejection(client.listTasks());
    expect(isUnavailableError(busy) && busy).toMatchObject({ code: 'QUERY_TIMEOUT', status: 503, retryAfterMs: 2000 });
  });

  it("of a proxy, not the API's JSON, still has the family of its status", async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer((_, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
    });
    const error = await rejection(client.getTask('t1'));
    expect(isUnavailableError(error) && error).toMatchObject({ code: 'HTTP_502', status: 502 });
    expect(error.message).toBe('GET /api/v1/tasks/t1 answered 502 Bad Gateway: <html><body>Bad Gateway</body></html>');
  });

  it('is an UnexpectedResponseError when a 200 is not JSON', async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    const error = await rejection(client.getMe());
    expect(isUnexpectedResponseError(error) && error).toMatchObject({ code: 'MALFORMED_RESPONSE', status: 200 });
  });
});

describe('a request that does not get through', () => {
  it('times out without an answer, and also while the body is still coming', async () => {
    const client = createTasksClient({ baseUrl: server.url, timeoutMs: 150 });
    server.answer(() => {
      // Never answered.
    });
    const started = Date.now();
    const silent = await rejection(client.getTask('t1'));
    expect(isTimeoutError(silent) && silent).toMatchObject({ code: 'REQUEST_TIMEOUT', message: 'GET /api/v1/tasks/t1 got no answer within 150 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    server.answer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"items": [');
    });
    expect(await rejection(client.listTasks({}, { timeoutMs: 100 }))).toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(() => {
      // Never answered.
    });
    const controller = new AbortController();
    const pending = client.getTask('t1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the user pressed Ctrl-C')), 50);
    await expect(pending).rejects.toThrow('the user pressed Ctrl-C');
    await expect(client.getTask('t1', { signal: AbortSignal.abort(new Error('before')) })).rejects.toThrow('before');
  });

  it('is a ConnectionError when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = await rejection(createTasksClient({ baseUrl: `http://127.0.0.1:${port}` }).getMe());
    expect(isConnectionError(error) && error).toMatchObject({ code: 'CONNECTION_FAILED', message: 'GET /api/v1/me failed: ECONNREFUSED' });
  });
});
