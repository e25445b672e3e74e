import { describe, expect, it } from 'vitest';
import { AuthError, type Permission, type Principal, type TaskScope } from '@vle/auth';
import { decide, evolveAll, initialState, type TaskState } from '@vle/domain';
import { checkCreationScope, checkTaskScope, identityOf } from './command-identity.js';

const caller = (subject: string, permissions: Permission[] = ['tasks_create'], scope: TaskScope = {}): Principal => ({ subject, permissions: new Set(permissions), scope });

type Refusal = { code: string; field?: string; message: string };

function described(error: unknown): Refusal {
  return { code: (error as AuthError).code, field: (error as AuthError).field ?? (error as { violations?: { field: string }[] }).violations?.[0]?.field, message: (error as Error).message };
}

function refusal(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    return described(error);
  }
  throw new Error('not refused');
}

async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  return promise.then(
    () => {
      throw new Error('not refused');
    },
    (error: unknown) => described(error),
  );
}

describe('identityOf', () => {
  it('makes the token subject the actor and the user, with or without the field', () => {
    expect(identityOf(caller('bob'), '', 'createdBy')).toEqual({ actor: 'bob', user: 'bob' });
    expect(identityOf(caller('bob'), 'bob', 'createdBy')).toEqual({ actor: 'bob', user: 'bob' });
  });

  it('refuses a body naming another user, naming the field and the permission', () => {
    expect(refusal(() => identityOf(caller('bob'), 'alice', 'createdBy'))).toEqual({
      code: 'FORBIDDEN',
      field: 'createdBy',
      message: "createdBy names alice, not the token's subject bob: acting for another user needs the permission tasks_act_for_users",
    });
  });

  it('lets a service act for a user, and records both', () => {
    expect(identityOf(caller('openvle-backend', ['tasks_create', 'tasks_act_for_users']), 'alice', 'requestedBy')).toEqual({ actor: 'openvle-backend', user: 'alice', onBehalfOf: 'alice' });
  });

  it('never lets a token scoped to its own Tasks act for another user', () => {
    expect(refusal(() => identityOf(caller('svc', ['tasks_act_for_users'], { own: true }), 'alice', 'createdBy'))).toMatchObject({ code: 'FORBIDDEN', field: 'createdBy' });
  });
});

describe('scopes', () => {
  const task = (createdBy: string, eventId?: string): TaskState =>
    evolveAll(initialState, decide({ type: 'CreateTask', taskId: 't', at: '2026-12-02T00:00:00.000Z', actor: createdBy, name: 'n', createdBy, ...(eventId ? { eventId } : {}), subtasks: [{ id: 's', key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }, initialState));

  it('refuses a creation of a scoped token outside its events', () => {
    const scoped = caller('teacher', ['tasks_create'], { events: ['42'] });
    expect(() => checkCreationScope(scoped, '42')).not.toThrow();
    expect(refusal(() => checkCreationScope(scoped, '7'))).toMatchObject({ code: 'FORBIDDEN', field: 'eventId' });
    expect(refusal(() => checkCreationScope(scoped, undefined))).toMatchObject({ code: 'FORBIDDEN', field: 'eventId' });
    expect(() => checkCreationScope(caller('admin'), undefined)).not.toThrow();
  });

  it('answers a Task outside the scope as one that does not exist, and reads no Task for a caller without a scope', async () => {
    const own = caller('alice', ['tasks_cancel'], { own: true });
    await expect(checkTaskScope(own, 't', async () => task('alice'))).resolves.toBeUndefined();
    expect(await refusalOf(checkTaskScope(own, 't', async () => task('bob')))).toMatchObject({ code: 'TASK_NOT_FOUND', message: 'Task t does not exist' });
    expect(await refusalOf(checkTaskScope(own, 't', async () => initialState))).toMatchObject({ code: 'TASK_NOT_FOUND' });
    let reads = 0;
    await checkTaskScope(caller('admin'), 't', async () => (reads++, task('bob')));
    expect(reads).toBe(0);
  });
});
