// The projector on the real log (NATS) and the real read model (PostgreSQL): throughput, lag, poison
// messages, two replicas, a stop mid-way, connections killed mid-batch. Every scenario ends with the
// same proof: the tables equal a fresh rebuild of the log, row for row. Then the job repair the leader
// keeps, with the real JOBS stream.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, waitFor, type TestDatabase } from '@vle/testing';
import { jetstream } from '@nats-io/jetstream';
import { jobMessageId } from '@vle/contracts';
import { decide, evolveAll, initialState, type CreateTask, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { ensureStream, JetStreamEventStore } from '@vle/event-store';
import { publishJob, type QueuedJob } from '@vle/messaging';
import { randomUUID } from 'node:crypto';
import { openReadModelSchema } from '../db/data-source.js';
import { rebuildReadModel } from '../rebuild/rebuild-read-model.js';
import { snapshot } from '../testing/read-model-snapshot.js';
import { scenario, uuidFrom, random } from '../testing/task-scenarios.js';
import { openTestLog, recordingLogger, type TestLog } from '../testing/test-log.js';
import { JobRepair } from './job-repair.js';
import { AdvisoryLockLeadership, type Leadership } from './leadership.js';
import { TASKS_PROJECTION } from './projection-name.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection.runner.js';
import { TaskProjector } from './task.projector.js';

let database: TestDatabase;
let log: TestLog;
let schemaCount = 0;
const open: DataSource[] = [];
const runners: ProjectionRunner[] = [];

async function readModel(schema: string, applicationName = 'vle-projection'): Promise<DataSource> {
  const db = await openReadModelSchema({ databaseUrl: database.url, schema, applicationName });
  open.push(db);
  return db;
}

function runner(db: DataSource, options: Partial<ProjectionRunnerOptions> = {}, logger = recordingLogger(), leadership?: Leadership) {
  const projector = new TaskProjector(db, { name: TASKS_PROJECTION, taskIdOf: log.taskIdOf });
  const r = new ProjectionRunner(projector, log.feed, logger, { maxSize: 500, maxWaitMs: 20, retryDelayMs: 50, maxRetryDelayMs: 500, ...options }, leadership);
  runners.push(r);
  return r;
}

/** The rows a fresh replay of the whole log gives, next to `schema` (no swap). */
async function rebuilt(schema: string) {
  const result = await rebuildReadModel({ databaseUrl: database.url, schema, projection: TASKS_PROJECTION, feed: log.feed, taskIdOf: log.taskIdOf, logger: recordingLogger(), swap: false });
  const db = open[0]!;
  return { result, rows: await snapshot(db, result.schema) };
}

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_runner');
});

afterAll(async () => {
  await database?.drop();
});

let schema: string;

beforeEach(async () => {
  log = await openTestLog('projrun');
  schema = `live_${++schemaCount}`;
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  for (const db of open.splice(0)) await db.destroy();
  await log.close();
});

describe('ProjectionRunner', () => {
  it('catches up with the log in batches, reports lag 0, and equals a fresh rebuild', async () => {
    const commits = scenario(400, 21);
    const events = commits.reduce((n, c) => n + c.events.length, 0);
    const last = await log.append(commits);
    const db = await readModel(schema);
    const r = runner(db);
    const started = performance.now();
    r.start();
    await r.applied(last);
    const seconds = (performance.now() - started) / 1000;
    console.info(`catch-up: ${commits.length} commits / ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds)} events/s, ${r.status().batches} batches`);
    expect(await r.lag()).toEqual({ appliedSeq: last, streamSeq: last, lag: 0 });
    expect(r.status()).toMatchObject({ commits: commits.length, events, skippedCommits: 0, restarts: 0 });
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tasks`);
    expect(count).toBe(400);
    expect(await snapshot(db)).toEqual((await rebuilt(schema)).rows);
  });

  it('follows live appends with small batches and equals a rebuild (incremental == replay)', async () => {
    const db = await readModel(schema);
    const r = runner(db, { maxSize: 25, maxWaitMs: 5 });
    r.start();
    const commits = scenario(150, 22);
    let last = 0;
    for (let i = 0; i < commits.length; i += 100) {
      last = await log.append(commits.slice(i, i + 100));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await r.applied(last);
    // No batch holds more than 25 commits (they may all be full).
    expect(r.status().batches).toBeGreaterThanOrEqual(Math.ceil(commits.length / 25));
    const { result, rows } = await rebuilt(schema);
    expect(result.checkpoint).toBe(last);
    expect(await snapshot(db)).toEqual(rows);
  });

  it('skips a malformed message with its seq, moves past it (lag 0), and keeps going', async () => {
    const logger = recordingLogger();
    const db = await readModel(schema);
    const r = runner(db, {}, logger);
    r.start();
    const [first, ...rest] = scenario(5, 23);
    await log.append([first!]);
    const bad = await log.publishRaw(first!.taskId, '{"events": not json');
    const last = await log.append(rest);
    // A malformed message at the very end of the stream must not leave a lag of 1.
    const tail = await log.publishRaw(uuidFrom(random(99)), '{"events": []}');
    await r.applied(tail);
    expect(await r.lag()).toMatchObject({ lag: 0 });
    expect(last).toBeLessThan(tail);
    expect(await db.query(`SELECT seq::int AS seq FROM skipped_commits ORDER BY seq`)).toEqual([{ seq: bad }, { seq: tail }]);
    expect(logger.lines.filter((l) => l.startsWith('warn skipped malformed commit'))).toEqual([
      expect.stringContaining(`seq=${bad} `),
      expect.stringContaining(`seq=${tail} `),
    ]);
    expect(r.status().skippedCommits).toBe(2);
    expect(await snapshot(db)).toEqual((await rebuilt(schema)).rows);
  });

  it('converges after being stopped mid-way and started again (another process, same checkpoint)', async () => {
    const commits = scenario(300, 24);
    const db = await readModel(schema);
    const first = runner(db, { maxSize: 50 });
    first.start();
    const appending = log.append(commits);
    await waitFor(() => first.status().appliedSeq > 200, { description: 'the first runner to apply 200 commits', timeoutMs: 30_000 });
    await first.stop();
    const stoppedAt = first.status().appliedSeq;
    const last = await appending;
    expect(stoppedAt).toBeLessThan(last);
    const second = runner(await readModel(schema), { maxSize: 50 });
    second.start();
    await second.applied(last);
    expect(second.status().commits).toBe(last - stoppedAt);
    expect(await snapshot(db)).toEqual((await rebuilt(schema)).rows);
  });

  it('survives its PostgreSQL connections being killed mid-batch', async () => {
    const commits = scenario(300, 25);
    const db = await readModel(schema, 'vle-projection-victim');
    const logger = recordingLogger();
    const r = runner(db, { maxSize: 20 }, logger);
    r.start();
    const appending = log.append(commits);
    const admin = open.length === 1 ? await readModel(`${schema}_admin`) : open[0]!;
    for (let kill = 0; kill < 5; kill += 1) {
      const before = r.status().appliedSeq;
      await waitFor(() => r.status().appliedSeq > before, { description: 'progress between kills', timeoutMs: 30_000 });
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vle-projection-victim' AND pid <> pg_backend_pid()`);
    }
    const last = await appending;
    await waitFor(async () => r.status().appliedSeq >= last, { description: 'the runner to catch up after the kills', timeoutMs: 60_000 });
    expect(r.status().restarts).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.startsWith('error projection tasks failed'))).toBe(true);
    expect(await snapshot(db)).toEqual((await rebuilt(schema)).rows);
  });

  it('lets two replicas run at once: the checkpoint CAS keeps every commit applied once', async () => {
    const a = runner(await readModel(schema), { maxSize: 30 });
    const b = runner(await readModel(schema), { maxSize: 30 });
    a.start();
    b.start();
    const last = await log.append(scenario(200, 26));
    await waitFor(() => a.status().appliedSeq >= last && b.status().appliedSeq >= last, { description: 'both replicas at the end', timeoutMs: 60_000 });
    // Between them, every commit was applied exactly once.
    expect(a.status().commits + b.status().commits).toBe(last);
    expect(await snapshot(open[0]!)).toEqual((await rebuilt(schema)).rows);
  });

  describe('with a leadership (the service: an advisory lock)', () => {
    const leader = (applicationName: string) => new AdvisoryLockLeadership({ databaseUrl: database.url, schema, name: TASKS_PROJECTION, applicationName });
    const caughtUp = async (r: ProjectionRunner, seq: number) => (await r.lag()).appliedSeq >= seq;

    it('one of two replicas projects, the other waits; the waiting one takes over when the leader stops', async () => {
      const a = runner(await readModel(schema), { maxSize: 30 }, recordingLogger(), leader('leader-a'));
      a.start();
      await waitFor(() => a.status().leading, { description: 'a leading' });
      const b = runner(await readModel(schema), { maxSize: 30 }, recordingLogger(), leader('leader-b'));
      b.start();
      const first = await log.append(scenario(100, 27));
      await waitFor(() => caughtUp(a, first), { description: 'the first commits applied', timeoutMs: 60_000 });
      expect(a.status()).toMatchObject({ leading: true, commits: first });
      expect(b.status()).toMatchObject({ leading: false, commits: 0, batches: 0 });

      await a.stop();
      await waitFor(() => b.status().leading, { description: 'b leading' });
      const last = await log.append(scenario(100, 28));
      await waitFor(() => caughtUp(b, last), { description: 'the rest applied by b', timeoutMs: 60_000 });
      expect(b.status().commits).toBe(last - first);
      expect(await snapshot(open[0]!)).toEqual((await rebuilt(schema)).rows);
    });

    it("hands over when the leader's PostgreSQL session is killed, every commit applied once", async () => {
      const a = runner(await readModel(schema), { maxSize: 30 }, recordingLogger(), leader('leader-a'));
      a.start();
      await waitFor(() => a.status().leading, { description: 'a leading' });
      const b = runner(await readModel(schema), { maxSize: 30 }, recordingLogger(), leader('leader-b'));
      b.start();
      const first = await log.append(scenario(50, 29));
      await waitFor(() => caughtUp(a, first), { description: 'the first commits applied', timeoutMs: 60_000 });

      await open[0]!.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leader-a' AND datname = current_database()`);
      await waitFor(() => b.status().leading && !a.status().leading, { description: 'b leading, a waiting', timeoutMs: 30_000 });
      const last = await log.append(scenario(50, 30));
      await waitFor(() => caughtUp(b, last), { description: 'the rest applied', timeoutMs: 60_000 });
      expect(a.status().commits + b.status().commits).toBe(last);
      expect(b.status().commits).toBeGreaterThan(0);
      expect(await snapshot(open[0]!)).toEqual((await rebuilt(schema)).rows);
    });
  });

  describe('the job repair (the leader publishes the job of a SubTask left queued without one)', () => {
    const REPAIR_AFTER_MS = 300;
    const at = () => new Date().toISOString();

    /** The Task of a test: a, b and c independent, d after a; its commits appended by hand, its jobs published only where a test says. */
    class TestTask {
      readonly taskId = randomUUID();
      readonly ids = { a: randomUUID(), b: randomUUID(), c: randomUUID(), d: randomUUID() };
      private state: TaskState = initialState;

      /** Appends through `store` when given (a store that names the jobs it leaves), else as task-api does. */
      async run(command: TaskCommand, store?: JetStreamEventStore<TaskEvent>): Promise<TaskEvent[]> {
        const events = decide(command, this.state);
        this.state = evolveAll(this.state, events);
        if (store) await store.append(this.taskId, events, 0);
        else await log.append([{ taskId: this.taskId, events }]);
        return events;
      }

      create(store?: JetStreamEventStore<TaskEvent>): Promise<TaskEvent[]> {
        const subtasks = (['a', 'b', 'c', 'd'] as const).map((key) => ({ id: this.ids[key], key, name: key, queue: 'bench', action: 'noop', dependsOn: key === 'd' ? ['a'] : [] }));
        const command: CreateTask = { type: 'CreateTask', taskId: this.taskId, at: at(), actor: 'test', name: 'repair', createdBy: 'test', subtasks };
        return this.run(command, store);
      }

      start(key: keyof TestTask['ids'], jobSeq: number): Promise<TaskEvent[]> {
        return this.run({ type: 'RecordAttemptStarted', taskId: this.taskId, at: at(), actor: 'worker', subTaskId: this.ids[key], generation: 1, attempt: 1, jobId: jobMessageId(this.ids[key], 1), queue: 'bench', jobSeq, deliveryId: randomUUID() });
      }

      job(key: keyof TestTask['ids']): QueuedJob {
        return { taskId: this.taskId, subTaskId: this.ids[key], generation: 1, queue: 'bench', action: 'noop' };
      }
    }

    /** The job ids stored in JOBS for `taskId`. */
    async function jobsOf(taskId: string): Promise<string[]> {
      const stream = log.topology.jobStream.name;
      const { first_seq, last_seq, messages } = (await log.jsm.streams.info(stream)).state;
      const ids: string[] = [];
      for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
        const m = await log.jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (m && m.json<QueuedJob>().taskId === taskId) ids.push(m.header.get('Nats-Msg-Id'));
      }
      return ids.sort();
    }

    function repairing(lines = recordingLogger()) {
      const js = jetstream(log.nc);
      return new JobRepair({ publish: (job) => publishJob(js, log.topology, job), repairAfterMs: REPAIR_AFTER_MS, logger: lines });
    }

    beforeEach(async () => {
      await ensureStream(log.jsm, log.topology.jobStream);
    });

    it('publishes the missing jobs of queued SubTasks once, none for a started one, and confirms one JOBS had', async () => {
      const task = new TestTask();
      await task.create();
      const js = jetstream(log.nc);
      // b's job was published (inline), then its attempt started; c's job was published, not started yet;
      // a's job was lost (its appender died before publishing); d waits on a.
      const bSeq = (await publishJob(js, log.topology, task.job('b'))).seq;
      await publishJob(js, log.topology, task.job('c'));
      const last = (await task.start('b', bSeq), (await log.jsm.streams.info(log.topology.eventStream.name)).state.last_seq);
      const lines = recordingLogger();
      const r = runner(await readModel(schema), { repair: repairing(lines) });
      r.start();
      await r.applied(last);
      await waitFor(() => r.status().jobRepair!.watched === 0 || undefined, { description: 'the repair to check a and c', timeoutMs: 10_000 });
      expect(r.status().jobRepair).toEqual({ watched: 0, repaired: 1, confirmed: 1, handedOver: 0 });
      expect(await jobsOf(task.taskId)).toEqual([task.ids.a, task.ids.b, task.ids.c].map((id) => jobMessageId(id, 1)).sort());
      expect(lines.lines.filter((l) => l.includes('job repair'))).toEqual([`log job repair: published the job of SubTask ${task.ids.a} of Task ${task.taskId} (generation 1) on bench: JOBS had no copy of it within its duplicate window`]);
      // Nothing more is published later: every queued SubTask is known to have its job.
      const before = (await log.jsm.streams.info(log.topology.jobStream.name)).state.last_seq;
      await new Promise((resolve) => setTimeout(resolve, REPAIR_AFTER_MS * 3));
      expect((await log.jsm.streams.info(log.topology.jobStream.name)).state.last_seq).toBe(before);
    });

    it('repairs nothing for SubTasks that start within repairAfterMs', async () => {
      const task = new TestTask();
      await task.create();
      const r = runner(await readModel(schema), { repair: repairing() });
      r.start();
      await waitFor(() => r.status().jobRepair!.watched === 3 || undefined, { description: 'a, b and c watched' });
      for (const key of ['a', 'b', 'c'] as const) await task.start(key, 1);
      await waitFor(() => r.status().jobRepair!.watched === 0 || undefined, { description: 'the starts applied' });
      await new Promise((resolve) => setTimeout(resolve, REPAIR_AFTER_MS * 2));
      expect(r.status().jobRepair).toEqual({ watched: 0, repaired: 0, confirmed: 0, handedOver: 0 });
      expect(await jobsOf(task.taskId)).toEqual([]);
    });

    it('publishes at once the jobs a commit left to others (Vle-Jobs-Left), long before the repair would', async () => {
      const js = jetstream(log.nc);
      // A worker's commit: its user may not publish on `bench`, so it names the queue in the commit.
      const store = await JetStreamEventStore.connect<TaskEvent>(log.nc, log.topology, { jobsLeftOf: () => ['bench'] });
      const r = runner(await readModel(schema), { repair: new JobRepair({ publish: (job) => publishJob(js, log.topology, job), repairAfterMs: 3_600_000, logger: recordingLogger() }) });
      r.start();
      const task = new TestTask();
      await task.create(store);
      const queued = [task.ids.a, task.ids.b, task.ids.c].map((id) => jobMessageId(id, 1)).sort();
      await waitFor(async () => ((await jobsOf(task.taskId)).length === 3 ? true : undefined), { description: 'the jobs of a, b and c in JOBS', timeoutMs: 10_000 });
      expect(await jobsOf(task.taskId)).toEqual(queued);
      expect(r.status().jobRepair).toEqual({ watched: 0, repaired: 0, confirmed: 0, handedOver: 3 });
    });

    it('publishes nothing at once for a commit that left nothing (its appender published its jobs)', async () => {
      const js = jetstream(log.nc);
      const r = runner(await readModel(schema), { repair: new JobRepair({ publish: (job) => publishJob(js, log.topology, job), repairAfterMs: 3_600_000, logger: recordingLogger() }) });
      r.start();
      const task = new TestTask();
      await task.create();
      await waitFor(() => r.status().jobRepair!.watched === 3 || undefined, { description: 'a, b and c watched' });
      expect(r.status().jobRepair).toMatchObject({ handedOver: 0 });
      expect(await jobsOf(task.taskId)).toEqual([]);
    });

    it('a standby that takes over repairs what the read model holds queued, though it never saw it queued', async () => {
      const leader = (applicationName: string) => new AdvisoryLockLeadership({ databaseUrl: database.url, schema, name: TASKS_PROJECTION, applicationName });
      // The first leader applies the Task, then stops before its repair is due (a crash).
      const a = runner(await readModel(schema), { repair: new JobRepair({ publish: () => Promise.reject(new Error('down')), repairAfterMs: 3_600_000, logger: recordingLogger() }) }, recordingLogger(), leader('repair-a'));
      a.start();
      await waitFor(() => a.status().leading, { description: 'a leading' });
      const b = runner(await readModel(schema), { repair: repairing() }, recordingLogger(), leader('repair-b'));
      b.start();
      const task = new TestTask();
      await task.create();
      const last = (await log.jsm.streams.info(log.topology.eventStream.name)).state.last_seq;
      await waitFor(async () => (await a.lag()).appliedSeq >= last, { description: 'a to apply the Task' });
      expect(b.status()).toMatchObject({ leading: false, jobRepair: { watched: 0 } });
      await a.stop();
      await waitFor(() => (b.status().jobRepair!.repaired === 3) || undefined, { description: 'b to repair a, b and c', timeoutMs: 10_000 });
      expect(await jobsOf(task.taskId)).toEqual([task.ids.a, task.ids.b, task.ids.c].map((id) => jobMessageId(id, 1)).sort());
    });
  });
});
