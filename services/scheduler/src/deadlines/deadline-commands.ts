// Sends the command of a due deadline to task-api: a NATS request on `tasks.sys.<command>` (internal:
// only services speak there; the scheduler's token says it may), answered with TaskCommandReply or `{"error": ErrorReply}`.

import type { NatsConnection } from '@nats-io/transport-node';
import { isErrorReply, type ContractErrorCode, type Topology } from '@vle/contracts';
import type { RuleCode } from '@vle/domain';
import type { ServiceCredentials } from '@vle/auth';
import { inRequestSpan } from '@vle/task-client';
import { Attr } from '@vle/tracing';
import type { Deadline } from './deadline.js';

export interface DeadlineReply {
  readonly taskId: string;
  readonly status: string;
  /** The event types appended; [] when the deadline had already been applied or did not apply. */
  readonly events: readonly string[];
}

/** task-api's answers that asking again at once cannot change (its 4xx codes for these commands). */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  'TASK_NOT_FOUND',
  'DEADLINE_NOT_DUE',
  'TASK_CANCELLED',
  'TASK_FINISHED',
] satisfies (ContractErrorCode | RuleCode)[]);

/** task-api refused the command; `code` says why (DEADLINE_NOT_DUE: its clock is not there yet). */
export class DeadlineRefused extends Error {
  override readonly name = 'DeadlineRefused';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface DeadlineCommands {
  /** Throws DeadlineRefused on a refusal, any other error when it may work later. */
  send(deadline: Deadline): Promise<DeadlineReply>;
}

export class NatsDeadlineCommands implements DeadlineCommands {
  constructor(private readonly options: { readonly nc: NatsConnection; readonly topology: Topology; readonly credentials: ServiceCredentials; readonly timeoutMs?: number }) {}

  async send(deadline: Deadline): Promise<DeadlineReply> {
    const { nc, topology, credentials, timeoutMs = 10_000 } = this.options;
    return inRequestSpan(topology.systemRequestSubject(deadline.command), credentials, {}, async (subject, headers, span) => {
      span.setAttribute(Attr.taskId, deadline.taskId);
      const reply = await nc.request(subject, JSON.stringify({ taskId: deadline.taskId }), { timeout: timeoutMs, headers });
      const body = reply.json<DeadlineReply | { error: unknown }>();
      if (!('error' in body)) return body;
      const error = isErrorReply(body.error) ? body.error : { code: 'INTERNAL', message: JSON.stringify(body.error) };
      if (REFUSAL_CODES.has(error.code)) throw new DeadlineRefused(error.code, error.message);
      // Anything else is task-api's 503 (NATS, a conflict under load): worth another try.
      throw Object.assign(new Error(`task-api could not handle it now (${error.code}: ${error.message})`), { code: error.code });
    });
  }
}
