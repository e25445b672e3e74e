// Send one mail (queue `mails`). Delivered at most once per SubTask generation as far as we can
// tell: the server's acceptance is recorded in the mail log before the job is acked, and a
// redelivery whose row says the mail went out answers from the row without sending. (A crash
// between the server's 250 and that write sends it again, with the same Message-ID.)

import { isSmtpError, type MailClient } from '@vle/integrations';
import { PermanentJobError, type JobHandler } from '@vle/messaging';
import type { MailLog } from '../mail/mail-log.js';
import { answerOf, failedRecord, isDelivered, messageIdOf, sentRecord, type MailHeaders, type MailLogRecord } from '../mail/mail-log.mapping.js';

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
  return async (job, context) => {
    const mail = compose(job.params);
    const ref = { taskId: job.taskId, subTaskId: job.subTaskId, generation: job.generation };
    const done = await deps.log.find(ref.subTaskId, ref.generation);
    if (done && isDelivered(done)) return alreadySent(done);
    const headers: MailHeaders = { from: deps.client.from, to: mail.to, cc: mail.cc, subject: mail.subject, messageId: messageIdOf(ref, deps.client.from) };
    context.heartbeat();
    let record: MailLogRecord;
    try {
      const result = await deps.client.sendMail({ ...mail, messageId: headers.messageId }, context.signal);
      record = sentRecord(ref, headers, result, context.attempt, deps.now());
    } catch (error) {
      if (isSmtpError(error)) await deps.log.save(failedRecord(ref, headers, error, context.attempt), deps.now()).catch(() => undefined);
      throw error;
    }
    // Before the runtime acks: once this row is written, no redelivery sends the mail again.
    if (!(await deps.log.save(record, deps.now()))) {
      const earlier = await deps.log.find(ref.subTaskId, ref.generation);
      if (earlier) return alreadySent(earlier);
    }
    return answerOf(record);
  };
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
