// The HTTP side of the simulated Guacamole, mounted on the sandbox's Express app at /guacamole.
// Nest's global body parsers have already read form and JSON bodies (req.body); a body they left
// alone is read here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldAnswers } from '../http/held-answers.js';
import type { GuacApi, GuacOutcome, GuacRequest } from './guac-api.js';

type Request = IncomingMessage & { body?: unknown };

export class GuacHttpHandler {
  private readonly held = new HeldAnswers();

  constructor(private readonly api: GuacApi) {}

  /** Express middleware: (req, res) with req.url relative to the mount point. */
  readonly handle = (req: Request, res: ServerResponse): void => {
    void this.serve(req, res).catch(() => {
      if (!res.headersSent) this.write(res, { reply: { status: 500, body: { message: 'Unexpected internal error.', type: 'INTERNAL_ERROR' } }, delayMs: 0 });
    });
  };

  /** Express error middleware for bodies Nest's parsers rejected (bad JSON): Jackson's 400. */
  readonly handleParseError = (_error: unknown, _req: Request, res: ServerResponse, _next: (error?: unknown) => void): void => {
    this.write(res, { reply: { status: 400, body: { message: 'The request body is not valid JSON.', type: 'BAD_REQUEST' } }, delayMs: 0 });
  };

  /** Answers held by delays or hangs are dropped on shutdown. */
  close(): void {
    this.held.close();
  }

  private async serve(req: Request, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://guacamole.invalid');
    const token = req.headers['guacamole-token'];
    const request: GuacRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: await bodyOf(req),
      token: Array.isArray(token) ? token[0] : token,
      authorization: req.headers.authorization,
    };
    this.write(res, this.api.handle(request));
  }

  private write(res: ServerResponse, outcome: GuacOutcome): void {
    const send = (): void => {
      const { reply } = outcome;
      if (!reply) {
        res.destroy();
        return;
      }
      res.statusCode = reply.status;
      if (reply.body === undefined) {
        res.end();
        return;
      }
      const html = typeof reply.body === 'string';
      res.setHeader('Content-Type', html ? 'text/html;charset=UTF-8' : 'application/json');
      res.end(html ? reply.body : JSON.stringify(reply.body));
    };
    this.held.later(res, outcome.delayMs, send);
  }
}

async function bodyOf(req: Request): Promise<unknown> {
  // body-parser 2 leaves no flag: a parsed body is a stream that has ended.
  if (req.readableEnded) return req.body;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
