// The write side's use cases: turn a validated contract message into a domain command and run it
// through the one command handler. Transport-free: HTTP controllers and NATS responders call it.
//
// Each runs in a `command <name>` span, child of its transport's (the HTTP request, the NATS
// request or stream message). A command on an existing Task starts no trace of the Task's: it is a
// request of its own (a person's retry a day later, the scheduler's deadline), so its trace is its
// request's, and its span links to the trace that created the Task (the first commit's trace context).

import { toJson } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { CancelTaskSchema, ContractError, CreateTaskSchema, MAX_CREATION_COMMIT_BYTES, parseMessage, PinTaskSchema, RetrySubTaskSchema, UnpinTaskSchema, SkipSubTaskSchema, TaskDeadlineCommandSchema, taskSizeViolation, type CreateTask as CreateTaskMessage, type SystemCommandName } from '@vle/contracts';
import { exists, isBenchTaskType, isTaskType, planTask, RuleViolation, type CreateTask, type ObjectType, type PlannedDraft, type Task, type TaskCommand, type TaskEvent, type TaskPlan, type TaskState } from '@vle/domain';
import type { Principal } from '@vle/auth';
import type { CommandHandler } from '@vle/event-store';
import { checkCreationScope, checkTaskScope, identityOf, type CommandIdentity } from './command-identity.js';
import { isUuid, messageIdempotencyKey, requestHash, subTaskIdFor, taskIdFor, type CommandMessage } from './task-ids.js';
import { parseTaskParams } from './task-type-params.js';
import { Attr, inSpan, linkTo, type Span } from '@vle/tracing';

export type TaskCommandHandler = CommandHandler<TaskCommand, TaskEvent, TaskState>;

export interface CreateTaskResult {
  readonly taskId: string;
  /** True when the idempotency key named a Task that already existed. */
  readonly existing: boolean;
  readonly status: Task['status'];
  readonly subTaskIds: Record<string, string>;
}

export interface TaskCommandResult {
  readonly taskId: string;
  readonly status: Task['status'];
  /** Types of the events the command appended ([] when it was already applied). */
  readonly events: string[];
}

export interface TaskCommandOptions {
  /** Accept SubTasks on the `bench` queue (benchmarks and tests only: TASK_API_BENCH_QUEUE). */
  readonly benchQueue?: boolean;
}

export class TaskCommandService {
  constructor(
    private readonly handler: TaskCommandHandler,
    private readonly clock: () => Date,
    /** How long a failed SubTask may be retried by a person (DESIGN §4). */
    private readonly retryWindowMs: number,
    private readonly options: TaskCommandOptions = {},
  ) {}

  /**
   * `raw`: the request bytes, or JSON already parsed by a transport. `caller`: the verified token of
   * the request (command-identity.ts). `source`: the stream message of a durable create, whose
   * identity stands in for a missing idempotency key. Throws ContractError / RuleViolation / AuthError.
   *
   * A Task too large for one commit is created in parts (libs/domain create-task.ts): the same
   * command is handled again, each time one commit under its own expected sequence, while the Task
   * is planning. A failure half way leaves it planning; the same create retried (HTTP, with its
   * idempotency key) or redelivered (NATS) appends the parts still missing.
   */
  async create(raw: unknown, caller: Principal, source?: CommandMessage): Promise<CreateTaskResult> {
    return inSpan({ name: 'command create', attributes: { [Attr.command]: 'create' } }, async (span) => {
      const message = parseMessage(CreateTaskSchema, raw);
      const command = this.toCreateCommand(message, identityOf(caller, message.createdBy, 'createdBy'), source);
      span.setAttribute(Attr.taskId, command.taskId);
      checkCreationScope(caller, command.eventId);
      let { events, state } = await this.handler.handle(command);
      const existing = !events.some((e) => e.type === 'TaskCreated');
      // Each part holds one SubTask at least: the bound only guards against a loop.
      for (let parts = 1; events.length > 0 && state.status === 'planning' && parts <= command.subtasks.length; parts++) {
        ({ events, state } = await this.handler.handle(command));
      }
      const task = this.mustExist(state, command.taskId);
      return {
        taskId: task.id,
        existing,
        status: task.status,
        subTaskIds: Object.fromEntries(task.subtasks.map((s) => [s.key, s.id])),
      };
    });
  }

  async retry(raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask('retry', async (span) => {
      const message = parseMessage(RetrySubTaskSchema, raw);
      const who = await this.requester(span, caller, message.taskId, message.requestedBy, message.subTaskId);
      return this.run({ type: 'RetrySubTask', taskId: message.taskId, subTaskId: message.subTaskId, at: this.now(), ...who, retryWindowMs: this.retryWindowMs });
    });
  }

  async skip(raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask('skip', async (span) => {
      const message = parseMessage(SkipSubTaskSchema, raw);
      const who = await this.requester(span, caller, message.taskId, message.requestedBy, message.subTaskId);
      return this.run({ type: 'SkipSubTask', taskId: message.taskId, subTaskId: message.subTaskId, at: this.now(), ...who, reason: message.reason || undefined });
    });
  }

  async cancel(raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask('cancel', async (span) => {
      const message = parseMessage(CancelTaskSchema, raw);
      const who = await this.requester(span, caller, message.taskId, message.requestedBy);
      return this.run({ type: 'CancelTask', taskId: message.taskId, at: this.now(), ...who, reason: message.reason || undefined });
    });
  }

  /** Keeps the Task from the retention (README, "Retention"); [] when it is already pinned. */
  async pin(raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask('pin', async (span) => {
      const message = parseMessage(PinTaskSchema, raw);
      const who = await this.requester(span, caller, message.taskId, message.requestedBy);
      return this.run({ type: 'PinTask', taskId: message.taskId, at: this.now(), ...who, reason: message.reason || undefined });
    });
  }

  async unpin(raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask('unpin', async (span) => {
      const message = parseMessage(UnpinTaskSchema, raw);
      const who = await this.requester(span, caller, message.taskId, message.requestedBy);
      return this.run({ type: 'UnpinTask', taskId: message.taskId, at: this.now(), ...who, reason: message.reason || undefined });
    });
  }

  /** The actor of a person's action on an existing Task, refused (as not found) outside the caller's scope. */
  private async requester(span: Span, caller: Principal, taskId: string, requestedBy: string, subTaskId?: string): Promise<{ actor: string; onBehalfOf?: string }> {
    this.checkId(taskId, 'taskId');
    await this.traceTask(span, taskId, subTaskId);
    const { actor, onBehalfOf } = identityOf(caller, requestedBy, 'requestedBy');
    await checkTaskScope(caller, taskId, () => this.handler.known(taskId));
    return onBehalfOf === undefined ? { actor } : { actor, onBehalfOf };
  }

  /** A deadline of the Task came: the scheduler's internal commands, recorded with its identity as the actor. */
  async deadline(command: SystemCommandName, raw: unknown, caller: Principal): Promise<TaskCommandResult> {
    return this.onTask(command, async (span) => {
      const message = parseMessage(TaskDeadlineCommandSchema, raw);
      this.checkId(message.taskId, 'taskId');
      await this.traceTask(span, message.taskId);
      await checkTaskScope(caller, message.taskId, () => this.handler.known(message.taskId));
      return this.run({ type: DEADLINE_COMMANDS[command], taskId: message.taskId, at: this.now(), actor: caller.subject });
    });
  }

  private onTask<T>(command: string, work: (span: Span) => Promise<T>): Promise<T> {
    return inSpan({ name: `command ${command}`, attributes: { [Attr.command]: command } }, work);
  }

  /**
   * Names the Task on the command's span, and links the span to the trace that created the Task.
   * Read only when the span is recorded; a Task without a traced first commit gets no link, and a
   * failed read only costs the link (the command goes on).
   */
  private async traceTask(span: Span, taskId: string, subTaskId?: string): Promise<void> {
    span.setAttribute(Attr.taskId, taskId);
    if (subTaskId) span.setAttribute(Attr.subTaskId, subTaskId);
    if (!span.isRecording()) return;
    const created = await this.handler.firstCommitTrace(taskId).catch(() => undefined);
    const link = linkTo(created, { [Attr.taskId]: taskId });
    if (link) span.addLink(link);
  }

  private async run(command: TaskCommand): Promise<TaskCommandResult> {
    const { events, state } = await this.handler.handle(command);
    const task = this.mustExist(state, command.taskId);
    return { taskId: task.id, status: task.status, events: events.map((e) => e.type) };
  }

  private toCreateCommand(message: CreateTaskMessage, who: CommandIdentity, source: CommandMessage | undefined): CreateTask {
    const idempotencyKey = message.idempotencyKey || (source ? messageIdempotencyKey(source) : undefined);
    const taskId = taskIdFor(who.user, idempotencyKey);
    const optional = (value: string) => value || undefined;
    if (!this.options.benchQueue) refuseBenchQueue(message);
    const plan = planOf(message);
    const drafts: readonly PlannedDraft[] = plan?.subtasks ?? message.subtasks.map((s) => ({
      key: s.key,
      name: s.name,
      action: s.action,
      queue: s.queue,
      objectType: optional(s.objectType) as ObjectType | undefined,
      objectId: optional(s.objectId),
      params: s.params ?? {},
      dependsOn: s.dependsOn,
      bestEffort: s.bestEffort,
      timeoutSeconds: s.timeoutSeconds || undefined,
    }));
    const tooLarge = taskSizeViolation(drafts, plan ? 'params' : 'subtasks');
    if (tooLarge) throw new ContractError('VALIDATION_FAILED', `invalid CreateTask: ${tooLarge.field}: ${tooLarge.message}`, [tooLarge]);
    return {
      type: 'CreateTask',
      taskId,
      at: this.now(),
      actor: who.actor,
      ...(who.onBehalfOf === undefined ? {} : { onBehalfOf: who.onBehalfOf }),
      name: message.name || plan!.name,
      taskType: optional(message.type),
      createdBy: who.user,
      eventId: optional(message.eventId) ?? plan?.eventId,
      objectType: (optional(message.objectType) as ObjectType | undefined) ?? plan?.objectType,
      objectId: optional(message.objectId) ?? plan?.objectId,
      idempotencyKey,
      requestHash: idempotencyKey ? requestHash(toJson(CreateTaskSchema, message)) : undefined,
      originTaskId: optional(message.originTaskId),
      startAt: iso(message.startAt),
      startBefore: iso(message.startBefore),
      timeoutSeconds: message.timeoutSeconds || undefined,
      subtasks: drafts.map((d) => ({ ...d, id: subTaskIdFor(taskId, d.key) })),
      maxCommitBytes: MAX_CREATION_COMMIT_BYTES,
    };
  }

  private checkId(id: string, field: string): void {
    if (!isUuid(id)) throw new RuleViolation('TASK_NOT_FOUND', `${field} "${id}" is not a Task id (a UUID)`, field);
  }

  private mustExist(state: TaskState, taskId: string): Task {
    if (!exists(state)) throw new RuleViolation('TASK_NOT_FOUND', `Task ${taskId} does not exist`, 'taskId');
    return state;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

const DEADLINE_COMMANDS = { start: 'StartTask', 'expire-start': 'ExpireTaskStart', 'time-out': 'TimeOutTask' } as const satisfies Record<SystemCommandName, TaskCommand['type']>;

/**
 * The plan of a typed command (`type` + `params`), or undefined for an explicit DAG (`subtasks`,
 * with any free-form `type`). The two forms do not mix.
 */
function planOf(message: CreateTaskMessage): TaskPlan | undefined {
  const refuse = (field: string, text: string) => new ContractError('VALIDATION_FAILED', `invalid CreateTask: ${field}: ${text}`, [{ field, message: text }]);
  if (message.subtasks.length > 0) {
    if (isTaskType(message.type)) throw refuse('subtasks', `must be empty: type ${message.type} plans its own SubTasks from params`);
    if (message.params !== undefined) throw refuse('params', 'is only taken with a typed command (type vm.clone, vm.delete, ...); an explicit DAG gives params per SubTask');
    if (message.name === '') throw refuse('name', 'is required');
    return undefined;
  }
  if (message.type === '') throw refuse('subtasks', 'is required (or give a type such as vm.clone with its params)');
  if (!isTaskType(message.type)) return planTask(message.type, {});
  return planTask(message.type, parseTaskParams(message.type, message.params), { eventId: message.eventId || undefined });
}

/**
 * The `bench` queue runs the pipeline's no-op, failing and sleeping actions: where no benchmark or
 * test asked for it, it is an unknown queue, and the bench task types unknown types, so that no
 * client can load the workers with it.
 */
function refuseBenchQueue(message: CreateTaskMessage): void {
  if (message.subtasks.length === 0 && isBenchTaskType(message.type)) {
    throw new RuleViolation('UNKNOWN_TASK_TYPE', `type "${message.type}" has no plan (or give subtasks)`, 'type');
  }
  const index = message.subtasks.findIndex((s) => s.queue === 'bench');
  if (index >= 0) throw new RuleViolation('UNKNOWN_QUEUE', 'unknown queue "bench"', `subtasks[${index}].queue`);
}

function iso(timestamp: Timestamp | undefined): string | undefined {
  return timestamp ? timestampDate(timestamp).toISOString() : undefined;
}
