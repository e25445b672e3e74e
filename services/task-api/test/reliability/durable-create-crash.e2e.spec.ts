// Issue 8, item 2: a durable create (tasks.cmd.create) without an idempotency key, delivered again
// because task-api died between the append and the ack, must not make a second Task. task-api runs
// with the test-only fault point TASK_API_FAULT=crash-after-append (it SIGKILLs itself before the
// ack), restarts without it, and every published message must be exactly one Task in the log and in
// the read model.

import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasksInLog } from '../../../scheduler/src/testing/periodic-tasks-in-log.js';
import { diamond, System } from '../system.js';

const system = new System();
const CREATED_BY = 'durable-crash';
const MESSAGES = 6;

beforeAll(async () => {
  await system.start({ taskApi: { NODE_ENV: 'test', TASK_API_FAULT: 'crash-after-append' } });
});

afterAll(async () => {
  await system.stop();
});

async function commandsLeft(): Promise<number> {
  return (await system.jsm.streams.info(system.topology.commandStream.name)).state.messages;
}

describe('a durable create without an idempotency key', () => {
  it('delivered again after a crash between append and ack makes one Task per message', async () => {
    const names = Array.from({ length: MESSAGES }, (_, n) => `durable crash ${n}`);
    for (const name of names) {
      await system.js.publish(system.topology.commandSubject('create'), JSON.stringify(diamond(name, { createdBy: CREATED_BY })), { headers: system.natsAuth() });
    }
    const crash = await system.taskApi.exited();
    expect(crash.signal).toBe('SIGKILL');
    const beforeRestart = await tasksInLog(system.jsm, system.store, system.topology);
    // The fault fires after an append: at least one Task is in the log, its message not acked.
    expect(beforeRestart.length).toBeGreaterThan(0);
    expect(await commandsLeft()).toBeGreaterThan(0);

    await system.taskApi.restart({ TASK_API_FAULT: 'none' });
    // The unacked messages come back after the intake's ack_wait (30 s).
    await waitFor(async () => (await commandsLeft()) === 0, { description: 'every command to be acked', timeoutMs: 60_000 });

    const tasks = await tasksInLog(system.jsm, system.store, system.topology);
    const perName = new Map<string, number>();
    for (const task of tasks) perName.set(task.created.data.name, (perName.get(task.created.data.name) ?? 0) + 1);
    expect(Object.fromEntries(perName)).toEqual(Object.fromEntries(names.map((name) => [name, 1])));
    const createdEvents = (await Promise.all(tasks.map((t) => system.events(t.created.taskId)))).flat().filter((e) => e.type === 'TaskCreated');
    expect(createdEvents).toHaveLength(MESSAGES);

    for (const task of tasks) await system.finished(task.created.taskId, 30_000);
    const projected = await waitFor(
      async () => {
        const page = (await system.query(`/api/v1/tasks?createdBy=${CREATED_BY}&limit=100`)).body as { items: { name: string; status: string }[] };
        return page.items.length >= MESSAGES && page.items.every((t) => t.status === 'success') ? page.items : undefined;
      },
      { description: `the read model to hold the ${MESSAGES} Tasks, finished` },
    );
    expect(projected.map((t) => t.name).sort()).toEqual([...names].sort());
    // No redelivery was refused as a Task that already exists.
    const deadLetters = (await system.jsm.streams.info(system.topology.deadLetterStream.name)).state.messages;
    expect(deadLetters).toBe(0);
  });
});
