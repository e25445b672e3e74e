// Lab events end to end: the whole system (task-api, the three workers, projection) against the
// sandbox's Proxmox, Guacamole, Moodle, SMTP and OpenVLE core simulators. A deploy's parent Task
// creates the child Tasks that clone, start, connect, enrol and mail; an archive removes each VM's
// connection, then stops, then deletes it; the lifecycle does both at the right time, once.

import type { Task } from '@vle/domain';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskIdFor } from '../../task-api/src/tasks/task-ids.js';
import { System } from '../../task-api/test/system.js';
import { SERVICE_IDENTITIES } from '@vle/auth';

/** Who creates an event's child Tasks: integration-worker's own identity. */
const WORKER = SERVICE_IDENTITIES['integration-worker'].subject;

const system = new System();

beforeAll(async () => {
  await system.start({ proxmox: {} });
});

afterAll(async () => {
  await system.stop();
});

const participants = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, username: `s${String(i + 1).padStart(2, '0')}`, firstName: 'Student', lastName: `No ${i + 1}`, email: `s${i + 1}@uni.example` }));

async function addEvent(id: number, startsAt: Date, endsAt: Date, count: number, extra: Record<string, unknown> = {}): Promise<void> {
  const response = await system.sandboxCall('POST', '/_sandbox/openvle/events', {
    id,
    name: `Network Lab ${id}`,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    templateVmid: 9000,
    moodleTemplateCourseId: 2,
    participants: participants(count),
    ...extra,
  });
  if (response.status !== 201) throw new Error(`event ${id} not added: ${JSON.stringify(response.body)}`);
}

async function run(type: string, params: Record<string, unknown>): Promise<Task> {
  const response = await system.post('/api/v1/tasks', { type, createdBy: 'e2e', params });
  if (response.status !== 201) throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return system.finished(response.body.taskId, 60_000);
}

/** The child Tasks of an event, by their plan keys (ids derive from the idempotency keys); each has `parent` as its origin. */
async function children(parent: Task, keys: string[]): Promise<Task[]> {
  const tasks = await Promise.all(keys.map((key) => system.finished(taskIdFor(WORKER, `event-${parent.eventId}-${key}`), 90_000)));
  for (const task of tasks) expect(task.originTaskId).toBe(parent.id);
  return tasks;
}

const unsuccessful = (tasks: Task[]) => tasks.flatMap((t) => t.subtasks.filter((s) => s.status !== 'success').map((s) => `${t.name} / ${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`));

async function ledger(system_: 'pve' | 'guacamole' | 'moodle'): Promise<Array<Record<string, any>>> {
  return (await system.sandboxCall('GET', `/_sandbox/${system_}/ledger`)).body.entries;
}

describe('an event of 10 participants', () => {
  const eventId = 4201;
  const names = participants(10).map((p) => `ev${eventId}-${p.username}`);
  let deploy: Task;

  it('deploys: a parent Task, 11 child Tasks, 10 VMs, 10 connections, one course with 10 enrolments, 10 mails, no duplicates', async () => {
    const now = Date.now();
    await addEvent(eventId, new Date(now + 3600_000), new Date(now + 5 * 3600_000), 10);
    deploy = await run('event.deploy', { eventId });
    expect(deploy.subtasks[0]).toMatchObject({ status: 'success', action: 'deploy_event', queue: 'core_periodic' });
    const kids = await children(deploy, [...participants(10).map((p) => `vm:${p.username}`), 'course']);
    expect(unsuccessful(kids)).toEqual([]);
    for (const kid of kids) expect(kid).toMatchObject({ status: 'success', originTaskId: deploy.id, eventId: String(eventId), createdBy: WORKER });

    const vms = (await ledger('pve')).filter((e) => e.event === 'created' && names.includes(e.name));
    expect(vms.map((e) => e.name).sort()).toEqual([...names].sort());
    const state = (await system.sandboxCall('GET', '/_sandbox/pve/state')).body.vms as Array<{ name: string; status: string }>;
    expect(state.filter((vm) => names.includes(vm.name)).map((vm) => vm.status)).toEqual(Array(10).fill('running'));
    const connections = (await ledger('guacamole')).filter((e) => e.kind === 'connection' && e.event === 'created').map((e) => e.name);
    expect(connections.sort()).toEqual([...names].sort());
    const moodle = await ledger('moodle');
    expect(moodle.filter((e) => e.event === 'course_created' && e.shortname === `EV${eventId}`)).toHaveLength(1);
    expect(moodle.filter((e) => e.event === 'user_enrolled')).toHaveLength(10);
    const { messages } = (await system.sandboxCall('GET', '/_sandbox/smtp/messages')).body as { messages: Array<{ to: string[]; subject: string; text: string }> };
    const access = messages.filter((m) => m.subject === `Your lab machine for Network Lab ${eventId} is ready`);
    expect(access.map((m) => m.to[0]).sort()).toEqual(participants(10).map((p) => p.email).sort());

    // The mailed password opens the participant's Guacamole account; it is nowhere in the log.
    const password = /password: {2}(\S+)/.exec(access.find((m) => m.to[0] === 's1@uni.example')!.text)![1]!;
    const login = await fetch(`${system.sandbox!.url}/guacamole/api/tokens`, { method: 'POST', body: new URLSearchParams({ username: 's01', password }) });
    expect(login.status).toBe(200);
    const log = JSON.stringify(await Promise.all([deploy, ...kids].map((t) => system.events(t.id))));
    expect(log).not.toContain(password);
  });

  it('archives: per VM delete connection -> stop -> delete, in that order, then nothing of the event is left', async () => {
    const archive = await run('event.archive', { eventId });
    const kids = await children(archive, participants(10).map((p) => `archive:${p.username}`));
    expect(unsuccessful(kids)).toEqual([]);
    for (const kid of kids) {
      const [connection, stop, remove] = ['connection', 'stop', 'delete'].map((key) => kid.subtasks.find((s) => s.key === key)!);
      expect(Date.parse(connection!.finishedAt!)).toBeLessThanOrEqual(Date.parse(stop!.startedAt!));
      expect(Date.parse(stop!.finishedAt!)).toBeLessThanOrEqual(Date.parse(remove!.startedAt!));
    }
    const state = (await system.sandboxCall('GET', '/_sandbox/pve/state')).body.vms as Array<{ name: string }>;
    expect(state.filter((vm) => names.includes(vm.name))).toEqual([]);
    expect((await ledger('pve')).filter((e) => e.event === 'deleted' && names.includes(e.name))).toHaveLength(10);
    const guac = (await system.sandboxCall('GET', '/_sandbox/guacamole/state')).body;
    expect(JSON.stringify(guac)).not.toContain(`ev${eventId}-s01`);
  });
});

describe('an archive while Guacamole is down', () => {
  it('fails the connection step and never stops or deletes the VM behind it', async () => {
    const eventId = 4202;
    const now = Date.now();
    await addEvent(eventId, new Date(now - 5 * 3600_000), new Date(now - 3600_000), 1, { moodleTemplateCourseId: undefined });
    const deploy = await run('event.deploy', { eventId });
    expect(unsuccessful(await children(deploy, ['vm:s01']))).toEqual([]);
    await system.sandboxCall('PUT', '/_sandbox/guacamole/outage', { mode: 'reset' });
    try {
      const archive = await run('event.archive', { eventId });
      const [kid] = await children(archive, ['archive:s01']);
      expect(kid!.status).toBe('failed');
      expect(kid!.subtasks.map((s) => [s.key, s.status])).toEqual([
        ['connection', 'failed'],
        ['stop', 'blocked'],
        ['delete', 'blocked'],
      ]);
      expect(kid!.subtasks[0]!.attempt).toBeGreaterThan(1);
    } finally {
      await system.sandboxCall('DELETE', '/_sandbox/guacamole/outage');
    }
    const state = (await system.sandboxCall('GET', '/_sandbox/pve/state')).body.vms as Array<{ name: string; status: string }>;
    expect(state.find((vm) => vm.name === `ev${eventId}-s01`)).toMatchObject({ status: 'running' });
  });
});

describe('an archive of an event whose deploy never made the VM', () => {
  it('removes the connection and finds nothing to stop or delete', async () => {
    const eventId = 4203;
    await addEvent(eventId, new Date(Date.now() - 5 * 3600_000), new Date(Date.now() - 3600_000), 1, { moodleTemplateCourseId: undefined });
    const archive = await run('event.archive', { eventId });
    const [kid] = await children(archive, ['archive:s01']);
    expect(unsuccessful([kid!])).toEqual([]);
    expect(kid!.subtasks.map((s) => s.responseMessage)).toEqual([
      expect.any(String),
      `VM "ev${eventId}-s01" does not exist: nothing to stop`,
      `VM "ev${eventId}-s01" does not exist (already deleted)`,
    ]);
  });
});

describe('the event lifecycle', () => {
  it('deploys and notices the events about to start and archives the ended ones, once however often it runs', async () => {
    // A month ahead, so that the events of the tests above are outside its windows.
    const at = new Date(Date.now() + 30 * 24 * 3600_000);
    await addEvent(4301, new Date(at.getTime() + 12 * 3600_000), new Date(at.getTime() + 20 * 3600_000), 2, { moodleTemplateCourseId: undefined });
    await addEvent(4302, new Date(at.getTime() - 3 * 24 * 3600_000), new Date(at.getTime() - 2 * 24 * 3600_000), 1, { moodleTemplateCourseId: undefined });
    const params = { startPrepDays: 1, endPrepDays: 1, at: at.toISOString() };
    const first = await run('event.lifecycle', params);
    expect(first.subtasks[0]!.responseMessage).toMatch(/\(1 deploys and 1 notices created\), \d+ ended \(\d+ archives created\)$/);
    const deploy = await system.finished(taskIdFor(WORKER, 'event-4301-deploy'), 60_000);
    expect(deploy).toMatchObject({ type: 'event.deploy', createdBy: WORKER, eventId: '4301' });
    const notice = await system.finished(taskIdFor(WORKER, 'event-4301-notice'), 60_000);
    expect(notice.subtasks.map((s) => s.status)).toEqual(['success', 'success']);
    const archive = await system.finished(taskIdFor(WORKER, 'event-4302-archive'), 60_000);
    expect(archive.type).toBe('event.archive');
    const second = await run('event.lifecycle', params);
    expect(second.subtasks[0]!.responseMessage).toMatch(/\(0 deploys and 0 notices created\), \d+ ended \(0 archives created\)$/);
    const mailsOf = async (to: string) => ((await system.sandboxCall('GET', `/_sandbox/smtp/messages?to=${to}`)).body.messages as Array<{ subject: string }>).map((m) => m.subject);
    const subjects = await waitFor(async () => {
      const of4301 = (await mailsOf('s2@uni.example')).filter((subject) => subject.includes('Network Lab 4301'));
      return of4301.length >= 2 ? of4301.sort() : undefined;
    }, { description: 'the notice and the access mail of s2 for event 4301', timeoutMs: 60_000 });
    expect(subjects).toEqual([`Network Lab 4301 starts on ${new Date(at.getTime() + 12 * 3600_000).toISOString().slice(0, 10)}`, 'Your lab machine for Network Lab 4301 is ready']);
  });
});
