// What a send leaves in the mail log and what the SubTask answers, as pure functions of the job, the
// server's answer and the time: the handler and a redelivery that finds the row answer alike.

import type { MailSendResult, RejectedRecipient, SmtpError } from '@vle/integrations';
import { scrubText } from '@vle/contracts';
import type { MailStatus } from './db/mail-log.entity.js';

export interface MailRef {
  readonly taskId: string;
  readonly subTaskId: string;
  readonly generation: number;
}

export interface MailHeaders {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly messageId: string;
}

/** One row of the mail log, as the code sees it. */
export interface MailLogRecord extends MailRef, MailHeaders {
  readonly status: MailStatus;
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
  readonly smtpResponse: string | null;
  readonly attempt: number;
  readonly sentAt: Date | null;
}

/**
 * The Message-ID of every attempt of one generation of a SubTask: a mail resent after an ambiguous
 * failure carries the same id, and receivers can tell it from a new one. A retry by a person is a
 * new generation and a new mail.
 */
export function messageIdOf(ref: MailRef, from: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'openvle.local';
  return `<${ref.subTaskId}.${ref.generation}@${domain}>`;
}

export function sentRecord(ref: MailRef, headers: MailHeaders, result: MailSendResult, attempt: number, now: Date): MailLogRecord {
  return {
    ...ref,
    ...headers,
    status: result.rejected.length > 0 ? 'partially_rejected' : 'sent',
    accepted: result.accepted,
    rejected: scrubRejected(result.rejected),
    smtpResponse: scrubText(result.response),
    attempt,
    sentAt: now,
  };
}

/** The claim of an attempt about to hand the mail to the server. */
export function sendingRecord(ref: MailRef, headers: MailHeaders, attempt: number): MailLogRecord {
  return { ...ref, ...headers, status: 'sending', accepted: [], rejected: [], smtpResponse: null, attempt, sentAt: null };
}

export function failedRecord(ref: MailRef, headers: MailHeaders, error: Pick<SmtpError, 'message' | 'rejected'>, attempt: number): MailLogRecord {
  return { ...ref, ...headers, status: 'failed', accepted: [], rejected: scrubRejected(error.rejected), smtpResponse: scrubText(error.message), attempt, sentAt: null };
}

// A server's answer may echo a secret (an unblock URL with its token): the log keeps it masked.
const scrubRejected = (rejected: readonly RejectedRecipient[]): RejectedRecipient[] => rejected.map((r) => ({ ...r, response: scrubText(r.response) }));

export function isDelivered(record: MailLogRecord): boolean {
  return record.status === 'sent' || record.status === 'partially_rejected';
}

const describeRejected = (rejected: readonly RejectedRecipient[]) => rejected.map((r) => `${r.recipient} ${r.response || 'refused'}`).join('; ');

/** The SubTask's answer for a delivered mail: "2 of 3 accepted; rejected: x@y 550 ...". */
export function answerOf(record: MailLogRecord): { responseCode: string; responseMessage: string } {
  const total = record.accepted.length + record.rejected.length;
  if (record.rejected.length === 0) {
    return { responseCode: 'OK', responseMessage: `${record.messageId} accepted for ${total === 1 ? record.accepted[0] : `all ${total} recipients`}: ${record.smtpResponse ?? ''}`.trim() };
  }
  return { responseCode: 'PARTIALLY_REJECTED', responseMessage: `${record.accepted.length} of ${total} accepted; rejected: ${describeRejected(record.rejected)}` };
}
