// Creating Tasks the two ways other services do (DESIGN §12): a NATS request on
// `<ns>.tasks.req.create`, or POST /api/v1/tasks. Both answer with the same JSON, the Task's id or
// `{"error": ErrorReply}`; the bench keeps the refusal whole (code, message and the violations
// naming the field), which @vle/task-client's creator folds into an exception, because a refused
// size is a figure here, not a failure to retry.

import { headers, type NatsConnection } from '@nats-io/transport-node';
import { Headers, isErrorReply, type CreateTaskJson, type ErrorReplyBody, type Topology } from '@vle/contracts';

export type Transport = 'nats' | 'http';
export const TRANSPORTS: readonly Transport[] = ['nats', 'http'];

export type CreateOutcome = { readonly taskId: string } | { readonly error: ErrorReplyBody };

export interface TaskSubmitter {
  create(task: CreateTaskJson): Promise<CreateOutcome>;
}

function outcomeOf(body: unknown): CreateOutcome {
  if (typeof body === 'object' && body !== null) {
    const { taskId, error } = body as { taskId?: unknown; error?: unknown };
    if (typeof taskId === 'string') return { taskId };
    if (isErrorReply(error)) return { error };
  }
  return { error: { code: 'UNEXPECTED_REPLY', message: JSON.stringify(body).slice(0, 500) } };
}

const transportError = (error: unknown): CreateOutcome => ({ error: { code: 'TRANSPORT', message: error instanceof Error ? error.message : String(error) } });

/** Requests on tasks.req.create with `token` (tasks_create) in the Authorization header, as on HTTP. */
export function natsSubmitter(nc: NatsConnection, topology: Topology, token: string, timeoutMs = 30_000): TaskSubmitter {
  const subject = topology.requestSubject('create');
  return {
    async create(task) {
      try {
        const h = headers();
        h.set(Headers.authorization, `Bearer ${token}`);
        return outcomeOf((await nc.request(subject, JSON.stringify(task), { timeout: timeoutMs, headers: h })).json());
      } catch (error) {
        return transportError(error);
      }
    },
  };
}

/** POSTs to the task-api replicas in turn, with `token` (tasks_create). */
export function httpSubmitter(taskApiUrls: readonly string[], token: string): TaskSubmitter {
  let next = 0;
  return {
    async create(task) {
      const url = taskApiUrls[next++ % taskApiUrls.length];
      try {
        const response = await fetch(`${url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(task) });
        return outcomeOf(await response.json());
      } catch (error) {
        return transportError(error);
      }
    },
  };
}

/** The refusal in one line: code, message and the violations naming their fields. */
export function describeRefusal(error: ErrorReplyBody): string {
  // task-api's message often quotes its violations already: add only those it does not.
  const violations = error.violations
    ?.filter((v) => !error.message.includes(v.message))
    .map((v) => `${v.field}: ${v.message}`)
    .join('; ');
  return `${error.code}: ${error.message}${violations ? ` (${violations})` : ''}`;
}
