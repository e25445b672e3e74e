// Identity on NATS, with the services as processes: every command, as a request (tasks.req.* and the
// scheduler's tasks.sys.*) and as a durable publish (tasks.cmd.*), × every kind of caller of the
// HTTP matrix. A refused command gets UNAUTHENTICATED or FORBIDDEN (an error reply, or a dead letter
// with the reason that holds no token) and appends nothing; a Task outside the caller's scope is not
// found; the durable intake never acts on a command without a valid token.

import type { DeadLetterJson } from '@vle/contracts';
import { natsBearer, testToken, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLERS, createIdentityFixtures, GRANTED, tokenOf, UNAUTHENTICATED_CALLERS, type Caller, type IdentityFixtures } from './identity-matrix.js';
import { System } from './system.js';
import type { Permission } from '@vle/auth';

const system = new System();

let failedTask: IdentityFixtures['failedTask'];
let bobsTask: string;

beforeAll(async () => {
  await system.start();
  ({ failedTask, bobsTask } = await createIdentityFixtures(system));
}, 120_000);

afterAll(async () => {
  await system.stop();
});

interface Command {
  readonly name: string;
  readonly transport: 'request' | 'durable';
  readonly subject: () => string;
  readonly body: () => unknown;
  readonly permission: Permission;
  /** The Task it changes ('' for a creation). */
  readonly target: () => string;
}

const create = () => ({ name: 'nats matrix', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
const commands: Command[] = (['request', 'durable'] as const).flatMap((transport): Command[] => {
  const subject = (command: 'create' | 'retry' | 'skip' | 'cancel' | 'pin' | 'unpin') => () => (transport === 'request' ? system.topology.requestSubject(command) : system.topology.commandSubject(command));
  return [
    { name: 'create', transport, subject: subject('create'), body: create, permission: 'tasks_create', target: () => '' },
    { name: 'retry', transport, subject: subject('retry'), body: () => ({ taskId: failedTask.taskId, subTaskId: failedTask.bad }), permission: 'sub_tasks_retry', target: () => failedTask.taskId },
    { name: 'skip', transport, subject: subject('skip'), body: () => ({ taskId: failedTask.taskId, subTaskId: failedTask.next, reason: 'matrix' }), permission: 'sub_tasks_skip', target: () => failedTask.taskId },
    { name: 'cancel', transport, subject: subject('cancel'), body: () => ({ taskId: bobsTask }), permission: 'tasks_cancel', target: () => bobsTask },
    { name: 'pin', transport, subject: subject('pin'), body: () => ({ taskId: bobsTask, reason: 'matrix' }), permission: 'tasks_pin', target: () => bobsTask },
    { name: 'unpin', transport, subject: subject('unpin'), body: () => ({ taskId: bobsTask }), permission: 'tasks_pin', target: () => bobsTask },
  ];
});
for (const command of ['start', 'expire-start', 'time-out'] as const) {
  commands.push({ name: command, transport: 'request', subject: () => system.topology.systemRequestSubject(command), body: () => ({ taskId: failedTask.taskId }), permission: 'tasks_system', target: () => failedTask.taskId });
}

/** The refusal code each caller gets, or 'passes': handled, or refused by the domain for the Task's state. */
function expected(command: Command, caller: Caller): string {
  if (UNAUTHENTICATED_CALLERS.includes(caller)) return 'UNAUTHENTICATED';
  if (!GRANTED[caller].includes(command.permission)) return 'FORBIDDEN';
  if (caller === 'out of scope') return command.name === 'create' ? 'FORBIDDEN' : 'TASK_NOT_FOUND';
  return 'passes';
}

/** What identity or validation refusals look like; a command that passes may still meet a domain rule. */
const IDENTITY_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'TASK_NOT_FOUND', 'VALIDATION_FAILED', 'MALFORMED_JSON'];

/** The answer of a request, or the dead letter of a durable command ('' when it was handled). */
async function send(command: Command, token: string | undefined): Promise<{ code: string; message: string; letter?: string }> {
  const data = JSON.stringify(command.body());
  const headers = token ? natsBearer(token) : undefined;
  if (command.transport === 'request') {
    const reply = (await system.nc.request(command.subject(), data, { timeout: 10_000, ...(headers ? { headers } : {}) })).json<{ error?: { code: string; message: string } }>();
    return reply.error ?? { code: '', message: '' };
  }
  const { seq } = await system.js.publish(command.subject(), data, headers ? { headers } : {});
  const stream = system.topology.commandStream.name;
  // A work queue: the command leaves the stream once acked, or dead-lettered and terminated.
  await waitFor(async () => (await system.jsm.streams.getMessage(stream, { seq }).catch(() => null)) === null || undefined, { description: `durable ${command.name} #${seq} to be handled`, timeoutMs: 15_000 });
  const last = await system.jsm.streams.getMessage(system.topology.deadLetterStream.name, { last_by_subj: system.topology.deadLetterSubject('commands') }).catch(() => null);
  const letter = last?.json<DeadLetterJson>();
  if (!letter || letter.streamSequence !== String(seq)) return { code: '', message: '' };
  return { code: letter.code ?? '', message: letter.reason ?? '', letter: last!.string() };
}

async function taskCount(): Promise<number> {
  return (await system.jsm.streams.info(system.topology.eventStream.name)).state.num_subjects ?? 0;
}

async function commitsAfter(taskId: string, seq: number): Promise<number> {
  return (await system.store.load(taskId)).commits.filter((c) => c.seq > seq).length;
}

describe('every NATS command × every kind of caller', () => {
  it('answers each cell as expected, by error reply or dead letter; refused commands append nothing; no letter holds the token', async () => {
    const cells: string[] = [];
    const wrong: string[] = [];
    for (const caller of CALLERS) {
      const token = await tokenOf(caller);
      for (const command of commands) {
        const want = expected(command, caller);
        const before = command.target() === '' ? await taskCount() : (await system.jsm.streams.info(system.topology.eventStream.name)).state.last_seq;
        const answer = await send(command, token);
        const ok = want === 'passes' ? !IDENTITY_CODES.includes(answer.code) : answer.code === want;
        const cell = `${command.transport} ${command.name} × ${caller}: ${answer.code || 'handled'}`;
        cells.push(ok ? cell : `${cell} (expected ${want}) ${answer.message}`);
        if (!ok) wrong.push(cells.at(-1)!);
        if (answer.code === 'FORBIDDEN' && !GRANTED[caller].includes(command.permission)) expect(answer.message).toContain(command.permission);
        if (token && answer.letter) expect(answer.letter).not.toContain(token);
        if (want !== 'passes') {
          const appended = command.target() === '' ? (await taskCount()) - before : await commitsAfter(command.target(), before);
          if (appended !== 0) wrong.push(`${cell}: refused, yet ${appended} appended`);
        }
      }
    }
    expect({ wrong, cells: wrong.length > 0 ? cells : [] }).toEqual({ wrong: [], cells: [] });
  });

  it('checks a durable command at the time its stream stored it: a token valid then is honoured after it expired, one sent after is not', async () => {
    await system.taskApi.stop();
    // Valid for about 2 s more (30 s of clock tolerance), stored now, handled once it has expired.
    const token = await testToken({ subject: 'late', permissions: ['tasks_create'], expiresInSeconds: -28 });
    const expiredAt = Date.now() + 2_000;
    const before = await taskCount();
    const stored = await system.js.publish(system.topology.commandSubject('create'), JSON.stringify(create()), { headers: natsBearer(token) });
    await waitFor(() => Date.now() > expiredAt + 1_000, { description: 'the token to expire', timeoutMs: 10_000 });
    const sentLate = await system.js.publish(system.topology.commandSubject('create'), JSON.stringify({ ...create(), name: 'late' }), { headers: natsBearer(token) });
    await system.taskApi.restart();
    const gone = (seq: number) => async () => (await system.jsm.streams.getMessage(system.topology.commandStream.name, { seq }).catch(() => null)) === null || undefined;
    await waitFor(gone(stored.seq), { description: 'the stored command to be handled', timeoutMs: 30_000 });
    await waitFor(gone(sentLate.seq), { description: 'the late command to be handled', timeoutMs: 30_000 });
    expect(await taskCount()).toBe(before + 1);
    const letter = (await system.jsm.streams.getMessage(system.topology.deadLetterStream.name, { last_by_subj: system.topology.deadLetterSubject('commands') }))!.json<DeadLetterJson>();
    expect(letter).toMatchObject({ streamSequence: String(sentLate.seq), code: 'UNAUTHENTICATED', reason: 'the token has expired' });
  });
});
