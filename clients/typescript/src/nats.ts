// '@openvle/tasks-client/nats': the commands as NATS requests on `tasks.req.<command>` (README of
// vle-tasks, "Over NATS"), with the token in the message header `Authorization`, answered with the
// same reply as HTTP or `{"error": ErrorReply}`. The caller brings its own connection
// (@nats-io/transport-node, an optional peer dependency: the HTTP client needs none).

import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { CommandBodies, CommandName } from './commands.js';
import type { CommandCallOptions, CommandReplies, CommandTransport } from './command-transport.js';
import { ConnectionError, PermissionError, TimeoutError, UnavailableError, UnexpectedResponseError, type TasksError } from './errors.js';
import { errorOfReply, isErrorReply } from './error-reply.js';
import { DEFAULT_TIMEOUT_MS } from './http.js';
import { authorizationOf, type TokenSource } from './token.js';

/** The header of a NATS command that carries its bearer token (libs/contracts `Headers.authorization`). */
export const AUTHORIZATION_HEADER = 'Authorization';

export interface NatsCommandsOptions {
  /** A connection of the caller's (the `openvle` NATS user sets `inboxPrefix: '_INBOX_openvle'`). */
  readonly connection: NatsConnection;
  /** The deployment's NATS_NAMESPACE, prefixed to every subject (`<namespace>.tasks.req.create`); '' by default. */
  readonly namespace?: string;
  /** A token of its own; by default the client's. */
  readonly token?: TokenSource;
  /** How long to wait for task-api's reply; default the call's, or 30 s. */
  readonly timeoutMs?: number;
  /**
   * Adds headers of the caller's to each request, after the token's: a W3C `traceparent`, so that the
   * command joins the caller's trace (`propagation.inject(context.active(), headers, setter)`).
   */
  readonly addHeaders?: (headers: MsgHdrs) => void | Promise<void>;
}

/** `tasks.req.<command>` under a namespace. */
export function requestSubject(command: CommandName, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}tasks.req.${command}`;
}

/** The commands over NATS request/reply, for `createTasksClient({ commands: natsCommands({ connection }) })`. */
export function natsCommands(options: NatsCommandsOptions): CommandTransport {
  return {
    name: 'nats',
    async send<C extends CommandName>(command: C, body: CommandBodies[C], call: CommandCallOptions): Promise<CommandReplies[C]> {
      const subject = requestSubject(command, options.namespace);
      const timeoutMs = call.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const h = headers();
      const authorization = await authorizationOf(options.token ?? call.token);
      if (authorization) h.set(AUTHORIZATION_HEADER, authorization);
      await options.addHeaders?.(h);
      call.signal?.throwIfAborted();
      const request = options.connection.request(subject, JSON.stringify(body), { timeout: timeoutMs, headers: h });
      let reply;
      try {
        reply = await abortable(request, call.signal);
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason;
        throw natsFailure(error, subject, timeoutMs);
      }
      let answer: unknown;
      try {
        answer = JSON.parse(reply.string());
      } catch (error) {
        throw new UnexpectedResponseError('MALFORMED_RESPONSE', `${subject} answered with a reply that is not JSON: ${reply.string().slice(0, 200)}`, { cause: error });
      }
      if (typeof answer === 'object' && answer !== null && 'error' in answer) {
        const refusal = (answer as { error: unknown }).error;
        throw isErrorReply(refusal) ? errorOfReply(refusal) : new UnexpectedResponseError('MALFORMED_RESPONSE', `${subject} answered an error without a code: ${JSON.stringify(refusal)}`);
      }
      return answer as CommandReplies[C];
    },
  };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The names of an error and its causes (nats.js errors name themselves; instanceof fails across copies). */
function namesOf(error: unknown): string[] {
  const names: string[] = [];
  for (let e = error; e instanceof Error && names.length < 5; e = e.cause) names.push(e.name);
  return names;
}

function natsFailure(error: unknown, subject: string, timeoutMs: number): TasksError {
  const names = namesOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (names.includes('NoResponders')) return new UnavailableError('NO_RESPONDERS', `no task-api answers requests on ${subject}`, { cause: error });
  if (names.includes('TimeoutError')) return new TimeoutError('REQUEST_TIMEOUT', `${subject} got no reply within ${timeoutMs} ms`, { cause: error });
  if (names.includes('PermissionViolationError')) return new PermissionError('NATS_PERMISSION_VIOLATION', `the NATS user may not publish on ${subject}: ${message}`, { cause: error });
  return new ConnectionError('CONNECTION_FAILED', `${subject}: ${message}`, { cause: error });
}
