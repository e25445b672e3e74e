// The write side's use cases: turn a validated contract message into a domain command and run it
// through the one command handler. Transport-free: HTTP controllers and NATS responders call it.

import { toJson } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { CancelTaskSchema, CreateTaskSchema, parseMessage, RetrySubTaskSchema, SkipSubTaskSchema, type CreateTask as CreateTaskMessage } from '@vle/contracts';
import { exists, RuleViolation, type CreateTask, type ObjectType, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import type { CommandHandler } from '@vle/event-store';
import { isUuid, requestHash, subTaskIdFor, taskIdFor } from './task-ids.js';

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

export class TaskCommandService {
  constructor(
    private readonly handler: TaskCommandHandler,
    private readonly clock: () => Date,
    /** How long a failed SubTask may be retried by a person (DESIGN §4). */
    private readonly retryWindowMs: number,
  ) {}

  /** `raw`: the request bytes, or JSON already parsed by a transport. Throws ContractError / RuleViolation. */
  async create(raw: unknown, actor?: string): Promise<CreateTaskResult> {
    const message = parseMessage(CreateTaskSchema, raw);
    const command = this.toCreateCommand(message, actor);
    const { events, state } = await this.handler.handle(command);
    const task = this.mustExist(state, command.taskId);
    return {
      taskId: task.id,
      existing: events.length === 0,
      status: task.status,
      subTaskIds: Object.fromEntries(task.subtasks.map((s) => [s.key, s.id])),
    };
  }

  async retry(raw: unknown, actor?: string): Promise<TaskCommandResult> {
    const message = parseMessage(RetrySubTaskSchema, raw);
    this.checkId(message.taskId, 'taskId');
    return this.run({ type: 'RetrySubTask', taskId: message.taskId, subTaskId: message.subTaskId, at: this.now(), actor: actor ?? message.requestedBy, retryWindowMs: this.retryWindowMs });
  }

  async skip(raw: unknown, actor?: string): Promise<TaskCommandResult> {
    const message = parseMessage(SkipSubTaskSchema, raw);
    this.checkId(message.taskId, 'taskId');
    return this.run({ type: 'SkipSubTask', taskId: message.taskId, subTaskId: message.subTaskId, at: this.now(), actor: actor ?? message.requestedBy, reason: message.reason || undefined });
  }

  async cancel(raw: unknown, actor?: string): Promise<TaskCommandResult> {
    const message = parseMessage(CancelTaskSchema, raw);
    this.checkId(message.taskId, 'taskId');
    return this.run({ type: 'CancelTask', taskId: message.taskId, at: this.now(), actor: actor ?? message.requestedBy, reason: message.reason || undefined });
  }

  private async run(command: TaskCommand): Promise<TaskCommandResult> {
    const { events, state } = await this.handler.handle(command);
    const task = this.mustExist(state, command.taskId);
    return { taskId: task.id, status: task.status, events: events.map((e) => e.type) };
  }

  private toCreateCommand(message: CreateTaskMessage, actor: string | undefined): CreateTask {
    const idempotencyKey = message.idempotencyKey || undefined;
    const taskId = taskIdFor(message.createdBy, idempotencyKey);
    const optional = (value: string) => value || undefined;
    return {
      type: 'CreateTask',
      taskId,
      at: this.now(),
      actor: actor ?? message.createdBy,
      name: message.name,
      taskType: optional(message.type),
      createdBy: message.createdBy,
      eventId: optional(message.eventId),
      objectType: optional(message.objectType) as ObjectType | undefined,
      objectId: optional(message.objectId),
      idempotencyKey,
      requestHash: idempotencyKey ? requestHash(toJson(CreateTaskSchema, message)) : undefined,
      originTaskId: optional(message.originTaskId),
      startAt: iso(message.startAt),
      startBefore: iso(message.startBefore),
      timeoutSeconds: message.timeoutSeconds || undefined,
      subtasks: message.subtasks.map((s) => ({
        id: subTaskIdFor(taskId, s.key),
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
      })),
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

function iso(timestamp: Timestamp | undefined): string | undefined {
  return timestamp ? timestampDate(timestamp).toISOString() : undefined;
}
