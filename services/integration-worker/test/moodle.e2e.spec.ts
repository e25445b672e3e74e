// The Moodle task types end to end: task-api, integration-worker, projection and the sandbox's Moodle
// simulator as processes, the commands over HTTP as OpenVLE sends them.

import type { Task } from '@vle/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();
const DUPLICATE = 'core_course_duplicate_course';

beforeAll(async () => {
  // The duplicate's answer is given up on after 1.5 s (the simulator's duplicate takes 500 ms).
  await system.start({ integrations: { MOODLE_DUPLICATE_TIMEOUT_MS: '1500', MOODLE_TIMEOUT_MS: '3000' }, workerMaxRetry: 8 });
});

afterAll(async () => {
  await system.stop();
});

beforeEach(async () => {
  const reset = await system.sandboxCall('POST', '/_sandbox/moodle/reset', { timings: { duplicateCourseMs: 500 } });
  if (reset.status !== 200) throw new Error(`reset answered ${reset.status}`);
});

async function run(type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Task> {
  const response = await system.post('/api/v1/tasks', { type, createdBy: 'e2e', params, ...extra });
  if (response.status !== 201) throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return system.finished(response.body.taskId, 60_000);
}

interface LedgerEntry {
  event: string;
  courseId?: number;
  shortname?: string;
  username?: string;
  roleId?: number;
}

async function ledger(): Promise<LedgerEntry[]> {
  return (await system.sandboxCall('GET', '/_sandbox/moodle/ledger')).body.entries;
}

const users = (n: number, event: string) =>
  Array.from({ length: n }, (_, i) => ({ username: `ev${event}-s${String(i + 1).padStart(2, '0')}`, firstname: 'Student', lastname: `No ${i + 1}`, email: `ev${event}-s${i + 1}@example.org` }));

const unfinished = (task: Task) => task.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`);

describe('moodle.deploy_course', () => {
  it('deploys the event\'s course and enrols 10 users: one course, 10 users, 10 student enrolments', async () => {
    const task = await run('moodle.deploy_course', { fullname: 'Linux lab (event 42)', users: users(10, '42') }, { eventId: '42' });
    expect(unfinished(task)).toEqual([]);
    expect(task.status).toBe('success');
    expect(task.subtasks).toHaveLength(11);
    expect(task.subtasks.find((s) => s.action === 'deploy_course')!.responseMessage).toMatch(/^course EV42 \(id \d+\) duplicated from course 2$/);

    const entries = await ledger();
    const courses = entries.filter((e) => e.event === 'course_created');
    expect(courses.map((e) => e.shortname)).toEqual(['EV42']);
    const enrolments = entries.filter((e) => e.event === 'user_enrolled');
    expect(enrolments).toHaveLength(10);
    expect(new Set(enrolments.map((e) => e.username)).size).toBe(10);
    expect(enrolments.every((e) => e.courseId === courses[0]!.courseId && e.roleId === 5)).toBe(true);
    expect(entries.filter((e) => e.event === 'user_created')).toHaveLength(10);
    // The passwords are Moodle's to make and mail: no SubTask carries one.
    expect(JSON.stringify(await system.events(task.id))).not.toMatch(/password/i);
  });

  it('with every duplicate answer lost (the work done), the course still exists exactly once', async () => {
    const faults = await system.sandboxCall('PUT', '/_sandbox/moodle/faults', { functions: { [DUPLICATE]: { timeoutRate: 1, hangMs: 5_000, timeoutMode: 'reset' } } });
    expect(faults.status).toBe(200);
    const task = await run('moodle.deploy_course', { fullname: 'Linux lab (event 43)', users: users(3, '43') }, { eventId: '43' });
    expect(unfinished(task)).toEqual([]);
    expect(task.subtasks.find((s) => s.action === 'deploy_course')!.responseMessage).toContain('found after timeout');
    const entries = await ledger();
    expect(entries.filter((e) => e.event === 'course_created').map((e) => e.shortname)).toEqual(['EV43']);
    expect(entries.filter((e) => e.event === 'user_enrolled')).toHaveLength(3);
  });

  it('a duplicate slower than its timeout is waited for, not repeated', async () => {
    await system.sandboxCall('PUT', '/_sandbox/moodle/timings', { duplicateCourseMs: 3_000 });
    const task = await run('moodle.deploy_course', { shortname: 'SLOW-1', fullname: 'A slow restore' });
    expect(unfinished(task)).toEqual([]);
    expect((await ledger()).filter((e) => e.event === 'course_created').map((e) => e.shortname)).toEqual(['SLOW-1']);
  });

  it('a shortname another course uses fails at once, permanently, and nothing is enrolled', async () => {
    await system.sandboxCall('POST', '/_sandbox/moodle/courses', { shortname: 'EV44', fullname: 'Someone else\'s course' });
    const task = await run('moodle.deploy_course', { fullname: 'Linux lab (event 44)', users: users(2, '44') }, { eventId: '44' });
    expect(task.status).toBe('failed');
    const deploy = task.subtasks.find((s) => s.action === 'deploy_course')!;
    expect(deploy).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'MOODLE_shortnametaken' });
    expect((await ledger()).filter((e) => e.event === 'user_enrolled')).toEqual([]);
  });
});

describe('moodle.enrol', () => {
  it('enrols through transient Moodle errors, and enrolling again is harmless', async () => {
    expect((await run('moodle.deploy_course', { shortname: 'EV45', fullname: 'Lab 45' })).status).toBe('success');
    await system.sandboxCall('PUT', '/_sandbox/moodle/faults', { seed: 3, functions: { '*': { errorRate: 0.3, errorMode: 'exception' } } });
    let task: Task;
    try {
      task = await run('moodle.enrol', { courseShortname: 'EV45', users: users(5, '45') });
    } finally {
      await system.sandboxCall('DELETE', '/_sandbox/moodle/faults');
    }
    expect(unfinished(task)).toEqual([]);
    expect(task.subtasks.some((s) => s.failedAttempts > 0)).toBe(true);
    const again = await run('moodle.enrol', { courseShortname: 'EV45', users: users(5, '45') });
    expect(again.status).toBe('success');
    const entries = await ledger();
    expect(entries.filter((e) => e.event === 'user_created')).toHaveLength(5);
    expect(entries.filter((e) => e.event === 'user_enrolled')).toHaveLength(5);
  });
});
