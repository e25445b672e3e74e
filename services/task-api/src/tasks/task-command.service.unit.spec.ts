// Typed commands through the write side's use case, over an in-memory log: the plan becomes the
// Task's SubTasks, and every bad input is refused with its code and field.

import { ALL_PERMISSIONS, type Principal } from '@vle/auth';
import { ContractError, MAX_CREATION_COMMIT_BYTES, MAX_DEPENDENCIES_PER_TASK } from '@vle/contracts';
import { RuleViolation, taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, InMemoryEventStore } from '@vle/event-store';
import { beforeEach, describe, expect, it } from 'vitest';
import { TaskCommandService } from './task-command.service.js';

/** The caller of every command here: OpenVLE's core, with every permission and no scope. */
const core: Principal = { subject: 'core', permissions: new Set(ALL_PERMISSIONS), scope: {} };

let store: InMemoryEventStore<TaskEvent>;
let service: TaskCommandService;

beforeEach(() => {
  store = new InMemoryEventStore<TaskEvent>();
  // The bench queue is enabled here: the typed-command cases below use it for explicit DAGs.
  service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000, { benchQueue: true });
});

async function refusal(raw: unknown): Promise<{ code: string; fields: string[]; message: string }> {
  const error = await service.create(raw, core).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ContractError) return { code: error.code, fields: error.violations.map((v) => v.field), message: error.message };
  if (error instanceof RuleViolation) return { code: error.code, fields: error.field ? [error.field] : [], message: error.message };
  throw new Error(`expected a refusal, got ${String(error)}`);
}

/** A commit's size as the log stores it (libs/event-store's codec). */
function encodedBytes(events: readonly TaskEvent[]): number {
  return Buffer.byteLength(JSON.stringify({ events }));
}

function created(): Extract<TaskEvent, { type: 'TaskCreated' }> {
  const event = store.allCommits()[0]!.events[0]!;
  if (event.type !== 'TaskCreated') throw new Error('no TaskCreated');
  return event;
}

describe('a typed command', () => {
  it('vm.clone of 20 VMs is one Task of 20 clone SubTasks, named by its plan', async () => {
    const result = await service.create({ type: 'vm.clone', createdBy: 'core', eventId: '42', params: { templateVmid: 9000, count: 20, namePattern: 'ev{event}-s{index:2}', pool: 'ev42' } }, core);
    expect(Object.keys(result.subTaskIds)).toHaveLength(20);
    const { data } = created();
    expect(data).toMatchObject({ name: 'Clone 20 VMs from template 9000', type: 'vm.clone', objectType: 'template', objectId: '9000', eventId: '42' });
    expect(data.subtasks[19]).toMatchObject({ key: 'clone-20', queue: 'pve_vm_clone', action: 'clone', params: { name: 'ev42-s20', pool: 'ev42', templateVmid: 9000 } });
    expect(result.subTaskIds['clone-20']).toBe(data.subtasks[19]!.id);
  });

  it('keeps a name the caller gives and is idempotent by key', async () => {
    const command = { type: 'vm.stop', name: 'Stop lab VMs', createdBy: 'core', idempotencyKey: 'stop-1', params: { vmids: [101, 102] } };
    const first = await service.create(command, core);
    const again = await service.create(command, core);
    expect(again).toMatchObject({ taskId: first.taskId, existing: true });
    expect(created().data).toMatchObject({ name: 'Stop lab VMs', type: 'vm.stop' });
    expect((await refusal({ ...command, params: { vmids: [103] } })).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it.each([
    ['a missing param', { type: 'vm.clone', params: { templateVmid: 9000, namePattern: 'vm-{index}' } }, 'VALIDATION_FAILED', ['params.count']],
    ['a param out of range', { type: 'vm.clone', params: { templateVmid: 9000, count: 0, namePattern: 'vm-{index}' } }, 'VALIDATION_FAILED', ['params.count']],
    ['an unknown param', { type: 'vm.start', params: { vmids: [101], force: true } }, 'VALIDATION_FAILED', ['params.force']],
    ['a wrong type', { type: 'vm.migrate', params: { vmids: ['x'], targetNode: 'pve2' } }, 'VALIDATION_FAILED', ['params.vmids[0]']],
    ['a name Proxmox refuses', { type: 'vm.clone', params: { templateVmid: 9000, count: 2, namePattern: 'vm_{index}' } }, 'INVALID_PARAMS', ['params.namePattern']],
    ['a VM listed twice', { type: 'vm.delete', params: { vmids: [101, 101] } }, 'INVALID_PARAMS', ['params.vmids[1]']],
    ['an unknown type without subtasks', { type: 'vm.explode', params: {} }, 'UNKNOWN_TASK_TYPE', ['type']],
    ['neither type nor subtasks', { name: 'x' }, 'VALIDATION_FAILED', ['subtasks']],
    ['a typed command with subtasks', { type: 'vm.start', params: { vmids: [101] }, subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] }, 'VALIDATION_FAILED', ['subtasks']],
    ['params with an explicit DAG', { name: 'x', params: { a: 1 }, subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] }, 'VALIDATION_FAILED', ['params']],
    ['an explicit DAG without a name', { subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] }, 'VALIDATION_FAILED', ['name']],
  ])('refuses %s', async (_what, body, code, fields) => {
    const refused = await refusal({ createdBy: 'core', ...body });
    expect(refused.code).toBe(code);
    expect(refused.fields).toEqual(fields);
    expect(store.allCommits()).toEqual([]);
  });

  it('is about the event its params name', async () => {
    await service.create({ type: 'event.deploy', createdBy: 'core', params: { eventId: 42 } }, core);
    expect(created().data).toMatchObject({ eventId: '42', objectType: 'event', objectId: '42' });
  });

  it('takes a free-form type with an explicit DAG', async () => {
    await service.create({ name: 'custom', type: 'custom.thing', createdBy: 'core', subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] }, core);
    expect(created().data).toMatchObject({ name: 'custom', type: 'custom.thing' });
  });
});

describe('the bench queue', () => {
  const body = { name: 'bench', createdBy: 'client', subtasks: [{ key: 'a', name: 'a', action: 'sleep', queue: 'bench' }, { key: 'b', name: 'b', action: 'noop', queue: 'bench' }] };

  it('is refused by default as an unknown queue, naming the field', async () => {
    service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000);
    const refused = await refusal(body);
    expect(refused).toMatchObject({ code: 'UNKNOWN_QUEUE', fields: ['subtasks[0].queue'] });
    expect(refused.message).toContain('unknown queue "bench"');
    expect(store.allCommits()).toEqual([]);
  });

  it('makes the bench task types unknown types by default', async () => {
    service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000);
    for (const type of ['bench.fan_out', 'bench.chain']) {
      expect(await refusal({ type, createdBy: 'client', params: { subtasks: 10 } })).toMatchObject({ code: 'UNKNOWN_TASK_TYPE', fields: ['type'] });
    }
    expect(store.allCommits()).toEqual([]);
  });

  it('is taken when a benchmark or test enables it', async () => {
    service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000, { benchQueue: true });
    expect((await service.create(body, core)).status).toBe('queued');
  });
});

describe('a durable create without an idempotency key', () => {
  const body = { name: 'durable', createdBy: 'core', subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] };
  const message = { stream: 'TASK_COMMANDS', seq: 7, storedAtNanos: 1_764_000_000_000_000_000n };

  it('delivered twice is one Task: the stream message is its identity', async () => {
    const first = await service.create(body, core, message);
    const again = await service.create(body, core, message);
    expect(again).toEqual({ ...first, existing: true });
    expect(store.allCommits()).toHaveLength(1);
  });

  it('in two stream messages is two Tasks, and a key of its own wins over the message', async () => {
    const first = await service.create(body, core, message);
    const second = await service.create(body, core, { ...message, seq: 8 });
    const keyed = await service.create({ ...body, idempotencyKey: 'k' }, core, message);
    expect(new Set([first.taskId, second.taskId, keyed.taskId]).size).toBe(3);
    expect((await service.create({ ...body, idempotencyKey: 'k' }, core)).taskId).toBe(keyed.taskId);
  });
});

describe('the size of a Task (issues 8 and 9)', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  const dense = (each: number) => keys.map((key, i) => ({ key, name: key, action: 'noop', queue: 'bench', dependsOn: keys.slice(Math.max(0, i - each), i) }));

  it(`refuses more than ${MAX_DEPENDENCIES_PER_TASK} dependencies in all, naming the limit, before anything is appended`, async () => {
    // 1000 SubTasks, each after the previous 21: 20769 edges, every one stored as a 36-character id.
    const refused = await refusal({ name: 'dense', createdBy: 'core', subtasks: dense(21) });
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.fields).toEqual(['subtasks']);
    expect(refused.message).toContain(`at most ${MAX_DEPENDENCIES_PER_TASK} dependencies in all (has 20769)`);
    expect(store.allCommits()).toEqual([]);
  });

  it('creates a Task too dense for one commit in parts, each commit within the limit', async () => {
    // 19,769 edges: some 800 KB of ids, more than one commit holds beside its SubTasks.
    const result = await service.create({ name: 'dense', createdBy: 'core', subtasks: dense(20) }, core);
    expect(result.status).toBe('queued');
    expect(Object.keys(result.subTaskIds)).toHaveLength(1000);
    const commits = store.allCommits();
    expect(commits.length).toBeGreaterThan(1);
    for (const commit of commits) expect(encodedBytes(commit.events)).toBeLessThanOrEqual(MAX_CREATION_COMMIT_BYTES);
  });
});

describe('a Task of 10,000 SubTasks (issue 9)', () => {
  const chain = { type: 'bench.chain', createdBy: 'bench', idempotencyKey: 'chain-10000', params: { subtasks: 10_000 } };

  it('is one small typed request, created in parts: each commit within the limit, the first SubTask queued by the last', async () => {
    const result = await service.create(chain, core);
    expect(result).toMatchObject({ existing: false, status: 'queued' });
    expect(Object.keys(result.subTaskIds)).toHaveLength(10_000);
    const commits = store.allCommits();
    expect(commits.map((c) => c.events[0]!.type)).toEqual(['TaskCreated', ...commits.slice(1).map(() => 'SubTasksPlanned')]);
    for (const commit of commits) expect(encodedBytes(commit.events)).toBeLessThanOrEqual(MAX_CREATION_COMMIT_BYTES);
    expect(commits.flatMap((c) => c.events).filter((e) => e.type === 'SubTaskQueued')).toEqual([expect.objectContaining({ data: expect.objectContaining({ subTaskId: result.subTaskIds['step-1'] }) })]);
    expect(commits.at(-1)!.events.at(-1)!.type).toBe('SubTaskQueued');
  });

  it('stopped half way, is completed by the same create retried, and not created twice', async () => {
    let appends = 0;
    const failing = new CommandHandler<TaskCommand, TaskEvent, TaskState>(
      {
        append: (taskId, events, expectedSeq) => (++appends === 2 ? Promise.reject(new Error('NATS went away')) : store.append(taskId, events, expectedSeq)),
        load: (taskId, options) => store.load(taskId, options),
        lastSequence: (taskId) => store.lastSequence(taskId),
        streamName: store.streamName,
        firstCommitTrace: (taskId) => store.firstCommitTrace(taskId),
      },
      taskDecider,
    );
    const interrupted = new TaskCommandService(failing, () => new Date('2026-11-29T10:00:00Z'), 24 * 3600_000, { benchQueue: true });
    await expect(interrupted.create(chain, core)).rejects.toThrow('NATS went away');
    expect(store.allCommits()).toHaveLength(1);
    const retried = await service.create(chain, core);
    expect(retried).toMatchObject({ existing: true, status: 'queued' });
    const commits = store.allCommits();
    expect(commits.filter((c) => c.events[0]!.type === 'TaskCreated')).toHaveLength(1);
    const planned = commits.flatMap((c) => c.events).flatMap((e) => (e.type === 'TaskCreated' || e.type === 'SubTasksPlanned' ? e.data.subtasks : []));
    expect(new Set(planned.map((s) => s.id)).size).toBe(10_000);
    expect(await service.create(chain, core)).toMatchObject({ existing: true, taskId: retried.taskId });
    expect(store.allCommits()).toHaveLength(commits.length);
  });

  it('takes at most 10,000 SubTasks of a bench type, as the contract says', async () => {
    expect((await refusal({ ...chain, params: { subtasks: 10_001 } })).fields).toEqual(['params.subtasks']);
    expect((await refusal({ ...chain, params: { subtasks: 10, action: 'explode' } })).fields).toEqual(['params.action']);
  });
});
