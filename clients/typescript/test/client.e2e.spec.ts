// @openvle/tasks-client against the whole system as processes (task-api, integration-worker with the
// bench queue, projection: System of services/task-api/test/system.ts), booted once for the file:
// DAGs created over HTTP (the one origin, and task-api's own port) and over NATS and waited for, the
// live stream of a Task changing, list and search (a bad query's position), retry, skip and cancel,
// the typed 401 and 403, waitForTask's timeout, and the admin reads the CLI is built on.

import { readFileSync } from 'node:fs';
import { testToken, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diamond, System } from '../../../services/task-api/test/system.js';
import { GENERATED_FILE, renderOpenApiTypes } from '../scripts/openapi-types.js';
// The public surface only: the package's two entries.
import {
  createTasksClient,
  isAuthenticationError,
  isConflictError,
  isNotFoundError,
  isPermissionError,
  isSearchQueryError,
  isTaskWaitTimeoutError,
  isValidationError,
  searchValue,
  taskIdQuery,
  type CreateDagCommand,
  type JsonObject,
  type LiveEvent,
  type PermissionError,
  type SubTaskSpec,
  type TasksClient,
} from '../src/index.js';
import { natsCommands } from '../src/nats.js';

const system = new System();
/** Through the one origin (the projection forwards the commands). */
let client: TasksClient;

beforeAll(async () => {
  await system.start();
  client = createTasksClient({ baseUrl: system.projection.url, token: system.token, timeoutMs: 10_000 });
});

afterAll(async () => {
  await system.stop();
});

const step = (key: string, action: string, params: JsonObject = {}, dependsOn: string[] = []): SubTaskSpec => ({ key, name: key.toUpperCase(), action, queue: 'bench', params, dependsOn });
const dag = (name: string, ...subtasks: SubTaskSpec[]): CreateDagCommand => ({ name, createdBy: 'e2e', subtasks });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('it did not fail');
}

describe('creating and waiting', () => {
  it('creates a DAG over HTTP and waits for it to succeed, then reads it with its SubTasks, history and attempts', async () => {
    const created = await client.createTask(diamond(`http ${system.namespace}`) as CreateDagCommand);
    expect(created).toMatchObject({ existing: false, status: 'queued' });
    expect(Object.keys(created.subTaskIds)).toEqual(['a', 'b', 'c', 'd']);
    const done = await client.waitForTask(created.taskId, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ id: created.taskId, status: 'success', progress: 1 });

    const detail = await client.getTask(created.taskId);
    expect(detail.subtasks?.map((s) => [s.key, s.status])).toEqual([['a', 'success'], ['b', 'success'], ['c', 'success'], ['d', 'success']]);
    const pages = [];
    for await (const page of client.taskHistoryPages(created.taskId, { limit: 5 })) pages.push(page);
    const events = pages.flatMap((p) => p.events);
    expect(pages.length).toBeGreaterThan(1);
    expect(events[0]?.type).toBe('TaskCreated');
    expect(events.filter((e) => e.type === 'SubTaskSucceeded')).toHaveLength(4);
    const subTask = await client.getSubTask(created.taskId, created.subTaskIds.d!);
    expect(subTask).toMatchObject({ key: 'd', status: 'success', parentTask: { id: created.taskId, status: 'success' } });
    expect(subTask.attempts.map((a) => a.outcome)).toEqual(['succeeded']);
    expect(await client.getTaskReport(created.taskId)).toContain('<html');
    expect(await client.exportTasks({ q: taskIdQuery(created.taskId) })).toContain(created.taskId);
  });

  it('creates the same DAG once for an idempotency key, and refuses the key with another body as a conflict', async () => {
    const command = dag(`idempotent ${system.namespace}`, step('a', 'noop'));
    const key = { idempotencyKey: `client-${system.namespace}` };
    const first = await client.createTask({ ...command, ...key });
    const second = await client.createTask({ ...command, ...key });
    expect(second).toMatchObject({ taskId: first.taskId, existing: true });
    const reused = await failure(client.createTask({ ...command, ...key, name: 'another body' }));
    expect(isConflictError(reused) && [reused.code, reused.status]).toEqual(['IDEMPOTENCY_KEY_REUSED', 409]);
  });

  it("creates over task-api's own port with the queries on the projection's", async () => {
    const split = createTasksClient({ commandsUrl: system.taskApi.url, queriesUrl: system.projection.url, token: () => Promise.resolve(system.token) });
    const task = await split.runTask(dag(`split ${system.namespace}`, step('a', 'noop'), step('b', 'noop', {}, ['a'])), { timeoutMs: 20_000 });
    expect(task.status).toBe('success');
  });

  it('creates a DAG over NATS request/reply with the token in its header, and waits for it to succeed', async () => {
    const overNats = createTasksClient({ baseUrl: system.projection.url, token: system.token, commands: natsCommands({ connection: system.nc, namespace: system.namespace }) });
    const created = await overNats.createTask(diamond(`nats ${system.namespace}`) as CreateDagCommand);
    expect(overNats.commands.name).toBe('nats');
    // Waited for at once: the Task may not be projected yet (404), which waiting rides over.
    expect(await overNats.waitForTask(created.taskId, { timeoutMs: 20_000 })).toMatchObject({ id: created.taskId, status: 'success' });
    const refused = await failure(overNats.createTask(dag('cyclic', step('a', 'noop', {}, ['b']), step('b', 'noop', {}, ['a']))));
    expect(isValidationError(refused) && [refused.code, refused.field, refused.status]).toEqual(['DAG_CYCLE', 'subtasks[0].dependsOn', undefined]);
  });

  it('rejects waitForTask with a typed timeout holding the Task as last seen', async () => {
    const { taskId } = await client.createTask(dag(`slow ${system.namespace}`, step('slow', 'sleep', { ms: 4000 })));
    const error = await failure(client.waitForTask(taskId, { timeoutMs: 1500 }));
    expect(isTaskWaitTimeoutError(error) && [error.code, error.taskId, error.timeoutMs]).toEqual(['WAIT_TIMEOUT', taskId, 1500]);
    expect(isTaskWaitTimeoutError(error) && ['queued', 'running'].includes((error.lastSeen as { status: string }).status)).toBe(true);
    await client.cancelTask(taskId, { reason: 'the test is over' });
  });
});

describe('live updates', () => {
  it('follows the list live: a new Task matching the filter joins, and its status changes are seen in order', async () => {
    const name = `live ${system.namespace}`;
    const controller = new AbortController();
    const stream = client.streamTasks({ q: `name ~ ${searchValue(name)}` }, { signal: controller.signal });
    const seen: LiveEvent[] = [];
    let taskId: string | undefined;
    for await (const event of stream) {
      seen.push(event);
      if (event.type === 'ready' && taskId === undefined) taskId = (await client.createTask(dag(name, step('a', 'sleep', { ms: 300 }), step('b', 'noop', {}, ['a'])))).taskId;
      if (event.type === 'task' && event.task.status === 'success') break;
    }
    const changes = seen.flatMap((e) => (e.type === 'task' ? [e.task] : []));
    expect(changes.every((t) => t.id === taskId)).toBe(true);
    expect(changes.map((t) => t.status)).toContain('running');
    expect(changes.at(-1)?.status).toBe('success');
    const versions = changes.map((t) => t.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(seen.filter((e) => e.type === 'task').every((e) => Number(e.id) > 0)).toBe(true);
  });

  it('follows one Task from queued to its end', async () => {
    const { taskId } = await client.createTask(dag(`follow ${system.namespace}`, step('a', 'sleep', { ms: 400 }), step('b', 'sleep', { ms: 400 }, ['a'])));
    const statuses: string[] = [];
    const progress: number[] = [];
    for await (const task of client.followTask(taskId)) {
      statuses.push(task.status);
      progress.push(task.progress);
    }
    expect(statuses.at(-1)).toBe('success');
    expect(statuses).toContain('running');
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});

describe('list and search', () => {
  it('lists with the search language, page after page, newest first', async () => {
    const name = `search ${system.namespace}`;
    const ids = [];
    for (const i of [1, 2, 3]) ids.push((await client.createTask(dag(`${name} ${i}`, step('a', 'noop')))).taskId);
    for (const id of ids) await client.waitForTask(id, { timeoutMs: 20_000 });
    const page = await client.listTasks({ q: `name ~ ${searchValue(name)} and status = success`, limit: 2 });
    expect(page.items.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    expect(page.nextCursor).not.toBeNull();
    const all = [];
    for await (const task of client.tasks({ q: `name ~ ${searchValue(name)}` }, { pageSize: 1 })) all.push(task.id);
    expect(all).toEqual([...ids].reverse());
    expect((await client.listTasks({ q: `name ~ ${searchValue(name)} and status = failed` })).items).toEqual([]);
    expect((await client.listTasks({ name, status: ['success', 'failed'] })).items).toHaveLength(3);
  });

  it('refuses a bad query with the typed error and its position, and a bad parameter naming it', async () => {
    const error = await failure(client.listTasks({ q: 'status = done' }));
    expect(isSearchQueryError(error) && [error.code, error.status, error.position]).toEqual(['VALIDATION_FAILED', 400, 9]);
    expect((error as Error).message).toContain('"done" is not a status');
    const streamed = await failure(client.streamTasks({ q: 'name ~ "open' }).next());
    expect(isSearchQueryError(streamed) && streamed.position).toBe(7);
    const limit = await failure(client.listTasks({ limit: 501 }));
    expect(isValidationError(limit) && limit.field).toBe('limit');
  });
});

describe('acting on a Task', () => {
  it('retries a failed SubTask: the step behind it runs and the Task ends warning; a second retry is a conflict', async () => {
    const created = await client.createTask(dag(`retry ${system.namespace}`, step('a', 'fail', { permanent: true, failGenerations: 1 }), step('b', 'noop', {}, ['a'])));
    const failed = await client.waitForTask(created.taskId, { timeoutMs: 20_000 });
    expect(failed.status).toBe('failed');
    const retried = await client.retrySubTask(created.taskId, created.subTaskIds.a!, { requestedBy: 'admin' });
    expect(retried.events).toEqual(['SubTaskRetryRequested', 'SubTaskQueued']);
    // The read model may still show it failed for a moment: only what came after counts.
    expect((await client.waitForTask(created.taskId, { timeoutMs: 20_000, newerThan: failed.version })).status).toBe('warning');
    const again = await failure(client.retrySubTask(created.taskId, created.subTaskIds.a!));
    expect(isConflictError(again) && again.code).toBe('NOT_RETRYABLE');
  });

  it('skips a failed SubTask over NATS: the Task goes on and ends warning', async () => {
    const overNats = createTasksClient({ baseUrl: system.projection.url, token: system.token, commands: natsCommands({ connection: system.nc, namespace: system.namespace }) });
    const created = await overNats.createTask(dag(`skip ${system.namespace}`, step('a', 'fail', { permanent: true }), step('b', 'noop', {}, ['a'])));
    const failed = await overNats.waitForTask(created.taskId, { timeoutMs: 20_000 });
    expect(failed.status).toBe('failed');
    const skipped = await overNats.skipSubTask(created.taskId, created.subTaskIds.a!, { reason: 'done by hand' });
    expect(skipped.events).toEqual(['SubTaskSkipped', 'SubTaskQueued']);
    expect((await overNats.waitForTask(created.taskId, { timeoutMs: 20_000, newerThan: failed.version })).status).toBe('warning');
    const history = await client.getTaskHistory(created.taskId);
    expect(history.events.find((e) => e.type === 'SubTaskSkipped')).toMatchObject({ actor: 'e2e-admin', changes: { reason: 'done by hand' } });
  });

  it('cancels a Task that waits for its start: it ends cancelled; an unknown Task is not found', async () => {
    const startAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await client.createTask({ ...dag(`cancel ${system.namespace}`, step('a', 'noop')), startAt });
    expect(created.status).toBe('scheduled');
    const cancelled = await client.cancelTask(created.taskId, { reason: 'not needed' });
    expect(cancelled.status).toBe('cancelled');
    expect(await client.waitForTask(created.taskId, { timeoutMs: 10_000 })).toMatchObject({ status: 'cancelled' });
    const unknown = await failure(client.cancelTask('00000000-0000-4000-8000-000000000000'));
    expect(isNotFoundError(unknown) && [unknown.code, unknown.status]).toEqual(['TASK_NOT_FOUND', 404]);
  });
});

describe('tokens', () => {
  it('tells a refused token (401) from a missing permission (403), over HTTP and NATS', async () => {
    const nobody = await failure(createTasksClient({ baseUrl: system.projection.url }).listTasks());
    expect(isAuthenticationError(nobody) && [nobody.code, nobody.status]).toEqual(['UNAUTHENTICATED', 401]);
    const expired = await testToken({ subject: 'alice', permissions: ['tasks_read'], expiresInSeconds: -120 });
    const late = await failure(createTasksClient({ baseUrl: system.projection.url, token: expired }).getMe());
    expect([isAuthenticationError(late), isPermissionError(late)]).toEqual([true, false]);
    expect((late as Error).message).toMatch(/expired/);

    const reader = await testToken({ subject: 'alice', permissions: ['tasks_read'] });
    const readOnly = createTasksClient({ baseUrl: system.projection.url, token: reader });
    expect((await readOnly.getMe()).permissions).toEqual(['tasks_read']);
    const forbidden = await failure(readOnly.createTask(dag('not allowed', step('a', 'noop'))));
    expect(isPermissionError(forbidden) && [forbidden.code, forbidden.status, forbidden.permission]).toEqual(['FORBIDDEN', 403, 'tasks_create']);
    const overNats = createTasksClient({ token: reader, commands: natsCommands({ connection: system.nc, namespace: system.namespace }) });
    const natsForbidden = await failure(overNats.createTask(dag('not allowed', step('a', 'noop'))));
    expect(isPermissionError(natsForbidden) && (natsForbidden as PermissionError).permission).toBe('tasks_create');
    const streamForbidden = await failure(createTasksClient({ baseUrl: system.projection.url, token: await testToken({ subject: 'bob', permissions: ['tasks_create'] }) }).streamTasks().next());
    expect(isPermissionError(streamForbidden) && streamForbidden.status).toBe(403);
  });
});

describe('what the CLI reads besides Tasks', () => {
  it('reads the dead letters: a refused durable command, its page, its summary and the item itself', async () => {
    // A durable command that is not JSON: task-api dead-letters it on dlq.commands.
    await system.js.publish(system.topology.commandSubject('create'), 'not json', { headers: system.natsAuth() });
    const letter = await waitFor(async () => (await client.listDeadLetters({ source: 'commands', code: 'MALFORMED_JSON' })).items[0], { description: 'the dead letter', timeoutMs: 10_000 });
    expect(letter).toMatchObject({ source: 'commands', code: 'MALFORMED_JSON', payload: { format: 'text', preview: 'not json' } });
    expect(await client.getDeadLetter(letter.seq)).toMatchObject({ seq: letter.seq, code: 'MALFORMED_JSON' });
    const summary = await client.summarizeDeadLetters();
    expect(summary.counts).toContainEqual({ source: 'commands', code: 'MALFORMED_JSON', count: 1 });
    const all = [];
    for await (const item of client.deadLetters({}, { pageSize: 1 })) all.push(item.seq);
    expect(all).toHaveLength(summary.total);
    const missing = await failure(client.getDeadLetter(999_999_999));
    expect(isNotFoundError(missing) && missing.code).toBe('DEAD_LETTER_NOT_FOUND');
  });

  it('reads the retention dry run, the projection status, who the token is and the API description', async () => {
    expect(await client.previewRetention({ at: new Date() })).toMatchObject({ enabled: expect.any(Boolean), total: expect.any(Number) });
    expect(await client.getProjectionStatus()).toMatchObject({ leading: true, lag: expect.any(Number) });
    expect(await client.getMe()).toMatchObject({ subject: 'e2e-admin', scope: {} });
    // Public: no token needed.
    const description = await createTasksClient({ baseUrl: system.projection.url }).getApiDescription();
    expect(description.openapi).toBe('3.1.0');
    // The description the running projection serves is the one the committed types were generated from.
    expect((await renderOpenApiTypes(description)) === readFileSync(GENERATED_FILE, 'utf8')).toBe(true);
  });
});
