// Mail end to end: task-api, integration-worker, projection and the sandbox's SMTP sink as
// processes; mail.send and mail.cleanup over HTTP as OpenVLE sends them, the mail log read from the
// system's database.

import type { Task } from '@vle/domain';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();
let db: pg.Client;

beforeAll(async () => {
  await system.start({ integrations: {} });
  db = new pg.Client({ connectionString: system.db.url });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await system.stop();
});

beforeEach(async () => {
  await smtp('POST', '/reset');
});

async function smtp(method: string, path: string, body?: unknown): Promise<any> {
  const response = await system.sandboxCall(method, `/_sandbox/smtp${path}`, body);
  if (response.status >= 300) throw new Error(`${method} /_sandbox/smtp${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function run(type: string, params: Record<string, unknown>): Promise<Task> {
  const response = await system.post('/api/v1/tasks', { type, createdBy: 'e2e', params });
  if (response.status !== 201) throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return system.finished(response.body.taskId, 30_000);
}

async function logged(subTaskId: string): Promise<Array<Record<string, unknown>>> {
  return (await db.query('SELECT status, attempt, accepted, rejected, message_id, mail_to, subject, sent_at FROM mail.mail_log WHERE sub_task_id = $1', [subTaskId])).rows;
}

describe('mail.send', () => {
  it('delivers the mail to the sink exactly once and logs it', async () => {
    const task = await run('mail.send', { to: ['ada@example.test'], subject: 'Lab 42 is ready', text: 'Hello Ada' });
    const sub = task.subtasks[0]!;
    expect(task.status).toBe('success');
    expect(sub).toMatchObject({ action: 'send', queue: 'mails', objectType: 'mail', status: 'success', attempt: 1, responseCode: 'OK' });
    const messageId = `<${sub.id}.1@openvle.local>`;
    expect(sub.responseMessage).toMatch(new RegExp(`^${messageId} accepted for ada@example.test: 250 `));
    const { messages } = await smtp('GET', '/messages');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ messageId, from: '"OpenVLE" <noreply@openvle.local>', to: ['ada@example.test'], subject: 'Lab 42 is ready' });
    expect(messages[0].text.trim()).toBe('Hello Ada');
    expect(await logged(sub.id)).toEqual([expect.objectContaining({ status: 'sent', attempt: 1, accepted: ['ada@example.test'], message_id: messageId, mail_to: ['ada@example.test'], subject: 'Lab 42 is ready' })]);
  });

  it('a recipient the server refuses with 550 fails at once (attempt 1, no retry) with the server\'s answer', async () => {
    await smtp('PUT', '/rules', { recipient: 'nobody@example.test', code: 550, message: '5.1.1 <nobody@example.test>: Recipient address rejected: User unknown' });
    const task = await run('mail.send', { to: ['nobody@example.test'], subject: 'Hello', text: 'Hello' });
    expect(task.status).toBe('failed');
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, failedAttempts: 1, responseCode: 'SMTP_550' });
    expect(task.subtasks[0]!.responseMessage).toBe('all recipients were rejected: nobody@example.test: 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown');
    expect((await smtp('GET', '/state')).rules[0].hits).toBe(1);
    expect((await smtp('GET', '/messages')).count).toBe(0);
    expect(await logged(task.subtasks[0]!.id)).toEqual([expect.objectContaining({ status: 'failed', attempt: 1, sent_at: null })]);
  });

  it('a recipient answered 451 twice gets the mail on attempt 3', async () => {
    await smtp('PUT', '/rules', { recipient: 'busy@example.test', code: 451, times: 2 });
    const task = await run('mail.send', { to: ['busy@example.test'], subject: 'Try again', text: 'Hello' });
    expect(task.status).toBe('success');
    expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 3, failedAttempts: 2, responseCode: 'OK' });
    const failures = (await system.events(task.id)).filter((e) => e.type === 'SubTaskAttemptFailed');
    expect(failures.map((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode)).toEqual(['SMTP_451', 'SMTP_451']);
    expect((await smtp('GET', '/messages?to=busy@example.test')).count).toBe(1);
    expect(await logged(task.subtasks[0]!.id)).toEqual([expect.objectContaining({ status: 'sent', attempt: 3 })]);
  });

  it('records a partial refusal: success, "2 of 3 accepted; rejected: ..." and the log row', async () => {
    await smtp('PUT', '/rules', { recipient: 'gone@example.test', code: 550, message: '5.1.1 Mailbox unavailable' });
    const task = await run('mail.send', { to: ['a@example.test', 'gone@example.test'], cc: ['b@example.test'], subject: 'Partly', text: 'Hello' });
    expect(task.status).toBe('success');
    expect(task.subtasks[0]).toMatchObject({ attempt: 1, responseCode: 'PARTIALLY_REJECTED', responseMessage: '2 of 3 accepted; rejected: gone@example.test 550 5.1.1 Mailbox unavailable' });
    expect((await smtp('GET', '/messages')).messages[0].envelope.to).toEqual(['a@example.test', 'b@example.test']);
    expect((await logged(task.subtasks[0]!.id))[0]).toMatchObject({ status: 'partially_rejected', accepted: ['a@example.test', 'b@example.test'], rejected: [{ recipient: 'gone@example.test', responseCode: 550 }] });
  });

  it('refuses a bad address with the field named, before anything is planned', async () => {
    const response = await system.post('/api/v1/tasks', { type: 'mail.send', createdBy: 'e2e', params: { to: ['not an address'], subject: 's', text: 't' } });
    expect(response.status).toBe(400);
    expect(response.body.violations[0].field).toBe('params.to[0]');
  });
});

describe('mail.cleanup', () => {
  it('deletes only the mails older than 4 weeks from the mail log', async () => {
    const old = await run('mail.send', { to: ['old@example.test'], subject: 'Old', text: 'Hello' });
    const recent = await run('mail.send', { to: ['recent@example.test'], subject: 'Recent', text: 'Hello' });
    // Backdated: sent five weeks ago; the other one three weeks ago.
    await db.query(`UPDATE mail.mail_log SET sent_at = now() - interval '5 weeks', updated_at = now() - interval '5 weeks' WHERE sub_task_id = $1`, [old.subtasks[0]!.id]);
    await db.query(`UPDATE mail.mail_log SET sent_at = now() - interval '3 weeks', updated_at = now() - interval '3 weeks' WHERE sub_task_id = $1`, [recent.subtasks[0]!.id]);
    const before = Number((await db.query('SELECT count(*) FROM mail.mail_log')).rows[0].count);
    const task = await run('mail.cleanup', {});
    expect(task.status).toBe('success');
    expect(task.subtasks[0]).toMatchObject({ action: 'mail_cleanup', queue: 'core_periodic', responseCode: 'OK' });
    expect(task.subtasks[0]!.responseMessage).toMatch(/^deleted 1 mail older than 4 weeks \(before /);
    expect(await logged(old.subtasks[0]!.id)).toEqual([]);
    expect(await logged(recent.subtasks[0]!.id)).toHaveLength(1);
    expect(Number((await db.query('SELECT count(*) FROM mail.mail_log')).rows[0].count)).toBe(before - 1);
  });
});
