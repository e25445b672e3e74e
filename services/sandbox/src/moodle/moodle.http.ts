// The HTTP side of the simulated Moodle REST server, mounted on the sandbox's Express app at
// /moodle/webservice/rest/server.php. Nest's body parser may have read (and nested) a form body
// already; one it left alone is read here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldAnswers } from '../http/held-answers.js';
import type { MoodleApi, MoodleOutcome } from './moodle-api.js';
import { flattenNested } from './php-params.js';

type Request = IncomingMessage & { body?: unknown };

export class MoodleHttpHandler {
  private readonly held = new HeldAnswers();

  constructor(private readonly api: MoodleApi) {}

  /** Express middleware. */
  readonly handle = (req: Request, res: ServerResponse): void => {
    void this.serve(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      res.statusCode = 500;
      res.end(`simulator error: ${String(error)}`);
    });
  };

  /** Answers held by delays or hangs are dropped on shutdown. */
  close(): void {
    this.held.close();
  }

  private async serve(req: Request, res: ServerResponse): Promise<void> {
    // array_merge($_GET, $_POST): the body wins over the query string.
    const query = [...new URL(req.url ?? '/', 'http://moodle.invalid').searchParams];
    this.write(res, await this.api.handle([...query, ...(await bodyOf(req))]));
  }

  private write(res: ServerResponse, outcome: MoodleOutcome): void {
    const send = (): void => {
      const { reply } = outcome;
      if (!reply) {
        res.destroy();
        return;
      }
      res.statusCode = reply.status;
      res.setHeader('Content-Type', reply.contentType);
      res.end(reply.body);
    };
    this.held.later(res, outcome.delayMs, send);
  }
}

async function bodyOf(req: Request): Promise<[string, string][]> {
  // body-parser 2 leaves no flag: a parsed body is a stream that has ended.
  if (req.readableEnded) return flattenNested(req.body);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return [...new URLSearchParams(Buffer.concat(chunks).toString('utf8'))];
}
