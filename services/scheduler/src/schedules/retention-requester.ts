// The retention slot as the projection's NATS request (`projection.req.retention`, README
// "Retention"), with the scheduler's token (tasks_retention) like its other requests, and the slot's
// time as `at`. The projection's leader answers with what it deleted. A refusal that asking again
// cannot change (the token lacks the permission, a bad body) is TaskRefused; anything else (no
// leader yet, a timeout, a run that failed) may pass and is retried by the scheduler.

import type { NatsConnection } from '@nats-io/transport-node';
import type { ServiceCredentials } from '@vle/auth';
import { isErrorReply, type Topology } from '@vle/contracts';
import { inRequestSpan, TaskRefused } from '@vle/task-client';

export interface RetentionRunReply {
  readonly deleted: number;
  readonly enabled: boolean;
}

export interface RetentionRequester {
  run(slot: Date): Promise<RetentionRunReply>;
}

const FINAL_CODES = new Set(['FORBIDDEN', 'VALIDATION_FAILED', 'MALFORMED_JSON']);

export class NatsRetentionRequester implements RetentionRequester {
  constructor(
    private readonly options: {
      readonly nc: NatsConnection;
      readonly topology: Topology;
      readonly credentials: ServiceCredentials;
      /** A run over 100,000 old Tasks takes a while (batches of 500 between projector batches). */
      readonly timeoutMs?: number;
    },
  ) {}

  async run(slot: Date): Promise<RetentionRunReply> {
    const { nc, topology, credentials, timeoutMs = 600_000 } = this.options;
    return inRequestSpan(topology.retentionRequestSubject, credentials, {}, async (subject, headers) => {
      const reply = await nc.request(subject, JSON.stringify({ at: slot.toISOString() }), { timeout: timeoutMs, headers });
      const body = reply.json<RetentionRunReply | { error: unknown }>();
      if ('error' in body) {
        const error = isErrorReply(body.error) ? body.error : { code: 'INTERNAL', message: JSON.stringify(body.error) };
        if (FINAL_CODES.has(error.code)) throw new TaskRefused(error.code, error.message);
        throw Object.assign(new Error(`${error.code}: ${error.message}`), { code: error.code });
      }
      return body;
    });
  }
}
