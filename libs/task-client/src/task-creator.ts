// Creating a Task from another service (the scheduler's periodic runs, a job's child Tasks): the
// CreateTask command as a NATS request to task-api (DESIGN §12), sent by the public client
// (@openvle/tasks-client's NATS transport), whose typed errors are sorted here for the job runtime:
// a refusal is permanent, anything else may work later. Core request/reply rather than a durable
// publish: the reply says whether the Task was created or already there, and a caller that got no
// answer simply asks again (an idempotency key makes that safe).

import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { createTasksClient, isTasksError, type CreateTaskCommand, type TasksClient } from '@openvle/tasks-client';
import { natsCommands } from '@openvle/tasks-client/nats';
import type { ServiceCredentials } from '@vle/auth';
import { Headers, type ContractErrorCode, type CreateTaskJson, type CreateTaskReplyJson, type Topology } from '@vle/contracts';
import { JobFailureError, type JobFailure, type RuleCode } from '@vle/domain';
import { Attr, context, inSpan, injectTraceContext, linkTo, natsAttributes, SpanKind, type Span } from '@vle/tracing';

export interface TaskCreator {
  /** Throws TaskRefused when task-api refuses the command, any other error when it may work later. */
  create(command: CreateTaskJson): Promise<CreateTaskReplyJson>;
}

/**
 * Refusals that asking again cannot change (task-api's 4xx codes). Any other error (no responder,
 * a timeout, task-api's 503) is worth a retry; so are UNAUTHENTICATED and FORBIDDEN: the service's
 * token is the deployment's to fix (a rotated token file is read again), and a slot or a job should
 * go on once it is, not be lost.
 */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_TASK_TYPE',
  'INVALID_PARAMS',
  'IDEMPOTENCY_KEY_REUSED',
  'TASK_EXISTS',
  'INVALID_SCHEDULE',
  'EMPTY_DAG',
  'DUPLICATE_KEY',
  'UNKNOWN_DEPENDENCY',
  'DAG_CYCLE',
  'UNKNOWN_QUEUE',
] satisfies (ContractErrorCode | RuleCode)[]);

/** task-api refused the command: permanent, for the job runtime too. */
export class TaskRefused extends Error implements JobFailure {
  override readonly name = 'TaskRefused';
  readonly permanent = true;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }

  get responseCode(): string {
    return this.code;
  }
}

export interface NatsTaskCreatorOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /** Who sends the command: the Authorization header task-api verifies. */
  readonly credentials: ServiceCredentials;
  /** How long to wait for task-api's answer. */
  readonly timeoutMs?: number;
}

export class NatsTaskCreator implements TaskCreator {
  private readonly client: TasksClient;
  private readonly topology: Topology;
  private readonly credentials: ServiceCredentials;

  constructor(options: NatsTaskCreatorOptions) {
    const { nc, topology, credentials, timeoutMs = 10_000 } = options;
    this.topology = topology;
    this.credentials = credentials;
    // The request carries the trace context of the `send` span create() runs it in.
    const addHeaders = (h: MsgHdrs) => injectTraceContext(h);
    this.client = createTasksClient({ commands: natsCommands({ connection: nc, namespace: topology.namespace, token: () => credentials.authorization(), timeoutMs, addHeaders }) });
  }

  /**
   * The Task starts a trace of its own, linked to the span that asked for it (the job of its parent,
   * the scheduler's run): an operator follows a Task, and a lab event's 100 child Tasks are 100
   * traces of bounded size, not one of thousands of spans.
   */
  async create(command: CreateTaskJson): Promise<CreateTaskReplyJson> {
    const subject = this.topology.requestSubject('create');
    return inRequestSpan(subject, this.credentials, { ownTrace: true }, async (_subject, _headers, span) => {
      try {
        // The contract's JSON type has every field optional; task-api checks what the client's type requires.
        const reply = await this.client.createTask(command as CreateTaskCommand);
        span.setAttribute(Attr.taskId, reply.taskId);
        return reply;
      } catch (error) {
        if (!isTasksError(error)) throw error;
        if (REFUSAL_CODES.has(error.code)) throw new TaskRefused(error.code, error.message);
        throw new JobFailureError(`task-api could not create the Task now (${error.code}: ${error.message})`, 'TASK_API_UNAVAILABLE', { permanent: false });
      }
    });
  }
}

/** The headers of a command a service sends: its token, and the trace context of the active span. */
export async function authorizationHeaders(credentials: ServiceCredentials): Promise<MsgHdrs> {
  const h = headers();
  h.set(Headers.authorization, await credentials.authorization());
  injectTraceContext(h);
  return h;
}

/**
 * A request a service sends (a command to task-api, a run to the projection) in a `send <subject>`
 * CLIENT span, whose trace context the request carries with the token. A refusal `work` throws
 * marks the span failed with its code. `ownTrace`: the span starts a trace, linked to the active one.
 */
export function inRequestSpan<T>(
  subject: string,
  credentials: ServiceCredentials,
  options: { readonly ownTrace?: boolean },
  work: (subject: string, headers: MsgHdrs, span: Span) => Promise<T>,
): Promise<T> {
  const links = options.ownTrace ? [linkTo(context.active())] : undefined;
  return inSpan({ name: `send ${subject}`, kind: SpanKind.CLIENT, entry: true, root: options.ownTrace, links, attributes: natsAttributes(subject, 'send') }, async (span) => work(subject, await authorizationHeaders(credentials), span));
}
