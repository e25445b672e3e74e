// Send one mail (queue `mails`). Delivered at most once per SubTask generation: an attempt claims the
// mail log's row (`sending`) before it hands the mail to the server, and records the answer before the
// job is acked. A redelivery that finds a delivered row answers from it; one that finds `sending`
// (the attempt that sent could not record the answer: PostgreSQL down, a crash, a stalled replica)
// does not know whether the server took the mail and does not send it again (not twice rather than
// at least once: a person's retry is a new generation and sends a new mail).

import { isSmtpError, type MailClient } from '@vle/integrations';
import { PermanentJobError, type JobHandler } from '@vle/messaging';
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

export interface MailParams {
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * `compose` makes the mail from the job (by default the mail the params spell out); a composed mail
 * (the lab access) is logged and deduplicated the same way.
 */
export function createSendMailHandler(deps: MailJobDeps, compose: (params: Record<string, unknown>) => MailParams = mailParams): JobHandler {
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

  return async (job, context) => {
    const mail = compose(job.params);
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
    context.heartbeat();
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

/** The params the plan gave the SubTask; a bad one is a hand-made job, refused without retrying. */
function mailParams(params: Record<string, unknown>): MailParams {
  const list = (key: string, required: boolean): string[] => {
    const value = params[key] ?? [];
    if (!Array.isArray(value) || value.some((a) => typeof a !== 'string' || a === '')) throw badParam(`job params.${key} must be a list of addresses`);
    if (required && value.length === 0) throw badParam(`job params.${key} is required`);
    return value as string[];
  };
  const text = (key: string, required: boolean): string | undefined => {
    const value = params[key];
    if (value === undefined || value === null || value === '') {
      if (required) throw badParam(`job params.${key} is required`);
      return undefined;
    }
    if (typeof value !== 'string') throw badParam(`job params.${key} must be a string`);
    return value;
  };
  const html = text('html', false);
  return { to: list('to', true), cc: list('cc', false), subject: text('subject', true)!, text: text('text', true)!, ...(html ? { html } : {}) };
}

function badParam(message: string): PermanentJobError {
  return new PermanentJobError(message, 'BAD_PARAMS');
}
