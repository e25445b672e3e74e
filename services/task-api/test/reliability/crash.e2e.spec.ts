// Crash points that matter (DESIGN §5, §7): kill -9 of a worker holding a job, and of task-api
// between appending a Task and publishing its jobs. After a restart every Task finishes, no job
// succeeds twice, and the read model equals a fresh rebuild from the log.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelDataSource } from '../../../projection/src/db/data-source.js';
import { snapshot } from '../../../projection/src/testing/read-model-snapshot.js';
import { diamond, System } from '../system.js';

const rebuildEntry = fileURLToPath(new URL('../../../projection/dist/rebuild.js', import.meta.url));
const system = new System();

beforeAll(async () => {
  await system.start();
});

afterAll(async () => {
  await system.stop();
});

async function successesPerSubTask(taskId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const event of await system.events(taskId)) {
    if (event.type === 'SubTaskSucceeded') counts.set(event.data.subTaskId, (counts.get(event.data.subTaskId) ?? 0) + 1);
  }
  return counts;
}

async function expectProjectionEqualsRebuild(taskIds: string[]): Promise<void> {
  for (const taskId of taskIds) {
    const status = (await system.task(taskId)).status;
    await waitFor(async () => (await system.query(`/api/v1/tasks/${taskId}`)).body.status === status, { description: `projection of ${taskId} to be ${status}` });
  }
  await promisify(execFile)(process.execPath, [rebuildEntry, '--no-swap'], { env: { ...process.env, ...system.env } });
  const db = createReadModelDataSource({ databaseUrl: system.db.url, schema: 'projection', poolSize: 1, applicationName: 'crash-test' });
  await db.initialize();
  try {
    const live = await snapshot(db, 'projection');
    const rebuilt = await snapshot(db, 'projection_rebuild');
    expect(live.tasks.length).toBeGreaterThan(0);
    expect(rebuilt).toEqual(live);
  } finally {
    await db.destroy();
  }
}

describe('kill -9', () => {
  it('of the worker holding a job: the job is delivered again, finishes once, nothing is duplicated', async () => {
    const { body } = await system.post('/api/v1/tasks', {
      name: 'worker crash',
      createdBy: 'e2e',
      subtasks: [
        { key: 'slow', name: 'Slow', action: 'sleep', queue: 'bench', params: { ms: 1500 } },
        { key: 'after', name: 'After', action: 'noop', queue: 'bench', dependsOn: ['slow'] },
      ],
    });
    const slowId = body.subTaskIds.slow;
    await waitFor(async () => (await system.events(body.taskId)).some((e) => e.type === 'SubTaskAttemptStarted' && e.data.subTaskId === slowId), { description: 'the slow job to start' });
    await system.worker.kill('SIGKILL');
    await system.worker.restart();
    const task = await system.finished(body.taskId, 30_000);
    expect(task.status).toBe('success');
    const slow = task.subtasks.find((s) => s.id === slowId)!;
    // Attempt 1 died with the worker; the redelivery after ack_wait is attempt 2.
    expect(slow.attempt).toBe(2);
    expect([...(await successesPerSubTask(body.taskId)).values()]).toEqual([1, 1]);
  });

  it("of task-api between appending and publishing: the projection's job repair publishes the jobs, with task-api still down", async () => {
    // A task-api that appends Tasks but never publishes their jobs: exactly the state a crash right
    // after the append leaves behind.
    await system.taskApi.restart({ NODE_ENV: 'test', TASK_API_FAULT: 'no-inline-dispatch' });
    const created = await Promise.all([1, 2, 3].map((n) => system.post('/api/v1/tasks', diamond(`appended, not published ${n}`))));
    const taskIds = created.map((c) => c.body.taskId as string);
    for (const taskId of taskIds) expect((await system.task(taskId)).status).toBe('queued');
    expect((await system.jsm.streams.info(system.topology.jobStream.name)).state.messages).toBe(0);
    await system.taskApi.kill('SIGKILL');
    // No task-api runs: the projection's leader publishes the first jobs, the worker the next ones.
    for (const taskId of taskIds) {
      expect((await system.finished(taskId)).status).toBe('success');
      expect([...(await successesPerSubTask(taskId)).values()]).toEqual([1, 1, 1, 1]);
    }
    const status = (await system.query('/api/v1/projection/status')).body as { jobRepair: { repaired: number } };
    expect(status.jobRepair.repaired).toBe(3);
    await system.taskApi.restart({ TASK_API_FAULT: 'none' });
  });

  it('of task-api under load: every accepted Task finishes and the read model equals a rebuild', async () => {
    const accepted: string[] = [];
    const submit = async (n: number) => {
      try {
        const response = await system.post('/api/v1/tasks', diamond(`under load ${n}`));
        if (response.status === 201) accepted.push(response.body.taskId);
      } catch {
        // Refused while task-api was down: not accepted, nothing promised.
      }
    };
    const load = Promise.all(Array.from({ length: 40 }, (_, n) => new Promise((r) => setTimeout(r, n * 10)).then(() => submit(n))));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await system.taskApi.kill('SIGKILL');
    await load;
    await system.taskApi.restart();
    expect(accepted.length).toBeGreaterThan(0);
    for (const taskId of accepted) {
      expect((await system.finished(taskId, 30_000)).status).toBe('success');
      for (const count of (await successesPerSubTask(taskId)).values()) expect(count).toBe(1);
    }
    await expectProjectionEqualsRebuild(accepted);
  });
});
