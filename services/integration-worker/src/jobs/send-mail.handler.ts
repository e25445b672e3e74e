// Send one mail (queue `mails`). Delivered at most once per SubTask generation: an attempt claims the
// mail log's row (`sending`) before it hands the mail to the server, and records the answer before the
// job is acked. A redelivery that finds a delivered row answers from it; one that finds `sending`
// (the attempt that sent could not record the answer: PostgreSQL down, a crash, a stalled replica)
// does not know whether the server took the mail and does not send it again (not twice rather than
// at least once: a person's retry is a new generation and sends a new mail).

import { isSmtpError, type MailClient } from '@vle/integrations';
import { defineHandler, PermanentJobError, type JobContext, type JobHandler, type JobInput, type JobResult } from '@vle/messaging';
import { z } from 'zod';
import type { MailLog } from '../mail/mail-log.js';
import { answerOf, failedRecord, isDelivered, messageIdOf, sendingRecord, sentRecord, type MailHeaders, type MailLogRecord, type MailRef } from '../mail/mail-log.mapping.js';

export interface MailJobDeps {
  readonly client: MailClient;
  readonly log: MailLog;
  /** The clock of the log's timestamps and of the cleanup's cutoff (tests set it). */
  readonly now: () => Date;
  /** Mail cleanup deletes what is older than this. */
  readonly maxAgeWeeks: number;
}

/** Addresses as planMailSend gives them (checked there: 1-100 valid addresses). */
export const Addresses = z.array(z.string().min(1));

/** What planMailSend gives the SubTask: the mail itself. */
export const MailParams = z.object({
  to: Addresses.min(1),
  cc: Addresses.default([]),
  subject: z.string().min(1),
  text: z.string().min(1),
  html: z.string().min(1).optional(),
});
export type MailParams = z.output<typeof MailParams>;

/** A mail sent at most once per SubTask generation: what the send and the lab access mail share. */
export type MailSender = (mail: MailParams, job: JobInput, context: JobContext) => Promise<JobResult>;

export function createSendMailHandler(deps: MailJobDeps): JobHandler {
  const send = createMailSender(deps);
  return defineHandler(MailParams, (mail, job, context) => send(mail, job, context));
}

/** Sends a mail made from the job (the send's own params, or the lab access composed), logged and deduplicated alike. */
export function createMailSender(deps: MailJobDeps): MailSender {
  // An outcome the log refused stays here until a redelivery to this process records it; a
  // redelivery to another replica finds only the `sending` row.
  const unrecorded = new Map<string, MailLogRecord>();
  const record = async (outcome: MailLogRecord): Promise<boolean> => {
    // Bounded: an outcome whose redelivery went to another replica is never settled here.
    if (unrecorded.size >= MAX_UNRECORDED) unrecorded.delete(unrecorded.keys().next().value!);
    unrecorded.set(keyOf(outcome), outcome);
    try {
      const saved = await deps.log.save(outcome, deps.now());
      unrecorded.delete(keyOf(outcome));
      return saved;
    } catch (error) {
      throw recordFailed(outcome, error);
    }
  };

  return async (mail, job, context) => {
    const ref = { taskId: job.taskId, subTaskId: job.subTaskId, generation: job.generation };
    const pending = unrecorded.get(keyOf(ref));
    if (pending) await record(pending);
    const done = await deps.log.find(ref.subTaskId, ref.generation);
    if (done && isDelivered(done)) return alreadySent(done);
    if (done?.status === 'sending') throw outcomeUnknown(done);
    const headers: MailHeaders = { from: deps.client.from, to: mail.to, cc: mail.cc, subject: mail.subject, messageId: messageIdOf(ref, deps.client.from) };
    // The claim comes before the send: a failure to write it sends nothing and is simply retried.
    if (!(await deps.log.claim(sendingRecord(ref, headers, context.attempt), deps.now()))) {
      const other = await deps.log.find(ref.subTaskId, ref.generation);
      if (other && isDelivered(other)) return alreadySent(other);
      if (other) throw outcomeUnknown(other);
    }
    let outcome: MailLogRecord;
    try {
      const result = await deps.client.sendMail({ ...mail, messageId: headers.messageId }, context.signal);
      outcome = sentRecord(ref, headers, result, context.attempt, deps.now());
    } catch (error) {
      if (isSmtpError(error)) await record(failedRecord(ref, headers, error, context.attempt)).catch(() => undefined);
      throw error;
    }
    // Before the runtime acks: once this row is written, no redelivery sends the mail again.
    if (!(await record(outcome))) {
      const earlier = await deps.log.find(ref.subTaskId, ref.generation);
      if (earlier) return alreadySent(earlier);
    }
    return answerOf(outcome);
  };
}

const MAX_UNRECORDED = 1_000;

const keyOf = (ref: MailRef): string => `${ref.subTaskId}.${ref.generation}`;

/** Transient: the record failed, not the send; the next attempt does not send a delivered mail again. */
function recordFailed(outcome: MailLogRecord, error: unknown): Error {
  const cause = error instanceof Error ? error.message : String(error);
  const what = isDelivered(outcome) ? `the server accepted the mail ${outcome.messageId} (${outcome.smtpResponse ?? ''})` : `the server did not take the mail ${outcome.messageId}`;
  return Object.assign(new Error(`${what}; recording it in the mail log failed: ${cause}`, { cause: error }), { responseCode: 'MAIL_LOG_WRITE_FAILED' });
}

function outcomeUnknown(row: MailLogRecord): PermanentJobError {
  return new PermanentJobError(
    `attempt ${row.attempt} began sending ${row.messageId} and recorded no answer from the server: whether it was delivered is unknown, so it is not sent again (look the Message-ID up in the server's log; a retry sends it as a new mail)`,
    'MAIL_OUTCOME_UNKNOWN',
  );
}

function alreadySent(record: MailLogRecord): { responseCode: string; responseMessage: string } {
  const answer = answerOf(record);
  return { ...answer, responseMessage: `${answer.responseMessage} (sent by attempt ${record.attempt}; not sent again)` };
}
