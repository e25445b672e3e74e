// The lab-event handlers against the sandbox's OpenVLE core API over HTTP. task-api stands here as
// a recorder with its idempotency rule (the same key and body: the existing Task; the same key and
// another body: IDEMPOTENCY_KEY_REUSED), so that what a redelivered job sends can be checked.

import type { CreateTaskJson, CreateTaskReplyJson } from '@vle/contracts';
import type { JobContext, JobInput } from '@vle/messaging';
import { TaskRefused, type TaskCreator } from '@vle/task-client';
import { jobContext, jobInput } from '@vle/messaging/testing';
import { DEV_OPENVLE_TOKEN } from '@vle/service-kit';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { OpenVleClient } from '@vle/integrations';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createArchiveEventHandler } from './archive-event.handler.js';
import { createDeployEventHandler } from './deploy-event.handler.js';
import { createEventLifecycleHandler } from './event-lifecycle.handler.js';
import type { EventJobDeps } from './event-jobs.js';

class RecordingTaskApi implements TaskCreator {
  readonly tasks = new Map<string, string>();
  /** Fails the nth create (1-based) as task-api would when NATS has no responder. */
  failAt?: number;
  calls = 0;

  async create(command: CreateTaskJson): Promise<CreateTaskReplyJson> {
    this.calls++;
    if (this.calls === this.failAt) throw Object.assign(new Error('no responders'), { code: '503' });
    const key = `${command.createdBy}\n${command.idempotencyKey}`;
    const body = JSON.stringify({ ...command });
    const earlier = this.tasks.get(key);
    if (earlier !== undefined && earlier !== body) throw new TaskRefused('IDEMPOTENCY_KEY_REUSED', `key ${command.idempotencyKey} was used with another body`);
    this.tasks.set(key, body);
    return { taskId: key, existing: earlier !== undefined, subTaskIds: {}, status: 'queued' };
  }

  commands(): CreateTaskJson[] {
    return [...this.tasks.values()].map((body) => JSON.parse(body) as CreateTaskJson);
  }
}

let sandbox: InProcessSandbox;
let api: RecordingTaskApi;
let deps: EventJobDeps;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/openvle/reset`, { method: 'POST' });
  api = new RecordingTaskApi();
  deps = { openvle: new OpenVleClient({ baseUrl: `${sandbox.url}/openvle`, token: DEV_OPENVLE_TOKEN }), tasks: api, vmDomain: 'lab.test', now: () => new Date('2026-12-01T01:00:00Z') };
});

async function addEvent(id: number, startsAt: string, endsAt: string, participants = 3): Promise<void> {
  const body = {
    id,
    name: `Lab ${id}`,
    startsAt,
    endsAt,
    templateVmid: 9000,
    moodleTemplateCourseId: 2,
    participants: Array.from({ length: participants }, (_, i) => ({ id: i + 1, username: `u${i + 1}`, firstName: 'U', lastName: `${i + 1}`, email: `u${i + 1}@example.test` })),
  };
  const response = await fetch(`${sandbox.url}/_sandbox/openvle/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
}

function job(action: string, params: Record<string, unknown>, taskId = randomUUID()): JobInput {
  return jobInput('core_periodic', action, params, { taskId });
}

const context = (): JobContext => jobContext();

describe('deploy_event', () => {
  it('creates a child Task per participant and one for the course, keyed by the event, and nothing twice when delivered again or deployed again', async () => {
    await addEvent(42, '2026-12-02T08:00:00Z', '2026-12-02T17:00:00Z');
    const deploy = createDeployEventHandler(deps);
    const input = job('deploy_event', { eventId: 42 });
    api.failAt = 3;
    await expect(deploy(input, context())).rejects.toThrow('no responders');
    expect(api.tasks.size).toBe(2);
    const result = await deploy(input, context());
    expect(result.responseMessage).toBe('event 42 "Lab 42": 4 child Tasks for 3 participant VMs and the Moodle course (2 created, 2 already there)');
    expect((await deploy(input, context())).responseMessage).toContain('(0 created, 4 already there)');
    // Another parent deploying the same event (a person, then the lifecycle) clones no second VM.
    expect((await deploy(job('deploy_event', { eventId: 42 }), context())).responseMessage).toContain('(0 created, 4 already there)');
    const commands = api.commands();
    expect(commands.map((c) => c.idempotencyKey)).toEqual(['event-42-vm:u1', 'event-42-vm:u2', 'event-42-vm:u3', 'event-42-course']);
    for (const c of commands) expect(c).toMatchObject({ originTaskId: input.taskId, eventId: '42' });
    // No createdBy: the worker's token is the creator (service:integration-worker).
    for (const c of commands) expect(c).not.toHaveProperty('createdBy');
    expect(commands[0]!.subtasks!.map((s) => s.action)).toEqual(['clone', 'start', 'provision', 'lab_access']);
  });

  it('fails at once for an event the core API does not know, and is retried while the API is down', async () => {
    const deploy = createDeployEventHandler(deps);
    await expect(deploy(job('deploy_event', { eventId: 404 }), context())).rejects.toMatchObject({ permanent: true, responseCode: 'OPENVLE_404' });
    await fetch(`${sandbox.url}/_sandbox/openvle/outage`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ down: true }) });
    await expect(deploy(job('deploy_event', { eventId: 42 }), context())).rejects.toMatchObject({ transient: true, responseCode: 'OPENVLE_503' });
    await expect(deploy(job('deploy_event', { eventId: 'x' }), context())).rejects.toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS', message: 'invalid job params: params.eventId: Invalid input: expected number, received string' });
  });
});

describe('archive_event', () => {
  it('creates one archive Task per participant: connection -> stop -> delete, the VM by name', async () => {
    await addEvent(43, '2026-11-20T08:00:00Z', '2026-11-20T17:00:00Z', 2);
    const input = job('archive_event', { eventId: 43 });
    expect((await createArchiveEventHandler(deps)(input, context())).responseMessage).toBe('event 43 "Lab 43": 2 archive Tasks (2 created, 0 already there)');
    expect(api.commands()[1]!.subtasks!.map((s) => [s.key, s.action, s.dependsOn ?? [], s.params])).toEqual([
      ['connection', 'cleanup', [], { username: 'u2', connectionName: 'ev43-u2' }],
      ['stop', 'stop', ['connection'], { vmName: 'ev43-u2', ifExists: true }],
      ['delete', 'delete', ['stop'], { vmName: 'ev43-u2' }],
    ]);
  });
});

describe('event_lifecycle', () => {
  it('deploys and notices what starts within the preparation days, archives what ended, once per event whatever the runs', async () => {
    await addEvent(50, '2026-12-01T20:00:00Z', '2026-12-02T17:00:00Z');
    await addEvent(51, '2026-12-05T08:00:00Z', '2026-12-05T17:00:00Z');
    await addEvent(52, '2026-11-25T08:00:00Z', '2026-11-29T17:00:00Z');
    await addEvent(53, '2026-11-30T08:00:00Z', '2026-11-30T17:00:00Z');
    const lifecycle = createEventLifecycleHandler(deps);
    const first = await lifecycle(job('event_lifecycle', { startPrepDays: 1, endPrepDays: 1, at: '2026-12-01T01:00:00Z' }), context());
    expect(first.responseMessage).toBe('at 2026-12-01T01:00:00.000Z: 1 starting (1 deploys and 1 notices created), 1 ended (1 archives created)');
    expect(api.commands().map((c) => [c.idempotencyKey, c.type ?? 'explicit'])).toEqual([
      ['event-50-deploy', 'event.deploy'],
      ['event-50-notice', 'explicit'],
      ['event-52-archive', 'event.archive'],
    ]);
    // The next day's run sees event 50 again (started within the look-back) and 53 ended: only 53 is new.
    const next = await lifecycle(job('event_lifecycle', { startPrepDays: 1, endPrepDays: 1, at: '2026-12-02T01:00:00Z' }), context());
    expect(next.responseMessage).toBe('at 2026-12-02T01:00:00.000Z: 1 starting (0 deploys and 0 notices created), 2 ended (1 archives created)');
    // Without a slot time the job's clock decides.
    expect((await lifecycle(job('event_lifecycle', { startPrepDays: 1, endPrepDays: 1 }), context())).responseMessage).toMatch(/^at 2026-12-01T01:00:00.000Z: /);
  });

  it('refuses bad job params at once, naming each field, and creates nothing', async () => {
    const lifecycle = createEventLifecycleHandler(deps);
    await expect(lifecycle(job('event_lifecycle', { startPrepDays: -1, endPrepDays: 1.5, at: 'tomorrow' }), context())).rejects.toMatchObject({
      permanent: true,
      responseCode: 'INVALID_PARAMS',
      message: 'invalid job params: params.startPrepDays: Too small: expected number to be >=0; params.endPrepDays: Invalid input: expected int, received number; params.at: must be an RFC 3339 time',
    });
    expect(api.commands()).toEqual([]);
  });
});
