// The send and mail cleanup handlers against the sandbox's SMTP sink over real SMTP and a fresh
// PostgreSQL database, each delivered the way the job runtime would: twice, after a failure, late.

import { isSmtpError, MailClient } from '@vle/integrations';
import type { JobContext, JobHandler, JobInput } from '@vle/messaging';
import { jobContext } from '@vle/messaging/testing';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailLogDataSource, openMailLog } from '../mail/db/mail-log.data-source.js';
import { MailLog } from '../mail/mail-log.js';
import { createMailCleanupHandler } from './mail-cleanup.handler.js';
import { createSendMailHandler, type MailJobDeps } from './send-mail.handler.js';

let sandbox: InProcessSandbox;
let database: TestDatabase;
let db: DataSource;
let client: MailClient;
let deps: MailJobDeps;
let send: JobHandler;
let clock = new Date('2026-03-01T10:00:00Z');

beforeAll(async () => {
  [sandbox, database] = await Promise.all([startInProcessSandbox(), createTestDatabase('vle_mail')]);
  db = createMailLogDataSource(database.url);
  await openMailLog(db, database.url);
  client = new MailClient({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false, from: 'OpenVLE <noreply@openvle.local>', timeoutMs: 2_000 });
  deps = { client, log: new MailLog(db), now: () => clock, maxAgeWeeks: 4 };
  send = createSendMailHandler(deps);
});

afterAll(async () => {
  client?.close();
  await db?.destroy();
  await Promise.allSettled([sandbox?.close(), database?.drop()]);
});

beforeEach(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  await sandbox.smtp('POST', 'reset');
  await db.query('DELETE FROM mail_log');
});

function delivery(attempt: number): JobContext {
  return jobContext({ attempt, object: { type: 'mail' } });
}

function mailJob(params: Record<string, unknown>, generation = 1): JobInput {
  return { taskId: randomUUID(), subTaskId: randomUUID(), generation, queue: 'mails', action: 'send', objectType: 'mail', params: { subject: 'Lab 42 is ready', text: 'Hello', ...params } };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

async function sunk(): Promise<Array<{ messageId: string; envelope: { to: string[] } }>> {
  return (await sandbox.smtp('GET', 'messages')).messages;
}

async function rows(subTaskId: string) {
  return db.query('SELECT status, attempt, accepted, rejected, message_id, smtp_response, sent_at, mail_to, mail_cc, subject FROM mail_log WHERE sub_task_id = $1', [subTaskId]);
}

describe('send', () => {
  it('sends the mail with a Message-ID of its SubTask and generation and logs it; delivered twice, it is sent once', async () => {
    const job = mailJob({ to: ['ada@example.test'], cc: ['tutor@example.test'] });
    const first = await send(job, delivery(1));
    const messageId = `<${job.subTaskId}.1@openvle.local>`;
    expect(first.responseCode).toBe('OK');
    expect(first.responseMessage).toMatch(new RegExp(`^${messageId} accepted for all 2 recipients: 250 `));
    const again = await send(job, delivery(2));
    expect(again.responseMessage).toContain('(sent by attempt 1; not sent again)');
    expect((await sunk()).map((m) => m.messageId)).toEqual([messageId]);
    expect(await rows(job.subTaskId)).toEqual([
      expect.objectContaining({ status: 'sent', attempt: 1, accepted: ['ada@example.test', 'tutor@example.test'], rejected: [], message_id: messageId, sent_at: clock, mail_to: ['ada@example.test'], mail_cc: ['tutor@example.test'], subject: 'Lab 42 is ready' }),
    ]);
  });

  it('a new generation (a person\'s retry) is a new mail', async () => {
    const job = mailJob({ to: ['ada@example.test'] });
    await send(job, delivery(1));
    await send({ ...job, generation: 2 }, delivery(1));
    expect((await sunk()).map((m) => m.messageId)).toEqual([`<${job.subTaskId}.1@openvle.local>`, `<${job.subTaskId}.2@openvle.local>`]);
  });

  it('records a partial refusal in the answer and the log; a redelivery does not send to anyone again', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: 'gone@example.test', code: 550, message: '5.1.1 <gone@example.test>: Recipient address rejected' });
    const job = mailJob({ to: ['a@example.test', 'gone@example.test', 'b@example.test'] });
    const result = await send(job, delivery(1));
    expect(result).toEqual({ responseCode: 'PARTIALLY_REJECTED', responseMessage: '2 of 3 accepted; rejected: gone@example.test 550 5.1.1 <gone@example.test>: Recipient address rejected' });
    await send(job, delivery(2));
    expect(await sunk()).toHaveLength(1);
    expect((await rows(job.subTaskId))[0]).toMatchObject({ status: 'partially_rejected', accepted: ['a@example.test', 'b@example.test'], rejected: [{ recipient: 'gone@example.test', responseCode: 550 }] });
  });

  it('every recipient refused with 550: a permanent error with the server\'s answer, logged as failed', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: '*@bounce.test', code: 550 });
    const job = mailJob({ to: ['x@bounce.test'] });
    const error = await failure(send(job, delivery(1)));
    expect(isSmtpError(error) && { permanent: error.permanent, responseCode: error.responseCode, message: error.message }).toEqual({ permanent: true, responseCode: 'SMTP_550', message: 'all recipients were rejected: x@bounce.test: 550 5.1.1 Mailbox unavailable' });
    expect((await rows(job.subTaskId))[0]).toMatchObject({ status: 'failed', attempt: 1, sent_at: null, smtp_response: 'all recipients were rejected: x@bounce.test: 550 5.1.1 Mailbox unavailable' });
  });

  it('451 twice: transient failures, then sent on attempt 3; the log shows the attempt that sent it', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: 'slow@example.test', code: 451, times: 2 });
    const job = mailJob({ to: ['slow@example.test'] });
    for (const attempt of [1, 2]) {
      const error = await failure(send(job, delivery(attempt)));
      expect(isSmtpError(error) && [error.transient, error.responseCode]).toEqual([true, 'SMTP_451']);
      expect((await rows(job.subTaskId))[0]).toMatchObject({ status: 'failed', attempt });
    }
    expect((await send(job, delivery(3))).responseCode).toBe('OK');
    expect((await rows(job.subTaskId))[0]).toMatchObject({ status: 'sent', attempt: 3 });
    expect(await sunk()).toHaveLength(1);
  });

  // The record of a delivered mail failing (PostgreSQL down after the 250): a trigger refuses it,
  // as a real failed write would, only for the rows that say the mail went out.
  async function failDeliveredWrites(): Promise<() => Promise<void>> {
    await db.query(`CREATE OR REPLACE FUNCTION refuse_delivered() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'mail log unavailable'; END $$`);
    await db.query(`CREATE TRIGGER refuse_delivered BEFORE INSERT OR UPDATE ON mail_log FOR EACH ROW WHEN (NEW.status IN ('sent', 'partially_rejected')) EXECUTE FUNCTION refuse_delivered()`);
    return async () => {
      await db.query('DROP TRIGGER refuse_delivered ON mail_log');
    };
  }

  it('the mail log write fails after the 250: a transient failure of the record; the redelivery does not send again', async () => {
    const job = mailJob({ to: ['ada@example.test'] });
    const restore = await failDeliveredWrites();
    const error = await failure(send(job, delivery(1)));
    await restore();
    expect(error).toMatchObject({ responseCode: 'MAIL_LOG_WRITE_FAILED', message: expect.stringMatching(/^the server accepted the mail <.+> \(250 .*\); recording it in the mail log failed: mail log unavailable/) });
    expect((error as { permanent?: boolean }).permanent).not.toBe(true);
    const again = await send(job, delivery(2));
    expect(again).toMatchObject({ responseCode: 'OK', responseMessage: expect.stringContaining('(sent by attempt 1; not sent again)') });
    expect(await sunk()).toHaveLength(1);
    expect(await rows(job.subTaskId)).toEqual([expect.objectContaining({ status: 'sent', attempt: 1 })]);
  });

  it('an attempt that began sending and left no outcome (another replica, a crash): the next one does not send; the outcome is unknown', async () => {
    const job = mailJob({ to: ['ada@example.test'] });
    const restore = await failDeliveredWrites();
    await failure(send(job, delivery(1)));
    await restore();
    const otherReplica = createSendMailHandler(deps);
    const error = await failure(otherReplica(job, delivery(2)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'MAIL_OUTCOME_UNKNOWN', message: expect.stringContaining(`attempt 1 began sending <${job.subTaskId}.1@openvle.local>`) });
    expect(await sunk()).toHaveLength(1);
    expect(await rows(job.subTaskId)).toEqual([expect.objectContaining({ status: 'sending', attempt: 1, sent_at: null })]);
  });

  it('an SMTP server that refuses connections is a transient failure', async () => {
    await sandbox.smtp('PUT', 'outage', { mode: 'refuse' });
    const error = await failure(send(mailJob({ to: ['a@example.test'] }), delivery(1)));
    expect(isSmtpError(error) && error.transient).toBe(true);
  });

  it('refuses a hand-made job without recipients or subject, permanently, naming each field, without sending', async () => {
    const error = await failure(send(mailJob({ to: [], subject: 42 }), delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS' });
    expect((error as Error).message).toMatch(/params\.to: .*; params\.subject: /);
    expect(await sunk()).toEqual([]);
  });
});

describe('mail cleanup', () => {
  it('deletes only the mails older than MAIL_MAX_AGE_WEEKS, by the injected clock; delivered twice, the second deletes nothing', async () => {
    clock = new Date('2026-01-01T10:00:00Z');
    const old = mailJob({ to: ['old@example.test'] });
    await send(old, delivery(1));
    clock = new Date('2026-01-20T10:00:00Z');
    const recent = mailJob({ to: ['recent@example.test'] });
    await send(recent, delivery(1));
    clock = new Date('2026-02-05T10:00:00Z');
    const cleanup = createMailCleanupHandler(deps);
    const job = { ...mailJob({}), queue: 'core_periodic', action: 'mail_cleanup', params: {} };
    expect(await cleanup(job, delivery(1))).toEqual({ responseCode: 'OK', responseMessage: 'deleted 1 mail older than 4 weeks (before 2026-01-08T10:00:00.000Z) from the mail log' });
    expect(await cleanup(job, delivery(2))).toMatchObject({ responseMessage: expect.stringMatching(/^deleted 0 mails/) });
    expect(await rows(old.subTaskId)).toEqual([]);
    expect(await rows(recent.subTaskId)).toHaveLength(1);
  });
});
