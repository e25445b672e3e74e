// How a command reaches task-api: over HTTP (the default; through the one origin or to task-api's
// own port) or as a NATS request on `tasks.req.<command>` (`natsCommands` of
// '@openvle/tasks-client/nats'). Both send the same JSON body and answer the same reply, or throw
// the same typed error.

import type { CommandBodies, CommandName } from './commands.js';
import type { CallOptions, HttpClient } from './http.js';
import type { ImplementedOperation } from './routes.js';
import type { TokenSource } from './token.js';
import type { CreateTaskResult, TaskCommandResult } from './types.js';

export interface CommandReplies {
  create: CreateTaskResult;
  retry: TaskCommandResult;
  skip: TaskCommandResult;
  cancel: TaskCommandResult;
  pin: TaskCommandResult;
  unpin: TaskCommandResult;
}

export interface CommandCallOptions extends CallOptions {
  /** The client's token, for a transport that does not carry its own. */
  readonly token?: TokenSource;
}

export interface CommandTransport {
  /** `http` or `nats`, for messages and logs. */
  readonly name: string;
  send<C extends CommandName>(command: C, body: CommandBodies[C], options: CommandCallOptions): Promise<CommandReplies[C]>;
}

const OPERATION_OF: Readonly<Record<CommandName, ImplementedOperation>> = {
  create: 'createTask',
  retry: 'retrySubTask',
  skip: 'skipSubTask',
  cancel: 'cancelTask',
  pin: 'pinTask',
  unpin: 'unpinTask',
};

/** The commands as POSTs of task-api's routes; the ids of the body go into the path. */
export class HttpCommands implements CommandTransport {
  readonly name = 'http';

  constructor(private readonly http: HttpClient) {}

  send<C extends CommandName>(command: C, body: CommandBodies[C], options: CommandCallOptions): Promise<CommandReplies[C]> {
    const operation = OPERATION_OF[command];
    if (command === 'create') return this.http.json(operation, { body }, options);
    const { taskId, subTaskId, ...rest } = body as { taskId: string; subTaskId?: string };
    return this.http.json(operation, { path: subTaskId === undefined ? { taskId } : { taskId, subTaskId }, body: rest }, options);
  }
}
