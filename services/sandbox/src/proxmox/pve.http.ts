// The HTTP side of the simulated pveproxy, mounted on the sandbox's Express app at /pve/api2/json.
// Nest's global body parsers have already read form and JSON bodies (req.body); a body they left
// alone is read here, so that a missing Content-Type is still parsed as a form, as pveproxy does.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldAnswers } from '../http/held-answers.js';
import type { PveApi, PveOutcome, PveRequest } from './pve-api.js';

type Request = IncomingMessage & { body?: unknown };

export class PveHttpHandler {
  private readonly held = new HeldAnswers();

  constructor(private readonly api: PveApi) {}

  /** Express middleware: (req, res) with req.url relative to the mount point. */
  readonly handle = (req: Request, res: ServerResponse): void => {
    void this.serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) this.write(res, { reply: { status: 501, reason: sanitize(String(error)) }, delayMs: 0 });
    });
  };

  /** Express error middleware for bodies Nest's parsers rejected (bad JSON): pveproxy's 501 with the decode error. */
  readonly handleParseError = (error: unknown, _req: Request, res: ServerResponse, _next: (error?: unknown) => void): void => {
    const message = error instanceof Error ? error.message : String(error);
    this.write(res, { reply: { status: 501, reason: sanitize(message) }, delayMs: 0 });
  };

  /** Answers held by delays or hangs are dropped on shutdown. */
  close(): void {
    this.held.close();
  }

  private async serve(req: Request, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://pve.invalid');
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const request: PveRequest = {
      method: req.method ?? 'GET',
      path: url.pathname === '' ? '/' : url.pathname,
      query: formOf(url.searchParams),
      body: hasBody ? await bodyOf(req) : {},
      authorization: req.headers.authorization,
      bodyContentType: hasBody ? (req.headers['content-type'] ?? '') : undefined,
    };
    this.write(res, this.api.handle(request));
  }

  private write(res: ServerResponse, outcome: PveOutcome): void {
    const send = (): void => {
      const { reply } = outcome;
      if (!reply) {
        res.destroy();
        return;
      }
      res.statusCode = reply.status;
      res.statusMessage = sanitize(reply.reason);
      // pveproxy closes the connection after any answer >= 300.
      if (reply.status >= 300) res.setHeader('Connection', 'close');
      if (reply.body === undefined) {
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'application/json;charset=UTF-8');
      res.end(JSON.stringify(reply.body));
    };
    this.held.later(res, outcome.delayMs, send);
  }
}

/** decode_urlencoded: a repeated key joins its values with "\0" (and then fails the schema check). */
function formOf(params: URLSearchParams): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of params) form[key] = key in form ? `${form[key]}\0${value}` : value;
  return form;
}

async function bodyOf(req: Request): Promise<Record<string, string>> {
  // body-parser 2 leaves no flag: a parsed body is a stream that has ended.
  if (req.readableEnded) return flatten(req.body);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return flatten(JSON.parse(text));
  return formOf(new URLSearchParams(text));
}

/** Nest's parsers give nested values (qs brackets, JSON); pveproxy sees flat strings. */
function flatten(value: unknown, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) return into;
  if (Array.isArray(value)) {
    into[prefix] = value.map((v) => scalar(v)).join('\0');
    return into;
  }
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix === '' ? key : `${prefix}[${key}]`, into);
    return into;
  }
  into[prefix] = scalar(value);
  return into;
}

function scalar(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A reason phrase may only hold visible Latin-1 characters. */
function sanitize(reason: string): string {
  return reason.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}
