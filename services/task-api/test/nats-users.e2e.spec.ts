// The NATS users of deploy/nats/users.conf (README, "NATS users") on a nats-server of this test's own:
// what a worker's user and the openvle user may not do is refused by the server, and the whole system,
// every service connected with its own user (only task-api provisioning), still runs a lab event.

import { SERVICE_IDENTITIES } from '@vle/auth';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { isErrorReply, natsInboxPrefix, natsPasswordVariable, NATS_USERS, type NatsUser } from '@vle/contracts';
import type { Task, TaskEvent } from '@vle/domain';
import { JetStreamEventStore } from '@vle/event-store';
import { bearer, natsBearer, openEventStream, spawnService, startNatsServer, startService, testToken, waitFor, type OwnNatsServer } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskIdFor } from '../src/tasks/task-ids.js';
import { entries, System, type ServiceUser } from './system.js';

const usersConf = fileURLToPath(new URL('../../../deploy/nats/users.conf', import.meta.url));
const passwords = Object.fromEntries(NATS_USERS.map((user) => [user, randomUUID()])) as Record<NatsUser, string>;

// nats-server parses a variable's value as a config value: quoted, a password is a string whatever it holds.
const serverEnv = Object.fromEntries(NATS_USERS.map((user) => [natsPasswordVariable(user), `"${passwords[user]}"`]));

let server: OwnNatsServer;
const system = new System({ namespace: '' });
const clients: NatsConnection[] = [];

/** A client of `user`, named so that its violations in the server's log are told from the services'. */
async function as(user: NatsUser): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url, user, pass: passwords[user], inboxPrefix: natsInboxPrefix(user), name: `test-${user}`, noAsyncTraces: true });
  clients.push(nc);
  return nc;
}

/** The server's log lines that record a refused publish or subscribe. */
const violations = () => server.output().split('\n').filter((line) => line.includes('Violation'));

beforeAll(async () => {
  server = await startNatsServer({ include: [usersConf], env: serverEnv });
  await system.start({
    proxmox: {},
    // The node sync every second: the scheduler creates Tasks, the vm-action-worker publishes the inventory.
    scheduler: { SCHEDULER_DISABLED: 'event-lifecycle,mail-cleanup', WORKER_PVE_PERIODIC_INTERVAL: '1' },
    natsUsers: { url: server.url, passwords },
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((nc) => nc.close()));
  await system.stop();
  await server?.dispose();
});

describe("a worker's NATS user", () => {
  it("may not publish another queue's job: refused, and nothing lands in JOBS", async () => {
    const nc = await as('vm-clone-worker');
    const job = { taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'mails', action: 'send_mail' };
    await expect(jetstream(nc).publish(system.topology.jobSubject('mails'), JSON.stringify(job))).rejects.toThrow(/Permissions Violation for Publish to "jobs.mails"/);
    const stored = await system.jsm.streams.getMessage(system.topology.jobStream.name, { last_by_subj: system.topology.jobSubject('mails') }).catch(() => null);
    expect(stored).toBeNull();
    expect(violations().some((line) => line.includes('User "vm-clone-worker", Subject "jobs.mails"'))).toBe(true);
  });

  it('may not subscribe to the commands or to the replies of another user', async () => {
    const nc = await as('vm-action-worker');
    for (const subject of [system.topology.allCommandsSubject, `${natsInboxPrefix('task-api')}.>`, system.topology.allRequestsSubject]) {
      const sub = nc.subscribe(subject);
      await expect((async () => {
        for await (const _ of sub) return 'received';
        return 'ended';
      })()).rejects.toThrow(`Permissions Violation for Subscription to "${subject}"`);
    }
  });

  it('may not delete or update a stream: refused, and the streams stay as they were', async () => {
    const jsm = await jetstreamManager(await as('integration-worker'));
    const events = system.topology.eventStream.name;
    const before = (await system.jsm.streams.info(events)).config;
    await expect(jsm.streams.delete(system.topology.jobStream.name)).rejects.toThrow(/Permissions Violation for Publish to "\$JS\.API\.STREAM\.DELETE\.JOBS"/);
    await expect(jsm.streams.update(events, { max_age: 60_000_000_000 })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.purge(events)).rejects.toThrow(/Permissions Violation/);
    expect((await system.jsm.streams.info(system.topology.jobStream.name)).config.name).toBe(system.topology.jobStream.name);
    expect((await system.jsm.streams.info(events)).config).toEqual(before);
  });
});

describe('the openvle user', () => {
  it('may not append events, publish jobs or send the internal deadline commands', async () => {
    const nc = await as('openvle');
    const js = jetstream(nc);
    const taskId = randomUUID();
    await expect(js.publish(system.topology.eventSubject(taskId), '{"events":[]}')).rejects.toThrow(/Permissions Violation for Publish to "tasks\.evt\./);
    await expect(js.publish(system.topology.jobSubject('pve_vm_clone'), '{}')).rejects.toThrow(/Permissions Violation/);
    await expect(nc.request(system.topology.systemRequestSubject('time-out'), JSON.stringify({ taskId }), { timeout: 2_000 })).rejects.toThrow(/Permissions Violation for Publish to "tasks\.sys\.time-out"/);
    // Nor ask for a retention run, nor purge the log.
    await expect(nc.request(system.topology.retentionRequestSubject, '{}', { timeout: 2_000 })).rejects.toThrow(/Permissions Violation for Publish to "projection\.req\.retention"/);
    await expect((await jetstreamManager(nc, { checkAPI: false })).streams.purge(system.topology.eventStream.name, { filter: system.topology.eventSubject(taskId) })).rejects.toThrow(/Permissions Violation/);
    expect(await system.store.lastSequence(taskId)).toBe(0);
  });

  it('may send a command and reads its reply on its own inbox', async () => {
    const nc = await as('openvle');
    // An empty command with a valid token: task-api answers with an error reply naming the field (DESIGN §7).
    const headers = natsBearer(await testToken({ subject: 'openvle-backend', permissions: ['tasks_create', 'tasks_cancel'] }));
    const reply = await nc.request(system.topology.requestSubject('create'), '{}', { timeout: 5_000, headers });
    expect(reply.subject.startsWith(`${natsInboxPrefix('openvle')}.`)).toBe(true);
    const error = reply.json<{ error?: { code?: string } }>().error;
    expect(isErrorReply(error)).toBe(true);
    expect(error?.code).toBe('VALIDATION_FAILED');
    // The durable intake: JetStream's acknowledgement comes back on the same inbox.
    const ack = await jetstream(nc).publish(system.topology.commandSubject('cancel'), JSON.stringify({ taskId: randomUUID() }), { headers });
    expect(ack.stream).toBe(system.topology.commandStream.name);
  });
});

describe('the system, every service with its own NATS user', () => {
  it('runs a lab event end to end, with no permission refused to any service', async () => {
    const eventId = 4401;
    const now = Date.now();
    const added = await system.sandboxCall('POST', '/_sandbox/openvle/events', {
      id: eventId,
      name: `Network Lab ${eventId}`,
      startsAt: new Date(now + 3600_000).toISOString(),
      endsAt: new Date(now + 5 * 3600_000).toISOString(),
      templateVmid: 9000,
      moodleTemplateCourseId: 2,
      participants: [1, 2].map((id) => ({ id, username: `s0${id}`, firstName: 'Student', lastName: `No ${id}`, email: `s${id}@uni.example` })),
    });
    expect(added.status).toBe(201);
    // A live stream, open while it runs: the leader's changes reach it over the projection's user.
    const live = await openEventStream(`${system.projection.url}/api/v1/tasks/stream?type=event.deploy`, bearer(system.token));
    await waitFor(() => live.events.some((e) => e.event === 'ready'), { description: 'the live stream to be ready', timeoutMs: 10_000 });
    const created = await system.post('/api/v1/tasks', { type: 'event.deploy', createdBy: 'e2e', params: { eventId } });
    expect(created.status).toBe(201);
    const deploy = await system.finished(created.body.taskId, 90_000);
    expect(deploy.status).toBe('success');
    await waitFor(() => live.events.some((e) => e.event === 'task' && JSON.parse(e.data).id === created.body.taskId && JSON.parse(e.data).status === 'success'), { description: 'the deploy on the live stream', timeoutMs: 10_000 });
    live.close();
    // Its history, read from the log by the projection's user (direct gets).
    const history = await fetch(`${system.projection.url}/api/v1/tasks/${created.body.taskId}/history`, { headers: bearer(system.token) });
    expect(history.status).toBe(200);
    expect(((await history.json()) as { events: Array<{ type: string }> }).events.map((e) => e.type)).toContain('TaskCreated');
    // The child Tasks chain vm-clone -> vm-action -> integration: jobs a worker's user may not publish.
    const kids: Task[] = await Promise.all(['vm:s01', 'vm:s02', 'course'].map((key) => system.finished(taskIdFor(SERVICE_IDENTITIES['integration-worker'].subject, `event-${eventId}-${key}`), 90_000)));
    expect(kids.flatMap((t) => t.subtasks.filter((s) => s.status !== 'success').map((s) => `${t.name} / ${s.name}: ${s.status} ${s.responseMessage}`))).toEqual([]);
    const queues = new Set(kids.flatMap((t) => t.subtasks.map((s) => s.queue)));
    expect([...queues].sort()).toEqual(expect.arrayContaining(['guacamole', 'mails', 'pve_vm_actions', 'pve_vm_clone']));

    // The projection published the jobs the workers left to it (the handover), not its slow repair.
    const status = (await fetch(`${system.projection.url}/api/v1/projection/status`, { headers: bearer(system.token) }).then((r) => r.json())) as { jobRepair: { handedOver: number } };
    expect(status.jobRepair.handedOver).toBeGreaterThan(0);
    // The scheduler's node sync ran through task-api, the vm-action-worker, and the projection's inventory.
    await waitFor(async () => {
      const response = await fetch(`${system.projection.url}/api/v1/proxmox/nodes`, { headers: bearer(system.token) });
      return response.ok && ((await response.json()) as { nodes: unknown[] }).nodes.length > 0 ? true : undefined;
    }, { description: 'the Proxmox inventory in the read model', timeoutMs: 30_000 });

    // The retention with the projection's own user: an admin's run, forwarded to the leader, purges
    // the subjects of the finished Tasks (as of a year on) and deletes their rows.
    const yearOn = new Date(now + 400 * 86_400_000).toISOString();
    const run = await fetch(`${system.projection.url}/api/v1/retention/run?at=${yearOn}`, { method: 'POST', headers: bearer(system.token) });
    expect(run.status).toBe(200);
    expect(((await run.json()) as { deleted: number }).deleted).toBeGreaterThan(0);
    expect(await system.store.lastSequence(created.body.taskId)).toBe(0);
    expect((await system.query(`/api/v1/tasks/${created.body.taskId}`)).status).toBe(404);

    // The dead letters, read by the projection's own user: a malformed durable command is dead-lettered
    // by task-api, then listed (direct gets), shown and counted (an ordered consumer of headers only).
    (await as('openvle')).publish(system.topology.commandSubject('create'), '{"name": ', { headers: natsBearer(system.token) });
    const letters = await waitFor(async () => {
      const response = await fetch(`${system.projection.url}/api/v1/dead-letters?source=commands&code=MALFORMED_JSON`, { headers: bearer(system.token) });
      const page = (await response.json()) as { items?: Array<{ seq: number }> };
      return response.ok && page.items && page.items.length > 0 ? page.items : undefined;
    }, { description: 'the malformed command among the dead letters', timeoutMs: 30_000 });
    for (const path of [`/api/v1/dead-letters/${letters[0]!.seq}`, '/api/v1/dead-letters/summary']) expect((await fetch(`${system.projection.url}${path}`, { headers: bearer(system.token) })).status).toBe(200);

    // The log names each client (the refusals provoked above are there, under the test's clients).
    expect(violations().some((line) => line.includes('nats.js:test-vm-clone-worker'))).toBe(true);
    const refused = violations().filter((line) => line.includes('nats.js:vle-tasks/'));
    expect(refused).toEqual([]);
  });

  it("lets a worker's user read a long history (direct gets, then an ordered consumer it deletes)", async () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ key: `s${i}`, name: `step ${i}`, action: 'noop', queue: 'bench', dependsOn: i === 0 ? [] : [`s${i - 1}`] }));
    const created = await system.post('/api/v1/tasks', { name: 'long history', createdBy: 'e2e', subtasks: steps });
    expect(created.status).toBe(201);
    expect((await system.finished(created.body.taskId)).status).toBe('success');
    const nc = await as('vm-clone-worker');
    const js = jetstream(nc);
    // No firstEventType and a cold cache: every commit is read, the ninth on through the ordered consumer.
    const loaded = await new JetStreamEventStore<TaskEvent>(js, await jetstreamManager(nc), system.topology).load(created.body.taskId);
    expect(loaded.commits.length).toBeGreaterThan(8);
    expect(loaded.commits.map((c) => c.seq)).toEqual((await system.store.load(created.body.taskId)).commits.map((c) => c.seq));
    expect(violations().filter((line) => line.includes('test-vm-clone-worker') && line.includes('TASK_EVENTS'))).toEqual([]);
  });
});

describe('a service whose NATS user may not provision', () => {
  it('stops at boot naming NATS_PROVISION when left to provision', async () => {
    const env = { NATS_URL: server.url, NATS_NAMESPACE: '', NATS_USER: 'vm-action-worker', NATS_PASSWORD: passwords['vm-action-worker'], LOG_FORMAT: 'text', LOG_LEVEL: 'warn' };
    const worker = await spawnService(entries.vmActionWorker, env);
    const exit = await worker.exited();
    expect(exit.code).toBe(1);
    expect(worker.output()).toMatch(/NATS_PROVISION: this service's NATS user may not create streams \(.*Permissions Violation.*\); set NATS_PROVISION=false/);
  });

  it('on a server without the streams: live, not ready naming what is missing, creates nothing; ready once task-api has provisioned', async () => {
    const bare = await startNatsServer({ include: [usersConf], env: serverEnv });
    const env = (service: ServiceUser) => ({ NATS_URL: bare.url, NATS_NAMESPACE: '', NATS_USER: service, NATS_PASSWORD: passwords[service], NATS_PROVISION: String(service === 'task-api'), LOG_FORMAT: 'text', LOG_LEVEL: 'log' });
    const admin = await connect({ servers: bare.url, user: 'admin', pass: passwords.admin });
    // Not task-api's WORKER_MAX_RETRY (5): the consumer task-api makes is not what this worker expects.
    const worker = await startService(entries.vmCloneWorker, { ...env('vm-clone-worker'), WORKER_MAX_RETRY: '2' }, { readyPath: '/health/live' });
    try {
      await worker.waitForOutput(`waiting for stream ${system.topology.eventStream.name}`);
      const ready = await fetch(`${worker.url}/health/ready`);
      expect(ready.status).toBe(503);
      const report = (await ready.json()) as { checks: Record<string, { error?: string }> };
      expect(report.checks['topology:vm-clone-worker']?.error).toContain(`consumer ${system.topology.jobConsumerName('pve_vm_clone')}`);
      expect(await (await jetstreamManager(admin)).streams.names().next()).toEqual([]);

      const taskApi = await startService(entries.taskApi, env('task-api'));
      try {
        await waitFor(async () => ((await fetch(`${worker.url}/health/ready`)).ok ? true : undefined), { description: 'the worker ready', timeoutMs: 20_000 });
        // Its log reaches us through a pipe, maybe after its readiness.
        await worker.waitForOutput('the streams and consumers exist; starting');
        await worker.waitForOutput(`consumer ${system.topology.jobConsumerName('pve_vm_clone')} has max_deliver 7, this worker expects 4: give task-api and the workers the same WORKER_MAX_RETRY`);
      } finally {
        await taskApi.stop();
      }
    } finally {
      await worker.stop();
      await admin.close();
      await bare.dispose();
    }
  });
});
