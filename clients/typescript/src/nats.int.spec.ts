// The NATS transport on the real nats-server, with a responder of the test's own on its namespace's
// `tasks.req.*`: the subject, the body and the Authorization header of each command, the reply, and
// each way a request fails (a refusal, no responder, no reply in time, the caller's abort).

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testNamespace } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTasksClient } from './client.js';
import { isConflictError, isTimeoutError, isUnavailableError, isValidationError } from './errors.js';
import { natsCommands } from './nats.js';

let nc: NatsConnection;
const namespace = testNamespace('client');

beforeAll(async () => {
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
});
afterAll(() => nc?.close());

/** Answers requests on `subject` with `answer(body, authorization)`, until the returned stop. */
function responder(subject: string, answer: (body: unknown, authorization: string | undefined) => unknown): () => void {
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const msg of sub) {
      const reply = answer(msg.json(), msg.headers?.get('Authorization'));
      if (reply !== undefined) msg.respond(JSON.stringify(reply));
    }
  })();
  return () => sub.unsubscribe();
}

describe('natsCommands', () => {
  it("sends each command's body with the client's token on its subject, and answers the reply", async () => {
    const seen: unknown[] = [];
    const stops = [
      responder(`${namespace}.tasks.req.create`, (body, authorization) => (seen.push(['create', body, authorization]), { taskId: 't1', existing: false, status: 'queued', subTaskIds: { a: 's1' } })),
      responder(`${namespace}.tasks.req.skip`, (body, authorization) => (seen.push(['skip', body, authorization]), { taskId: 't1', status: 'warning', events: ['SubTaskSkipped'] })),
    ];
    await nc.flush();
    try {
      const client = createTasksClient({ token: async () => 'jwt-1', commands: natsCommands({ connection: nc, namespace }) });
      const command = { name: 'one', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] };
      expect(await client.createTask(command)).toEqual({ taskId: 't1', existing: false, status: 'queued', subTaskIds: { a: 's1' } });
      expect(await client.skipSubTask('t1', 's1', { reason: 'not needed' })).toEqual({ taskId: 't1', status: 'warning', events: ['SubTaskSkipped'] });
      expect(seen).toEqual([
        ['create', command, 'Bearer jwt-1'],
        ['skip', { reason: 'not needed', taskId: 't1', subTaskId: 's1' }, 'Bearer jwt-1'],
      ]);
      // A token of the transport's own wins over the client's.
      const own = createTasksClient({ token: 'client', commands: natsCommands({ connection: nc, namespace, token: 'service' }) });
      await own.createTask(command);
      expect(seen.at(-1)).toEqual(['create', command, 'Bearer service']);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it("adds the caller's headers (a traceparent) to each request, after the token", async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const seen: Array<[string | undefined, string | undefined]> = [];
    const sub = nc.subscribe(`${namespace}.tasks.req.cancel`);
    void (async () => {
      for await (const msg of sub) {
        seen.push([msg.headers?.get('traceparent'), msg.headers?.get('Authorization')]);
        msg.respond(JSON.stringify({ taskId: 't1', status: 'cancelled', events: ['TaskCancelled'] }));
      }
    })();
    await nc.flush();
    const stops = [() => sub.unsubscribe()];
    try {
      const client = createTasksClient({ token: 'jwt-2', commands: natsCommands({ connection: nc, namespace, addHeaders: (h) => h.set('traceparent', traceparent) }) });
      await client.cancelTask('t1', { reason: 'traced' });
      expect(seen).toEqual([[traceparent, 'Bearer jwt-2']]);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('turns an error reply into the typed error of its code', async () => {
    const stop = responder(`${namespace}.tasks.req.retry`, () => ({ error: { code: 'NOT_RETRYABLE', message: 'the SubTask is running', violations: [] } }));
    const stopCreate = responder(`${namespace}.tasks.req.create`, () => ({ error: { code: 'DAG_CYCLE', message: 'a -> b -> a', violations: [{ field: 'subtasks[0].dependsOn[0]', message: 'cycle' }] } }));
    await nc.flush();
    try {
      const client = createTasksClient({ commands: natsCommands({ connection: nc, namespace }) });
      const conflict = await client.retrySubTask('t1', 's1').catch((e: unknown) => e);
      expect(isConflictError(conflict) && [conflict.code, conflict.message, conflict.status]).toEqual(['NOT_RETRYABLE', 'the SubTask is running', undefined]);
      const invalid = await client.createTask({ name: 'x', subtasks: [] }).catch((e: unknown) => e);
      expect(isValidationError(invalid) && invalid.field).toBe('subtasks[0].dependsOn[0]');
    } finally {
      stop();
      stopCreate();
    }
  });

  it('fails as unavailable without a responder, as a timeout without a reply, and with the reason on abort', async () => {
    const client = createTasksClient({ commands: natsCommands({ connection: nc, namespace: `${namespace}-nobody`, timeoutMs: 200 }) });
    const none = await client.cancelTask('t1').catch((e: unknown) => e);
    expect(isUnavailableError(none) && none).toMatchObject({ code: 'NO_RESPONDERS', message: `no task-api answers requests on ${namespace}-nobody.tasks.req.cancel` });
    const stop = responder(`${namespace}.tasks.req.cancel`, () => undefined);
    await nc.flush();
    try {
      const silent = createTasksClient({ commands: natsCommands({ connection: nc, namespace }) });
      const late = await silent.cancelTask('t1', {}, { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(isTimeoutError(late) && late).toMatchObject({ code: 'REQUEST_TIMEOUT', message: `${namespace}.tasks.req.cancel got no reply within 150 ms` });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 30);
      await expect(silent.cancelTask('t1', {}, { signal: controller.signal })).rejects.toThrow('stop');
    } finally {
      stop();
    }
  });
});
