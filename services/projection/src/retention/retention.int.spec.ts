// The retention over the real NATS and PostgreSQL (issue 11 §2): 10,000 Tasks of mixed ages,
// statuses and types in the log and the read model, unfinished and pinned ones among them. The dry
// run counts what the in-memory policy says; the run (asked over NATS with the scheduler's token, as
// of a virtual time) deletes exactly that, finishing a run that died between its purge and its
// delete; afterwards the log's subjects and the read model's Tasks agree, nothing unfinished or
// pinned is gone, a second run deletes nothing, and a rebuild from the log gives the same rows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { jetstreamManager } from '@nats-io/jetstream';
import { decide, evolve, initialState, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { createTestDatabase, natsBearer, testToken, testVerifier, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../db/data-source.js';
import { TASKS_PROJECTION } from '../projector/projection-name.js';
import { ProjectionRunner } from '../projector/projection.runner.js';
import { TaskProjector } from '../projector/task.projector.js';
import { rebuildReadModel } from '../rebuild/rebuild-read-model.js';
import { random, uuidFrom, type ScenarioCommit } from '../testing/task-scenarios.js';
import { openTestLog, recordingLogger, type TestLog } from '../testing/test-log.js';
import { isExpired, parseRetentionPolicy, type RetainedTask } from './retention-policy.js';
import { Retention, type RetentionRunResult } from './retention.js';
import { RetentionResponder } from './retention.responder.js';

const TASKS = 10_000;
const DAY = 86_400_000;
/** The virtual time of the run: the scheduler's slot, months after the Tasks finished. */
const AT = new Date('2027-06-01T03:00:00.000Z');
const POLICY = parseRetentionPolicy('*:30,failed:90,timed_out:90,type=pve.node_sync:1,cancelled&type=mail.send:never');
const TYPES = ['vm.clone', 'mail.send', 'pve.node_sync', 'event.deploy'];

interface Generated extends RetainedTask {
  readonly id: string;
  readonly commits: ScenarioCommit[];
}

/** One Task's life by the real decide: created, and for most of them run to an end (and perhaps pinned). */
function generate(rand: () => number, index: number): Generated {
  const id = uuidFrom(rand);
  const type = TYPES[index % TYPES.length]!;
  const finishedAt = AT.getTime() - Math.floor(rand() * 120 * DAY);
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = { taskId: id, actor: 'worker:test' };
  const st = `${id.slice(0, 8)}-st0`;
  const commands: TaskCommand[] = [
    {
      ...base,
      type: 'CreateTask',
      at: iso(finishedAt - 60_000),
      actor: 'alice',
      name: `${type} ${index}`,
      taskType: type,
      createdBy: 'alice',
      subtasks: [{ id: st, key: 'a', name: 'A', action: 'noop', queue: 'pve_vm_actions', params: {}, dependsOn: [] }],
    },
  ];
  const roll = rand();
  const attempt = { subTaskId: st, generation: 1, attempt: 1, deliveryId: `${st}:1` };
  if (roll < 0.15) {
    // Unfinished: queued, or running, for months.
    if (rand() < 0.5) commands.push({ ...base, type: 'RecordAttemptStarted', at: iso(finishedAt - 30_000), ...attempt, jobId: `${st}:1`, queue: 'pve_vm_actions', jobSeq: 1 });
  } else if (roll < 0.25) {
    commands.push({ ...base, type: 'CancelTask', at: iso(finishedAt), actor: 'admin' });
  } else {
    commands.push({ ...base, type: 'RecordAttemptStarted', at: iso(finishedAt - 30_000), ...attempt, jobId: `${st}:1`, queue: 'pve_vm_actions', jobSeq: 1 });
    if (roll < 0.65) commands.push({ ...base, type: 'RecordSubTaskSucceeded', at: iso(finishedAt), ...attempt });
    else if (roll < 0.9) commands.push({ ...base, type: 'RecordAttemptFailed', at: iso(finishedAt), ...attempt, responseCode: '500', responseMessage: 'no', retryInMs: null, permanent: true });
    else commands.push({ ...base, type: 'RecordSubTaskTimedOut', at: iso(finishedAt), ...attempt, timeoutSeconds: 60 });
  }
  const pin = rand();
  if (pin < 0.08) commands.push({ ...base, type: 'PinTask', at: iso(finishedAt + 1000), actor: 'admin', reason: 'evidence' });
  else if (pin < 0.1) commands.push({ ...base, type: 'PinTask', at: iso(finishedAt + 1000), actor: 'admin' }, { ...base, type: 'UnpinTask', at: iso(finishedAt + 2000), actor: 'admin' });
  // Two commits: the creation, and the rest of its life.
  const commits: ScenarioCommit[] = [];
  let state: TaskState = initialState;
  const rest: TaskEvent[] = [];
  for (const [i, command] of commands.entries()) {
    const events = decide(command, state);
    state = events.reduce(evolve, state);
    if (i === 0) commits.push({ taskId: id, events });
    else rest.push(...events);
  }
  if (rest.length > 0) commits.push({ taskId: id, events: rest });
  if (state.status === 'absent') throw new Error('no Task');
  return { id, commits, status: state.status, type, finishedAt: state.finishedAt ?? null, pinned: state.pinned === true };
}

let database: TestDatabase;
let log: TestLog;
let live: DataSource;
let runner: ProjectionRunner;
let retention: Retention;
const tasks: Generated[] = [];

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_retention');
  log = await openTestLog('projret');
  live = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
  const projector = new TaskProjector(live, { name: TASKS_PROJECTION, taskIdOf: log.taskIdOf });
  runner = new ProjectionRunner(projector, log.feed, recordingLogger(), { maxSize: 1000, maxWaitMs: 5, retryDelayMs: 50 });
  retention = new Retention({
    db: live,
    jsm: await jetstreamManager(log.nc),
    stream: log.topology.eventStream.name,
    subjectOf: (id) => log.topology.eventSubject(id),
    runner,
    projector,
    policy: POLICY,
    logger: recordingLogger(),
  });
  const responder = new RetentionResponder({ nc: log.nc, subject: log.topology.retentionRequestSubject, retention, verifier: testVerifier(), clock: () => new Date(), logger: recordingLogger() });
  runner.whileLeading((lead) => responder.serve(lead));
  const rand = random(11);
  for (let i = 0; i < TASKS; i++) tasks.push(generate(rand, i));
  runner.start();
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  if (live?.isInitialized) await live.destroy();
  await log?.close();
  await database?.drop();
});

async function subjectsInLog(): Promise<Set<string>> {
  const info = await log.jsm.streams.info(log.topology.eventStream.name, { subjects_filter: log.topology.allEventsSubject });
  return new Set(Object.keys(info.state.subjects ?? {}).map(log.taskIdOf));
}

async function taskIdsInReadModel(): Promise<Set<string>> {
  const rows: Array<{ id: string }> = await live.query(`SELECT id FROM tasks`);
  return new Set(rows.map((r) => r.id));
}

const countsOf = (list: ReadonlyArray<{ status: string; type: string | null; count?: number }>) =>
  Object.fromEntries([...list].map((c) => [`${c.status}/${c.type}`, c.count ?? 1] as const).sort(([a], [b]) => a.localeCompare(b)));

function tally(list: readonly Generated[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of list) out[`${t.status}/${t.type}`] = (out[`${t.status}/${t.type}`] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

async function request(token: string, body: unknown): Promise<RetentionRunResult & { error?: { code: string; message: string } }> {
  return (await log.nc.request(log.topology.retentionRequestSubject, JSON.stringify(body), { headers: natsBearer(token), timeout: 60_000 })).json();
}

describe(`the retention of ${TASKS.toLocaleString('en')} Tasks`, () => {
  it('deletes what the dry run counted, from the log and the read model alike, and nothing unfinished or pinned; a rebuild agrees', async () => {
    const started = Date.now();
    const last = await log.append(
      tasks.flatMap((t) => t.commits.slice(0, 1)).concat(tasks.flatMap((t) => t.commits.slice(1))),
    );
    await runner.applied(last);
    const appended = Date.now();
    const expired = tasks.filter((t) => isExpired(POLICY, t, AT));
    const kept = tasks.filter((t) => !isExpired(POLICY, t, AT));
    // The mix the test needs: all of these kinds are there.
    expect(kept.filter((t) => t.finishedAt === null).length).toBeGreaterThan(1000);
    expect(kept.filter((t) => t.pinned).length).toBeGreaterThan(500);
    expect(expired.length).toBeGreaterThan(3000);
    expect(kept.filter((t) => t.finishedAt !== null && !t.pinned).length).toBeGreaterThan(1000);
    const [{ pinned }] = await live.query(`SELECT count(*)::int AS pinned FROM tasks WHERE pinned`);
    expect(pinned).toBe(tasks.filter((t) => t.pinned).length);

    // The dry run: exactly the Tasks the policy chooses in memory.
    const preview = await retention.preview(AT);
    expect(preview.total).toBe(expired.length);
    expect(countsOf(preview.counts)).toEqual(tally(expired));
    const finished = expired.map((t) => t.finishedAt!).sort();
    expect([preview.oldestFinishedAt, preview.newestFinishedAt]).toEqual([finished[0], finished.at(-1)]);
    expect(preview.samples).toHaveLength(10);
    for (const sample of preview.samples) expect(expired.some((t) => t.id === sample.id)).toBe(true);
    // As of now (wall clock, months before the Tasks finished), nothing is old enough.
    expect((await retention.preview(new Date('2026-12-01T00:00:00Z'))).total).toBe(0);

    // A run that died between its purge and its delete: three subjects gone, their rows still there.
    for (const t of expired.slice(0, 3)) await log.jsm.streams.purge(log.topology.eventStream.name, { filter: log.topology.eventSubject(t.id) });

    // Refused without the permission, with a scope, or with a bad time; nothing deleted.
    expect((await request(await testToken({ subject: 'reader', permissions: ['tasks_read'] }), { at: AT.toISOString() })).error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await request(await testToken({ subject: 'scoped', permissions: ['tasks_admin'], scope: { events: ['1'] } }), { at: AT.toISOString() })).error).toMatchObject({ code: 'FORBIDDEN' });
    const scheduler = await testToken({ subject: 'service:scheduler', permissions: ['tasks_create', 'tasks_system', 'tasks_retention'] });
    expect((await request(scheduler, { at: 'tomorrow' })).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('at:') });
    expect((await taskIdsInReadModel()).size).toBe(TASKS);

    // The run, as the scheduler asks for it.
    const run = await request(scheduler, { at: AT.toISOString() });
    expect(run.error).toBeUndefined();
    expect(run.deleted).toBe(preview.total);
    expect(countsOf(run.counts)).toEqual(countsOf(preview.counts));
    expect(run.batches).toBeGreaterThanOrEqual(Math.ceil(expired.length / 500));
    const ran = Date.now();

    // The log and the read model agree, and hold exactly the Tasks kept.
    const [subjects, rows] = await Promise.all([subjectsInLog(), taskIdsInReadModel()]);
    expect(rows.size).toBe(kept.length);
    expect([...rows].filter((id) => !subjects.has(id))).toEqual([]);
    expect([...subjects].filter((id) => !rows.has(id))).toEqual([]);
    expect(kept.filter((t) => !rows.has(t.id)).map((t) => `${t.id} ${t.status} pinned=${t.pinned}`)).toEqual([]);
    const [{ orphans }] = await live.query(`SELECT (SELECT count(*) FROM sub_tasks WHERE task_id NOT IN (SELECT id FROM tasks)) + (SELECT count(*) FROM task_states WHERE task_id NOT IN (SELECT id FROM tasks)) AS orphans`);
    expect(Number(orphans)).toBe(0);

    // Idempotent: a second run (another scheduler replica, a catch-up) deletes nothing.
    expect(await retention.run(AT)).toMatchObject({ deleted: 0 });
    expect((await retention.preview(AT)).total).toBe(0);

    // The projector goes on: a new Task after the run is projected.
    const after = generate(random(99), 1);
    await runner.applied(await log.append(after.commits));
    expect((await taskIdsInReadModel()).has(after.id)).toBe(true);

    // A rebuild from the log gives the same rows.
    await rebuildReadModel({ databaseUrl: database.url, schema: 'projection', projection: TASKS_PROJECTION, feed: log.feed, taskIdOf: log.taskIdOf, logger: recordingLogger(), swap: false, idleMs: 1000 });
    for (const [table, order] of [['tasks', 'id'], ['sub_tasks', 'task_id, position'], ['task_states', 'task_id']] as const) {
      const [a, b] = await Promise.all([live.query(`SELECT * FROM projection.${table} ORDER BY ${order}`), live.query(`SELECT * FROM projection_rebuild.${table} ORDER BY ${order}`)]);
      expect({ table, rows: b.length }).toEqual({ table, rows: a.length });
      expect(b).toEqual(a);
    }
    console.info(`retention of ${TASKS} Tasks: appended and projected in ${appended - started} ms; deleted ${run.deleted} (${run.subTasks} SubTasks, ${run.batches} batches) in ${run.durationMs} ms; checks and rebuild ${Date.now() - ran} ms`);
  }, 150_000);
});
