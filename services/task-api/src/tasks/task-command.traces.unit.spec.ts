// The spans of the write side's use cases: `command <name>` in the request's trace, and a command on
// an existing Task (a person's retry a day later) in a trace of its own, linked to the Task's.

import { ALL_PERMISSIONS, type Principal } from '@vle/auth';
import { taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, InMemoryEventStore } from '@vle/event-store';
import { captureSpans, type SpanCapture } from '@vle/testing';
import { inSpan } from '@vle/tracing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskCommandService } from './task-command.service.js';

const core: Principal = { subject: 'core', permissions: new Set(ALL_PERMISSIONS), scope: {} };
const DAY = 24 * 3600_000;

let capture: SpanCapture;
let store: InMemoryEventStore<TaskEvent>;
let handler: CommandHandler<TaskCommand, TaskEvent, TaskState>;
let now: Date;
let service: TaskCommandService;

beforeEach(() => {
  capture = captureSpans();
  store = new InMemoryEventStore<TaskEvent>();
  handler = new CommandHandler(store, taskDecider);
  now = new Date('2026-11-29T10:00:00Z');
  service = new TaskCommandService(handler, () => now, 2 * DAY, { benchQueue: true });
});
afterEach(async () => {
  await capture.stop();
});

const spans = (name: string) => capture.spans().filter((s) => s.name === name);

/** A Task created in request 1, whose only SubTask failed for good. */
async function failedTask(): Promise<{ taskId: string; subTaskId: string }> {
  const created = await inSpan({ name: 'request 1', root: true }, () => service.create({ name: 'one step', createdBy: 'core', subtasks: [{ key: 'only', name: 'only', action: 'noop', queue: 'bench' }] }, core));
  const subTaskId = created.subTaskIds.only!;
  const attempt = { taskId: created.taskId, subTaskId, generation: 1, attempt: 1, deliveryId: 'd1', at: now.toISOString(), actor: 'worker:bench' };
  await handler.handle({ type: 'RecordAttemptStarted', ...attempt, jobId: `${subTaskId}:1`, queue: 'bench', jobSeq: 1 });
  await handler.handle({ type: 'RecordAttemptFailed', ...attempt, retryInMs: null, permanent: true, responseCode: 'PVE_PARAMS', responseMessage: 'bad' });
  return { taskId: created.taskId, subTaskId };
}

describe('the spans of the commands', () => {
  it("makes `command create` a span of the request, with the Task's id, and its append a child", async () => {
    const { taskId } = await failedTask();
    const [command] = spans('command create');
    const [request] = spans('request 1');
    expect(command).toMatchObject({ traceId: request!.traceId, parentSpanId: request!.spanId, attributes: { 'vle.command': 'create', 'vle.task_id': taskId }, status: { code: 'unset' } });
    expect(capture.spans().find((s) => s.name.startsWith('append ') && s.parentSpanId === command!.spanId)).toBeDefined();
  });

  it("gives a retry a day later the trace of its own request, linked to the trace that created the Task", async () => {
    const { taskId, subTaskId } = await failedTask();
    const creation = capture.spans().find((s) => s.name.startsWith('append ') && s.parentSpanId === spans('command create')[0]!.spanId)!;
    now = new Date(now.getTime() + DAY);
    await inSpan({ name: 'request 2', root: true }, () => service.retry({ taskId, subTaskId, requestedBy: 'admin' }, core));
    const [retry] = spans('command retry');
    const [request] = spans('request 2');
    expect(retry).toMatchObject({ traceId: request!.traceId, parentSpanId: request!.spanId, attributes: { 'vle.command': 'retry', 'vle.task_id': taskId, 'vle.subtask_id': subTaskId } });
    expect(retry!.traceId).not.toBe(creation.traceId);
    expect(retry!.links).toEqual([{ traceId: creation.traceId, spanId: creation.spanId, attributes: { 'vle.task_id': taskId } }]);
    // The retry's commit (which queues the SubTask again) is in the retry's trace: its job will be.
    const retried = store.allCommits().at(-1)!;
    expect(retried.events.map((e) => e.type)).toContain('SubTaskQueued');
    expect(retried.trace?.traceparent).toContain(request!.traceId);
  });

  it('fails the span of a refused command with its code', async () => {
    await expect(inSpan({ name: 'request', root: true }, () => service.cancel({ taskId: 'not-a-uuid', requestedBy: 'admin' }, core))).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(spans('command cancel')[0]).toMatchObject({ status: { code: 'error', message: 'TASK_NOT_FOUND' }, attributes: { 'error.type': 'TASK_NOT_FOUND' } });
  });

  it('does not read the first commit when nothing is traced', async () => {
    const { taskId } = await failedTask();
    await capture.stop();
    const read = vi.spyOn(handler, 'firstCommitTrace');
    await service.pin({ taskId, requestedBy: 'admin' }, core);
    expect(read).not.toHaveBeenCalled();
    capture = captureSpans();
  });
});
