// Issue "foundation", what it must show: a DAG created over HTTP and over plain NATS runs to success
// through the real processes, each job once; retries follow the queue policy; bad input is refused
// with a named error and appends nothing.

import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diamond, System, WORKER_MAX_RETRY } from './system.js';

const system = new System();

beforeAll(async () => {
  await system.start();
});

afterAll(async () => {
  await system.stop();
});

function expectOneSuccessfulRunEach(events: Awaited<ReturnType<System['events']>>, subTaskIds: string[]) {
  for (const id of subTaskIds) {
    const of = events.filter((e) => 'subTaskId' in e.data && e.data.subTaskId === id);
    expect(of.filter((e) => e.type === 'SubTaskAttemptStarted'), `attempts of ${id}`).toHaveLength(1);
    expect(of.filter((e) => e.type === 'SubTaskSucceeded'), `successes of ${id}`).toHaveLength(1);
  }
}

describe('a DAG created over HTTP', () => {
  it('runs to success, each job once, and the projection shows it within a second of the last event', async () => {
    const created = await system.post('/api/v1/tasks', diamond('diamond over HTTP'));
    expect(created.status).toBe(201);
    const { taskId, subTaskIds } = created.body;
    expect(Object.keys(subTaskIds)).toEqual(['a', 'b', 'c', 'd']);
    const task = await system.finished(taskId);
    expect(task.status).toBe('success');
    const events = await system.events(taskId);
    expectOneSuccessfulRunEach(events, Object.values(subTaskIds));
    // D ran after both B and C.
    const order = events.filter((e) => e.type === 'SubTaskAttemptStarted').map((e) => 'subTaskId' in e.data && e.data.subTaskId);
    expect(order[0]).toBe(subTaskIds.a);
    expect(order[3]).toBe(subTaskIds.d);

    const lastEventAt = Date.parse(events[events.length - 1]!.at);
    const view = await waitFor(async () => {
      const response = await system.query(`/api/v1/tasks/${taskId}`);
      return response.status === 200 && response.body.status === 'success' ? response.body : undefined;
    }, { description: 'the projection to show the task as success', timeoutMs: 5_000, intervalMs: 20 });
    expect(Date.now() - lastEventAt).toBeLessThan(1_000);
    expect(view.subtasks).toHaveLength(4);
    for (const subtask of view.subtasks) {
      expect(subtask).toMatchObject({ status: 'success', attempt: 1, jobId: `${subtask.id}:1` });
      expect(Date.parse(subtask.startedAt)).toBeLessThanOrEqual(Date.parse(subtask.finishedAt));
    }
  });

  it('yields the same Task for the same idempotency key', async () => {
    const body = diamond('idempotent', { idempotencyKey: `key-${system.namespace}` });
    const first = await system.post('/api/v1/tasks', body);
    const second = await system.post('/api/v1/tasks', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ taskId: first.body.taskId, existing: true });
    const reused = await system.post('/api/v1/tasks', { ...body, name: 'another body' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('a DAG created over NATS by a plain client', () => {
  it('works through request/reply and through the durable intake, with one Task per idempotency key', async () => {
    // Only the nats client and the documented subjects: no project code.
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const reply = await nc.request(`${system.namespace}.tasks.req.create`, JSON.stringify(diamond('diamond over NATS')), { timeout: 5_000, headers: system.natsAuth() });
      const created = reply.json<{ taskId: string; subTaskIds: Record<string, string> }>();
      expect((await system.finished(created.taskId)).status).toBe('success');
      expectOneSuccessfulRunEach(await system.events(created.taskId), Object.values(created.subTaskIds));

      const js = jetstream(nc);
      const body = JSON.stringify(diamond('durable', { idempotencyKey: `durable-${system.namespace}` }));
      await js.publish(`${system.namespace}.tasks.cmd.create`, body, { headers: system.natsAuth() });
      await js.publish(`${system.namespace}.tasks.cmd.create`, body, { headers: system.natsAuth() });
      const again = await nc.request(`${system.namespace}.tasks.req.create`, body, { timeout: 5_000, headers: system.natsAuth() });
      const durable = again.json<{ taskId: string; existing: boolean }>();
      expect(durable.existing).toBe(true);
      expect((await system.finished(durable.taskId)).status).toBe('success');
      expect((await system.events(durable.taskId)).filter((e) => e.type === 'TaskCreated')).toHaveLength(1);
    } finally {
      await nc.close();
    }
  });
});

describe('retries by the queue policy', () => {
  const oneStep = (name: string, action: string, params: Record<string, unknown>) => ({
    name,
    createdBy: 'e2e',
    subtasks: [{ key: 'x', name, action, queue: 'bench', params }],
  });

  it('ends success on attempt 3 after two transient failures', async () => {
    const { body } = await system.post('/api/v1/tasks', oneStep('flaky', 'fail', { failAttempts: 2 }));
    const task = await system.finished(body.taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 3, failedAttempts: 2 });
    expect((await system.events(body.taskId)).filter((e) => e.type === 'SubTaskAttemptFailed')).toHaveLength(2);
  });

  it('does not retry a permanent failure', async () => {
    const { body } = await system.post('/api/v1/tasks', oneStep('broken', 'fail', { permanent: true }));
    const task = await system.finished(body.taskId);
    expect(task.status).toBe('failed');
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1 });
  });

  it('stops after WORKER_MAX_RETRY retries', async () => {
    const { body } = await system.post('/api/v1/tasks', oneStep('hopeless', 'fail', {}));
    const task = await system.finished(body.taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: WORKER_MAX_RETRY + 1 });
    expect((await system.events(body.taskId)).filter((e) => e.type === 'SubTaskAttemptFailed')).toHaveLength(WORKER_MAX_RETRY);
  });
});

describe('a person acting on a Task', () => {
  it('retries a failed SubTask: the blocked steps behind it run and the Task ends warning', async () => {
    const { body } = await system.post('/api/v1/tasks', {
      name: 'needs a hand',
      createdBy: 'e2e',
      subtasks: [
        { key: 'a', name: 'A', action: 'fail', queue: 'bench', params: { permanent: true, failGenerations: 1 } },
        { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'] },
      ],
    });
    const failed = await system.finished(body.taskId);
    expect(failed.status).toBe('failed');
    expect(failed.subtasks[1]!.status).toBe('blocked');
    const retried = await system.post(`/api/v1/tasks/${body.taskId}/subtasks/${body.subTaskIds.a}/retry`, { requestedBy: 'admin' });
    expect(retried.status).toBe(202);
    expect(retried.body.events).toEqual(['SubTaskRetryRequested', 'SubTaskQueued']);
    const task = await waitFor(async () => {
      const t = await system.task(body.taskId);
      return t.status === 'warning' ? t : undefined;
    }, { description: 'the retried Task to end warning' });
    expect(task.subtasks.map((s) => [s.status, s.generation])).toEqual([['success', 2], ['success', 1]]);
    const again = await system.post(`/api/v1/tasks/${body.taskId}/subtasks/${body.subTaskIds.a}/retry`, { requestedBy: 'admin' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NOT_RETRYABLE');
  });

  it('skips a failed SubTask over NATS: the Task goes on and ends warning', async () => {
    const { body } = await system.post('/api/v1/tasks', {
      name: 'skip me',
      createdBy: 'e2e',
      subtasks: [
        { key: 'a', name: 'A', action: 'fail', queue: 'bench', params: { permanent: true } },
        { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'] },
      ],
    });
    expect((await system.finished(body.taskId)).status).toBe('failed');
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const request = { taskId: body.taskId, subTaskId: body.subTaskIds.a, requestedBy: 'admin', reason: 'done by hand' };
      const reply = await nc.request(`${system.namespace}.tasks.req.skip`, JSON.stringify(request), { timeout: 5_000, headers: system.natsAuth() });
      expect(reply.json<{ events: string[] }>().events).toEqual(['SubTaskSkipped', 'SubTaskQueued']);
    } finally {
      await nc.close();
    }
    const task = await waitFor(async () => {
      const t = await system.task(body.taskId);
      return t.status === 'warning' ? t : undefined;
    }, { description: 'the skipped Task to end warning' });
    expect(task.subtasks.map((s) => s.status)).toEqual(['skipped', 'success']);
  });

  it('cancels a Task: what waits is cancelled at once, the running step finishes', async () => {
    const { body } = await system.post('/api/v1/tasks', {
      name: 'to cancel',
      createdBy: 'e2e',
      subtasks: [
        { key: 'slow', name: 'Slow', action: 'sleep', queue: 'bench', params: { ms: 800 } },
        { key: 'next', name: 'Next', action: 'noop', queue: 'bench', dependsOn: ['slow'] },
      ],
    });
    await waitFor(async () => (await system.task(body.taskId)).status === 'running', { description: 'the slow step to run' });
    const cancelled = await system.post(`/api/v1/tasks/${body.taskId}/cancel`, { requestedBy: 'admin', reason: 'not needed' });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelling');
    const task = await system.finished(body.taskId);
    expect(task.status).toBe('cancelled');
    expect(task.subtasks.map((s) => s.status)).toEqual(['success', 'cancelled']);
    const unknown = await system.post('/api/v1/tasks/00000000-0000-4000-8000-000000000000/cancel', { requestedBy: 'admin' });
    expect(unknown.status).toBe(404);
  });
});

describe('bad input', () => {
  const cases: Array<[string, unknown, number, string, string | undefined]> = [
    ['a cyclic DAG', { name: 'x', createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench', dependsOn: ['b'] }, { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'] }] }, 400, 'DAG_CYCLE', 'subtasks[0].dependsOn'],
    ['an unknown queue', { name: 'x', createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'nowhere' }] }, 400, 'UNKNOWN_QUEUE', 'subtasks[0].queue'],
    // (createdBy may be missing over HTTP: it is the token's subject then; identity.e2e.spec.ts.)
    ['a missing field', { createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }, 400, 'VALIDATION_FAILED', 'name'],
    ['bad params of a typed command', { type: 'vm.clone', createdBy: 'e2e', params: { templateVmid: 9000, count: 0, namePattern: 'vm-{index}' } }, 400, 'VALIDATION_FAILED', 'params.count'],
    ['a typed command Proxmox could not run', { type: 'vm.clone', createdBy: 'e2e', params: { templateVmid: 9000, count: 2, namePattern: 'vm_{index}' } }, 400, 'INVALID_PARAMS', 'params.namePattern'],
    ['an unknown task type', { type: 'vm.explode', createdBy: 'e2e' }, 400, 'UNKNOWN_TASK_TYPE', 'type'],
    ['malformed JSON', '{"name": "x", ', 400, 'MALFORMED_JSON', undefined],
    ['a 1 MiB field', { name: 'x'.repeat(1024 * 1024), createdBy: 'e2e', subtasks: [] }, 413, 'PAYLOAD_TOO_LARGE', undefined],
    ['a large params field', { name: 'x', createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench', params: { blob: 'x'.repeat(100_000) } }] }, 400, 'VALIDATION_FAILED', 'subtasks[0].params'],
  ];

  it.each(cases)('answers %s over HTTP with a named error and appends nothing', async (_name, body, status, code, field) => {
    const before = await system.eventCount();
    const response = await system.post('/api/v1/tasks', typeof body === 'string' ? body : JSON.stringify(body), true);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    if (field) expect(response.body.violations.map((v: { field: string }) => v.field)).toContain(field);
    expect(await system.eventCount()).toBe(before);
  });

  it('answers the same over NATS request/reply, and dead-letters refused durable commands', async () => {
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const before = await system.eventCount();
      for (const [, body, , code] of cases) {
        const payload = typeof body === 'string' ? body : JSON.stringify(body);
        if (payload.length > 900_000) {
          // Larger than the server's max_payload: the client refuses to send it at all.
          expect(() => nc.publish(`${system.namespace}.tasks.req.create`, payload)).toThrow(/payload|max/i);
          continue;
        }
        const reply = await nc.request(`${system.namespace}.tasks.req.create`, payload, { timeout: 5_000, headers: system.natsAuth() });
        expect(reply.json<{ error: { code: string } }>().error.code).toBe(code);
      }
      const js = jetstream(nc);
      await js.publish(`${system.namespace}.tasks.cmd.create`, '{"broken": ', { headers: system.natsAuth() });
      const letter = await waitFor(async () => {
        const info = await system.jsm.streams.info(system.topology.deadLetterStream.name);
        return info.state.messages > 0 ? system.jsm.streams.getMessage(system.topology.deadLetterStream.name, { last_by_subj: system.topology.deadLetterSubject('commands') }) : undefined;
      }, { description: 'a dead letter for the malformed command' });
      expect(letter.json<{ code: string }>().code).toBe('MALFORMED_JSON');
      expect(await system.eventCount()).toBe(before);
    } finally {
      await nc.close();
    }
    for (const service of [system.taskApi, system.worker, system.projection]) expect(service.exitResult).toBeUndefined();
    expect((await fetch(`${system.taskApi.url}/health/ready`)).status).toBe(200);
  });
});
