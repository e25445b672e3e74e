// Guacamole end to end: task-api, integration-worker, projection and the sandbox's Guacamole
// simulator as processes; guacamole.provision and guacamole.cleanup over HTTP as OpenVLE sends
// them, the side effects read from the simulator's ledger.

import type { Task } from '@vle/domain';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();

// 8 retries at the scaled intervals (100, 300, 600, 600, ... ms) keep a SubTask alive for about
// 4 s of outage: long enough to see it fail more than once and then finish when Guacamole returns.
beforeAll(async () => {
  await system.start({ integrations: { GUACAMOLE_TIMEOUT_MS: '2000' }, workerMaxRetry: 8 });
});

afterAll(async () => {
  await system.stop();
});

beforeEach(async () => {
  await guac('POST', '/reset');
});

async function guac(method: string, path: string, body?: unknown): Promise<any> {
  const response = await system.sandboxCall(method, `/_sandbox/guacamole${path}`, body);
  if (response.status >= 300) throw new Error(`${method} /_sandbox/guacamole${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function create(type: string, params: Record<string, unknown>): Promise<string> {
  const response = await system.post('/api/v1/tasks', { type, createdBy: 'e2e', eventId: '42', params });
  if (response.status !== 201) throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.taskId;
}

const run = async (type: string, params: Record<string, unknown>): Promise<Task> => system.finished(await create(type, params), 30_000);

const participants = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const n = String(from + i).padStart(2, '0');
    return { username: `ev42-s${n}`, fullName: `Participant ${n}`, connectionName: `ev42-s${n}-rdp`, protocol: 'rdp', hostname: `lab-ev42-s${n}.lab.example.org`, vmid: 4100 + from + i };
  });

const refs = (list: ReturnType<typeof participants>) => list.map(({ username, connectionName }) => ({ username, connectionName }));

interface LedgerEntry {
  event: string;
  kind: string;
  name: string;
  cascade?: boolean;
}

async function created(kind: string): Promise<string[]> {
  const { entries } = (await guac('GET', '/ledger')) as { entries: LedgerEntry[] };
  return entries.filter((e) => e.kind === kind && e.event === 'created').map((e) => e.name).sort();
}

const unsuccessful = (task: Task) => task.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`);

describe('guacamole.provision and guacamole.cleanup', () => {
  it('provisions 6 connections exactly once each, and cleanup removes them (twice is fine)', async () => {
    const list = participants(1, 6);
    const task = await run('guacamole.provision', { connections: list, validUntil: '2026-05-01' });
    expect(unsuccessful(task)).toEqual([]);
    expect(task.status).toBe('success');
    expect(task.subtasks.map((s) => [s.queue, s.action, s.objectType, s.objectId]).sort()).toEqual(list.map((p) => ['guacamole', 'provision', 'connection', p.connectionName]).sort());
    expect(task.subtasks[0]!.responseMessage).toMatch(/^user ev42-s\d\d created, connection "ev42-s\d\d-rdp" \(\d+, rdp to lab-ev42-s\d\d\.lab\.example\.org:3389\) created, sharing profile "ev42-s\d\d-rdp-view" \(\d+\) created; READ granted on both$/);
    expect(await created('user')).toEqual(list.map((p) => p.username));
    expect(await created('connection')).toEqual(list.map((p) => p.connectionName));
    expect(await created('sharingProfile')).toEqual(list.map((p) => `${p.connectionName}-view`));
    // No secret in the log: the passwords were derived by the worker.
    expect(JSON.stringify(await system.events(task.id))).not.toMatch(/password/i);

    // The same command again (a redelivered command, a second click) finds everything.
    const again = await run('guacamole.provision', { connections: list, validUntil: '2026-05-01' });
    expect(again.status).toBe('success');
    expect(again.subtasks.every((s) => s.responseMessage?.includes('found, sharing profile'))).toBe(true);
    expect(await created('connection')).toHaveLength(6);

    const removed = await run('guacamole.cleanup', { connections: refs(list) });
    expect(unsuccessful(removed)).toEqual([]);
    const { counts } = await guac('GET', '/ledger');
    expect([counts.users.live, counts.connections.live, counts.sharingProfiles.live]).toEqual([0, 0, 0]);
    const twice = await run('guacamole.cleanup', { connections: refs(list) });
    expect(twice.status).toBe('success');
    expect(twice.subtasks.map((s) => s.responseMessage)).toEqual(twice.subtasks.map((s) => `connection "${s.objectId}" already gone, user ${s.objectId!.replace(/-rdp$/, '')} already gone`));
  });

  it('retries while Guacamole is down and finishes when it comes back, with the failed attempts on record', async () => {
    const list = participants(11, 4);
    await guac('PUT', '/outage', { mode: 'reset' });
    let taskId: string;
    try {
      taskId = await create('guacamole.provision', { connections: list });
      // Down for a while: every SubTask has failed at least twice before Guacamole returns.
      await waitFor(async () => (await system.task(taskId)).subtasks.every((s) => s.failedAttempts >= 2), { description: 'every SubTask to fail twice during the outage', timeoutMs: 15_000 });
    } finally {
      await guac('DELETE', '/outage');
    }
    const task = await system.finished(taskId, 30_000);
    expect(unsuccessful(task)).toEqual([]);
    expect(task.status).toBe('success');
    for (const s of task.subtasks) {
      expect(s.attempt).toBeGreaterThan(2);
      expect(s.attempt).toBe(s.failedAttempts + 1);
    }
    const failures = (await system.events(task.id)).filter((e) => e.type === 'SubTaskAttemptFailed');
    expect(new Set(failures.map((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode))).toEqual(new Set(['GUAC_NETWORK']));
    expect(await created('user')).toEqual(list.map((p) => p.username));
    expect(await created('connection')).toEqual(list.map((p) => p.connectionName));
    expect(await created('sharingProfile')).toHaveLength(4);
    // The admin's view: the projection shows the same attempts.
    await waitFor(async () => (await system.query(`/api/v1/tasks/${task.id}`)).body.status === 'success', { description: 'the projection to show the provision Task' });
    const view = (await system.query(`/api/v1/tasks/${task.id}`)).body;
    expect(view.subtasks.every((s: { attempt: number }) => s.attempt > 2)).toBe(true);
  });

  it('refuses bad params naming the field', async () => {
    const response = await system.post('/api/v1/tasks', { type: 'guacamole.provision', createdBy: 'e2e', params: { connections: [{ ...participants(1, 1)[0], protocol: 'ssh' }] } });
    expect(response.status).toBe(400);
    expect(response.body.violations[0].field).toBe('params.connections[0].protocol');
  });
});
