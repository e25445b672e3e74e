// A run's streams for unit tests of run(): stdout and stderr captured (a terminal or not, of a
// width), stdin given, the environment given (nothing of the test's own), and a fetch that answers
// from a table of routes and records each request, so that a command's output and exit status are
// checked without a server or a process.

import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../io.js';

export class Capture extends Writable {
  text = '';

  constructor(
    readonly isTTY: boolean,
    readonly columns: number,
  ) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += String(chunk);
    callback();
  }
}

export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: unknown;
}

/** An answer to a request: status and JSON body, or a thrown error (a refused connection). */
export type Route = (request: FakeRequest) => { status: number; body: unknown } | Error;

export interface FakeIoOptions {
  readonly tty?: boolean;
  readonly columns?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly routes?: Readonly<Record<string, Route>>;
}

export interface FakeIo extends CliIo {
  readonly out: Capture;
  readonly err: Capture;
  /** Writes to stdin (a prompt's answer). */
  readonly input: PassThrough;
  readonly requests: FakeRequest[];
}

/** `routes` by `METHOD /path`; a request of no route fails the test with a 599. */
export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  const tty = options.tty ?? false;
  const out = new Capture(tty, options.columns ?? 100);
  const err = new Capture(tty, options.columns ?? 100);
  const input = new PassThrough();
  const requests: FakeRequest[] = [];
  const fakeFetch = async (resource: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(resource));
    const request: FakeRequest = { method: init.method ?? 'GET', url, headers: new Headers(init.headers), ...(init.body === undefined ? {} : { body: JSON.parse(String(init.body)) }) };
    requests.push(request);
    const route = options.routes?.[`${request.method} ${url.pathname}`];
    const answer = route ? route(request) : { status: 599, body: { code: 'NO_ROUTE', message: `the test has no route for ${request.method} ${url.pathname}` } };
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return {
    stdout: out,
    stderr: err,
    stdin: input,
    isTTY: { stdin: tty, stdout: tty, stderr: tty },
    env: { VLE_TASKS_URL: 'http://tasks.test', VLE_TASKS_TOKEN: 'test-token', ...options.env },
    fetch: fakeFetch as typeof fetch,
    out,
    err,
    input,
    requests,
  };
}
