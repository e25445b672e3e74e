// The HTML report over HTTP on a booted projection whose Task came through the log: a name and
// responses holding markup come out as text, SubTasks and attempts only with sub_tasks_read, and the
// detail's scope and 404s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type TaskCommand, type TaskState } from '@vle/domain';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../../index.js';
import type { ScenarioCommit } from '../../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../../testing/test-log.js';
import { REPORT_CSP } from './task-report.controller.js';

const TASK = '0190a7e2-0000-7000-8000-00000000e001';
const EVIL = '<script>alert("name")</script>';
const EVIL_MESSAGE = '<img src=x onerror=alert(1)> storage full on pve2';
const at = (s: number) => new Date(Date.parse('2026-11-22T10:00:00.000Z') + s * 1000).toISOString();

const commands: TaskCommand[] = [
  { type: 'CreateTask', taskId: TASK, at: at(0), actor: 'alice', name: EVIL, createdBy: 'alice', eventId: '42', subtasks: [{ id: 'st-a', key: 'a', name: '<b>Clone</b>', action: 'vm.clone', queue: 'pve_vm_clone', params: {} }] },
  { type: 'RecordAttemptStarted', taskId: TASK, at: at(1), actor: 'worker:pve_vm_clone', subTaskId: 'st-a', generation: 1, attempt: 1, jobId: 'st-a:1', queue: 'pve_vm_clone', jobSeq: 1, deliveryId: 'd-1' },
  { type: 'RecordAttemptFailed', taskId: TASK, at: at(2), actor: 'worker:pve_vm_clone', subTaskId: 'st-a', generation: 1, attempt: 1, responseCode: 'PVE_500', responseMessage: EVIL_MESSAGE, retryInMs: null, permanent: true },
];

let database: TestDatabase;
let log: TestLog;
let service: RunningService;

const tokens = {
  admin: testToken(),
  tasksOnly: testToken({ subject: 'viewer', permissions: ['tasks_read'] }),
  none: testToken({ subject: 'nobody', permissions: ['inventory_read'] }),
  outOfScope: testToken({ subject: 'teacher', permissions: ['tasks_read', 'sub_tasks_read'], scope: { events: ['999'] } }),
};

async function report(path: string, token: Promise<string> = tokens.admin): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(await token) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_report');
  log = await openTestLog('projreport');
  let state: TaskState = initialState;
  const commits: ScenarioCommit[] = commands.map((command) => {
    const events = decide(command, state);
    state = events.reduce(evolve, state);
    return { taskId: TASK, events };
  });
  const last = await log.append(commits);
  service = await bootstrap({ env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' } });
  await waitFor(async () => (JSON.parse((await report('/api/v1/projection/status')).text).appliedSeq as number) >= last, { description: 'the projection to catch up', timeoutMs: 30_000 });
});

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

describe('GET /api/v1/tasks/:id/report.html', () => {
  it('answers a self-contained page under a CSP that allows nothing but its own style', async () => {
    const page = await report(`/api/v1/tasks/${TASK}/report.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(REPORT_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('shows the name, the SubTask and the responses holding markup as text', async () => {
    const { text } = await report(`/api/v1/tasks/${TASK}/report.html`);
    expect(text).not.toMatch(/<script|<img|<b>/i);
    expect(text).toContain('<h1>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;</h1>');
    expect(text).toContain('&lt;b&gt;Clone&lt;/b&gt;');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt; storage full on pve2');
    expect(text).toContain('SubTaskAttemptStarted');
    expect(text).toContain('<h2>Attempts (1)</h2>');
  });

  it('holds the Task and its own events only without sub_tasks_read', async () => {
    const { status, text } = await report(`/api/v1/tasks/${TASK}/report.html`, tokens.tasksOnly);
    expect(status).toBe(200);
    expect(text).toContain('TaskCreated');
    expect(text).toContain('the token lacks the permission sub_tasks_read');
    expect(text).not.toContain('SubTaskAttemptStarted');
    expect(text).not.toContain('storage full');
    expect(text).not.toContain('Clone');
  });

  it('answers 404 for a Task outside the scope or absent, 400 for a bad id or a parameter, 403 without tasks_read', async () => {
    for (const [path, token] of [[`/api/v1/tasks/${TASK}/report.html`, tokens.outOfScope], ['/api/v1/tasks/0190a7e2-0000-7000-8000-00000000dead/report.html', tokens.admin]] as const) {
      const answer = await report(path, token);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'TASK_NOT_FOUND' });
      expect(answer.text).not.toContain('script');
    }
    expect(JSON.parse((await report('/api/v1/tasks/42/report.html')).text)).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: 'id' }] });
    expect(JSON.parse((await report(`/api/v1/tasks/${TASK}/report.html?theme=dark`)).text)).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: 'theme' }] });
    const forbidden = await report(`/api/v1/tasks/${TASK}/report.html`, tokens.none);
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('tasks_read');
  });
});
