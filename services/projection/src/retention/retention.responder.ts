// The retention's NATS request (`<prefix>projection.req.retention`, Topology.retentionRequestSubject):
// answered by the leader alone, which subscribes while it leads and unsubscribes when it stops (a
// request reaching no leader gets no responder, and its sender asks again). Carries a token like the
// commands (header Authorization): the scheduler's, with tasks_retention, or an admin's forwarded by
// the HTTP route (tasks_admin). Body: `{"at": "<ISO time>"}` (absent: now). Reply: the run's result,
// or `{"error": ErrorReply}`.

import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { isAuthError, type TokenVerifier } from '@vle/auth';
import { ContractError, decodeJson, Headers } from '@vle/contracts';
import { NotLeading } from '../projector/projection.runner.js';
import type { Retention } from './retention.js';
import { checkRetentionCaller, retentionTimeOf } from './retention-request.js';
import { extractTraceContext, inSpan, markFailed, natsAttributes, SpanKind } from '@vle/tracing';

export interface RetentionResponderOptions {
  readonly nc: NatsConnection;
  readonly subject: string;
  readonly retention: Retention;
  readonly verifier: TokenVerifier;
  readonly clock: () => Date;
  readonly logger: { error(message: string): void };
}

export class RetentionResponder {
  constructor(private readonly options: RetentionResponderOptions) {}

  /** Answers requests until `lead` aborts. */
  async serve(lead: AbortSignal): Promise<void> {
    if (lead.aborted) return;
    const sub = this.options.nc.subscribe(this.options.subject, { queue: 'projection-leader' });
    lead.addEventListener('abort', () => sub.unsubscribe(), { once: true });
    const inFlight = new Set<Promise<void>>();
    for await (const msg of sub) {
      const work = this.answer(msg).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    await Promise.allSettled(inFlight);
  }

  private answer(msg: Msg): Promise<void> {
    if (!msg.reply) return Promise.resolve();
    return inSpan({ name: `process ${msg.subject}`, kind: SpanKind.SERVER, entry: true, parent: extractTraceContext(msg.headers), attributes: natsAttributes(msg.subject, 'process') }, async (span) => {
      try {
      const caller = await this.options.verifier.fromAuthorization(msg.headers?.get(Headers.authorization) || undefined);
      checkRetentionCaller(caller, ['tasks_retention', 'tasks_admin']);
      const body = msg.data.length === 0 ? {} : decodeJson(msg.data);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ContractError('VALIDATION_FAILED', 'invalid retention request: must be a JSON object such as {"at": "2026-03-02T03:00:00Z"}', [{ field: '', message: 'must be a JSON object' }]);
      }
      const at = retentionTimeOf((body as { at?: unknown }).at, this.options.clock);
      msg.respond(JSON.stringify(await this.options.retention.run(at)));
      } catch (error) {
        const reply = replyOf(error);
        markFailed(span, reply.code);
        msg.respond(JSON.stringify({ error: reply }));
        if (!isAuthError(error) && !(error instanceof ContractError) && !(error instanceof NotLeading)) this.options.logger.error(`retention run failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }
}

function replyOf(error: unknown): { code: string; message: string; violations?: unknown } {
  if (isAuthError(error) || error instanceof ContractError) return error.toReply();
  if (error instanceof NotLeading) return { code: 'NOT_LEADING', message: error.message };
  return { code: 'RETENTION_FAILED', message: error instanceof Error ? error.message : String(error) };
}
