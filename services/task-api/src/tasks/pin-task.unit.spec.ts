// PinTask / UnpinTask through the write side's use case over an in-memory log: recorded with the
// caller as actor, idempotent, refused (as not found) outside the caller's scope, and refused for
// another requester without tasks_act_for_users. The permission itself (tasks_pin) is checked by the
// transports: identity.e2e (HTTP) and identity-nats.e2e (NATS) run it for every kind of caller.

import { ALL_PERMISSIONS, AuthError, type Principal } from '@vle/auth';
import { RuleViolation, taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, InMemoryEventStore } from '@vle/event-store';
import { beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_PERMISSIONS } from './command-permissions.js';
import { TaskCommandService } from './task-command.service.js';

const admin: Principal = { subject: 'admin', permissions: new Set(ALL_PERMISSIONS), scope: {} };
const pinner: Principal = { subject: 'dora', permissions: new Set(['tasks_pin']), scope: {} };
const otherEvent: Principal = { subject: 'scoped', permissions: new Set(ALL_PERMISSIONS), scope: { events: ['999'] } };

let store: InMemoryEventStore<TaskEvent>;
let service: TaskCommandService;
let taskId: string;

beforeEach(async () => {
  store = new InMemoryEventStore<TaskEvent>();
  service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000, { benchQueue: true });
  ({ taskId } = await service.create({ name: 'kept', eventId: '42', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }, admin));
});

function eventsOf(id: string): TaskEvent[] {
  return store.allCommits().filter((c) => c.events[0]?.taskId === id).flatMap((c) => c.events);
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; field?: string }> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  if (error instanceof RuleViolation || error instanceof AuthError) return { code: error.code, field: (error as { field?: string }).field };
  throw new Error(`expected a refusal, got ${String(error)}`);
}

describe('pinning a Task', () => {
  it('needs tasks_pin over both transports', () => {
    expect(COMMAND_PERMISSIONS.pin).toBe('tasks_pin');
    expect(COMMAND_PERMISSIONS.unpin).toBe('tasks_pin');
  });

  it('records TaskPinned with the caller as actor and the reason; a repeat appends nothing', async () => {
    expect(await service.pin({ taskId, reason: 'audit' }, pinner)).toMatchObject({ taskId, events: ['TaskPinned'] });
    expect(await service.pin({ taskId, reason: 'audit' }, pinner)).toMatchObject({ taskId, events: [] });
    const pins = eventsOf(taskId).filter((e) => e.type === 'TaskPinned');
    expect(pins).toEqual([expect.objectContaining({ actor: 'dora', data: { reason: 'audit' } })]);
  });

  it('unpins once, then changes nothing', async () => {
    await service.pin({ taskId }, pinner);
    expect(await service.unpin({ taskId, reason: 'closed' }, pinner)).toMatchObject({ events: ['TaskUnpinned'] });
    expect(await service.unpin({ taskId }, pinner)).toMatchObject({ events: [] });
    expect(eventsOf(taskId).map((e) => e.type).filter((t) => t.includes('pinned') || t.includes('Pinned'))).toEqual(['TaskPinned', 'TaskUnpinned']);
  });

  it('does not find a Task outside the scope, nor one that does not exist, and appends nothing', async () => {
    const before = store.allCommits().length;
    expect(await refusal(service.pin({ taskId }, otherEvent))).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(await refusal(service.unpin({ taskId }, otherEvent))).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(await refusal(service.pin({ taskId: '00000000-0000-4000-8000-000000000000' }, admin))).toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(store.allCommits().length).toBe(before);
  });

  it('refuses to name another requester without tasks_act_for_users', async () => {
    expect(await refusal(service.pin({ taskId, requestedBy: 'alice' }, pinner))).toMatchObject({ code: 'FORBIDDEN', field: 'requestedBy' });
  });
});
