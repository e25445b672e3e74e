import { SmtpError } from '@vle/integrations';
import { describe, expect, it } from 'vitest';
import { answerOf, failedRecord, isDelivered, messageIdOf, sentRecord } from './mail-log.mapping.js';

const ref = { taskId: 't-1', subTaskId: 's-1', generation: 2 };
const headers = { from: 'OpenVLE <noreply@openvle.local>', to: ['a@example.test', 'b@example.test'], cc: ['c@example.test'], subject: 'Lab', messageId: '<s-1.2@openvle.local>' };
const now = new Date('2026-03-01T10:00:00Z');

describe('messageIdOf', () => {
  it('is the SubTask and generation at the sender\'s domain, the same on every attempt', () => {
    expect(messageIdOf(ref, 'OpenVLE <noreply@openvle.local>')).toBe('<s-1.2@openvle.local>');
    expect(messageIdOf(ref, 'noreply@lab.example.org')).toBe('<s-1.2@lab.example.org>');
    expect(messageIdOf({ ...ref, generation: 3 }, 'noreply@lab.example.org')).toBe('<s-1.3@lab.example.org>');
  });
});

describe('sentRecord and answerOf', () => {
  it('every recipient accepted: status sent, the server\'s answer in the SubTask\'s message', () => {
    const record = sentRecord(ref, headers, { messageId: headers.messageId, accepted: ['a@example.test', 'b@example.test', 'c@example.test'], rejected: [], response: '250 OK: message queued' }, 1, now);
    expect(record).toMatchObject({ status: 'sent', attempt: 1, sentAt: now, smtpResponse: '250 OK: message queued', taskId: 't-1', cc: ['c@example.test'] });
    expect(isDelivered(record)).toBe(true);
    expect(answerOf(record)).toEqual({ responseCode: 'OK', responseMessage: '<s-1.2@openvle.local> accepted for all 3 recipients: 250 OK: message queued' });
  });

  it('a partial refusal: status partially_rejected and "2 of 3 accepted; rejected: ..."', () => {
    const record = sentRecord(ref, headers, { messageId: headers.messageId, accepted: ['a@example.test', 'c@example.test'], rejected: [{ recipient: 'b@example.test', responseCode: 550, response: '550 5.1.1 Mailbox unavailable' }], response: '250 OK' }, 2, now);
    expect(record.status).toBe('partially_rejected');
    expect(isDelivered(record)).toBe(true);
    expect(answerOf(record)).toEqual({ responseCode: 'PARTIALLY_REJECTED', responseMessage: '2 of 3 accepted; rejected: b@example.test 550 5.1.1 Mailbox unavailable' });
  });
});

it('failedRecord keeps the error and the refused recipients, not sent', () => {
  const error = new SmtpError({ message: 'all recipients were rejected: a@example.test: 451 4.3.0 later', code: 'EENVELOPE', replyCode: 451, rejected: [{ recipient: 'a@example.test', responseCode: 451, response: '451 4.3.0 later' }] });
  const record = failedRecord(ref, headers, error, 1);
  expect(record).toMatchObject({ status: 'failed', sentAt: null, accepted: [], smtpResponse: error.message, rejected: error.rejected });
  expect(isDelivered(record)).toBe(false);
});
