// The client against a local HTTP server that answers as Moodle's REST server would: PHP array
// encoding, an `exception` inside an HTTP 200, other statuses, non-JSON, timeouts, and no token in errors.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MoodleClient } from './moodle-client.js';
import { MoodleError } from './moodle-error.js';
import { encodeMoodleParams } from './moodle-params.js';

const TOKEN = 'abcdef0123456789abcdef0123456789';
let server: http.Server;
let baseUrl: string;
let answer: (form: URLSearchParams) => { status?: number; body?: string; hangMs?: number };
let seen: { path: string; form: URLSearchParams } | undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      seen = { path: req.url ?? '', form };
      const { status = 200, body = 'null', hangMs = 0 } = answer(form);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      }, hangMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moodle/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (timeoutMs = 1_000) => new MoodleClient({ baseUrl, token: TOKEN, timeoutMs, duplicateTimeoutMs: 300 });

async function failure(work: Promise<unknown>): Promise<MoodleError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MoodleError)) throw new Error(`expected a MoodleError, got ${String(error)}`);
  return error;
}

describe('encodeMoodleParams', () => {
  it('writes PHP array notation, booleans as 1/0, and leaves out undefined and null', () => {
    const encoded = encodeMoodleParams({ users: [{ username: 'a', createpassword: true, password: undefined }], options: [{ name: 'users', value: false }], x: null });
    expect([...encoded]).toEqual([
      ['users[0][username]', 'a'],
      ['users[0][createpassword]', '1'],
      ['options[0][name]', 'users'],
      ['options[0][value]', '0'],
    ]);
  });
});

describe('MoodleClient', () => {
  it('posts the function, the token and json format to server.php, with PHP array params', async () => {
    answer = () => ({ body: '[{"id":88,"username":"ev42-s07"}]' });
    const users = await client().createUsers([{ username: 'ev42-s07', firstname: 'S', lastname: 'Seven', email: 's7@example.org' }]);
    expect(users).toEqual([{ id: 88, username: 'ev42-s07' }]);
    expect(seen?.path).toBe('/moodle/webservice/rest/server.php');
    expect(Object.fromEntries(seen!.form)).toEqual({
      wstoken: TOKEN,
      wsfunction: 'core_user_create_users',
      moodlewsrestformat: 'json',
      'users[0][username]': 'ev42-s07',
      'users[0][firstname]': 'S',
      'users[0][lastname]': 'Seven',
      'users[0][email]': 's7@example.org',
      'users[0][auth]': 'manual',
      'users[0][createpassword]': '1',
    });
  });

  it('detects an exception inside an HTTP 200 and classifies it by errorcode', async () => {
    answer = () => ({ body: '{"exception":"moodle_exception","errorcode":"shortnametaken","message":"Short name is already used for another course (EV42)"}' });
    const taken = await failure(client().duplicateCourse({ courseId: 2, fullname: 'x', shortname: 'EV42', categoryId: 2 }));
    expect(taken).toMatchObject({ kind: 'exception', status: 200, errorcode: 'shortnametaken', permanent: true, responseCode: 'MOODLE_shortnametaken', wsfunction: 'core_course_duplicate_course' });
    answer = () => ({ body: '{"exception":"invalid_parameter_exception","errorcode":"invalidparameter","message":"Invalid parameter value detected","debuginfo":"Username already exists: a"}' });
    const invalid = await failure(client().createUsers([{ username: 'a', firstname: 'a', lastname: 'a', email: 'a@b.c' }]));
    expect(invalid).toMatchObject({ errorcode: 'invalidparameter', debuginfo: 'Username already exists: a', permanent: true });
    expect(invalid.message).toBe('Invalid parameter value detected (Username already exists: a)');
    answer = () => ({ body: '{"exception":"dml_write_exception","errorcode":"dmlwriteexception","message":"Error writing to database"}' });
    expect(await failure(client().enrolUsers([{ roleId: 5, userId: 1, courseId: 2 }]))).toMatchObject({ errorcode: 'dmlwriteexception', transient: true });
  });

  it('takes "null" as the result of enrol; other statuses and non-JSON are errors', async () => {
    answer = () => ({ body: 'null' });
    await expect(client().enrolUsers([{ roleId: 5, userId: 1, courseId: 2 }])).resolves.toBeUndefined();
    answer = () => ({ status: 503, body: '<html>Service Unavailable</html>' });
    expect(await failure(client().getUsersByField('username', ['a']))).toMatchObject({ kind: 'http', status: 503, transient: true, responseCode: 'MOODLE_http_503' });
    answer = () => ({ status: 404, body: 'Not Found' });
    expect(await failure(client().getUsersByField('username', ['a']))).toMatchObject({ kind: 'http', permanent: true, responseCode: 'MOODLE_http_404' });
    answer = () => ({ body: '<html>Site under maintenance</html>' });
    expect(await failure(client().getUsersByField('username', ['a']))).toMatchObject({ kind: 'malformed', transient: true });
  });

  it('times out the duplicate on its own bound, transiently, and never shows the token', async () => {
    answer = () => ({ hangMs: 2_000, body: '{"id":3,"shortname":"EV42"}' });
    const c = client(5_000);
    const started = Date.now();
    const timeout = await failure(c.duplicateCourse({ courseId: 2, fullname: 'x', shortname: 'EV42', categoryId: 2 }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(timeout).toMatchObject({ kind: 'timeout', transient: true, responseCode: 'MOODLE_timeout' });
    for (const text of [timeout.message, timeout.stack ?? '', JSON.stringify(timeout), inspect(timeout, { depth: 5 }), inspect(c, { depth: 5 }), JSON.stringify(c)]) expect(text).not.toContain(TOKEN);
  });

  it('honours the caller\'s abort signal', async () => {
    answer = () => ({ hangMs: 2_000 });
    const controller = new AbortController();
    const call = client().getEnrolledUsers(2, { signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(call).rejects.toThrow('job cancelled');
  });

  it('refuses a token that is not letters and digits without echoing it', () => {
    expect(() => new MoodleClient({ baseUrl, token: 'se cret' })).toThrow('token is empty or not letters and digits');
  });
});
