import { describe, expect, it } from 'vitest';
import { classifySmtpError, SmtpError } from './smtp-error.js';

describe('classifySmtpError (reference §4)', () => {
  it.each([
    ['EENVELOPE', 550, false, 'SMTP_550'],
    ['EENVELOPE', 553, false, 'SMTP_553'],
    ['EMESSAGE', 554, false, 'SMTP_554'],
    ['EENVELOPE', 451, true, 'SMTP_451'],
    ['EMESSAGE', 450, true, 'SMTP_450'],
    ['ECONNECTION', 421, true, 'SMTP_421'],
    ['EAUTH', 454, true, 'SMTP_454'],
    ['EAUTH', 535, false, 'SMTP_535'],
    ['ECONNECTION', undefined, true, 'SMTP_ECONNECTION'],
    ['ETIMEDOUT', undefined, true, 'SMTP_ETIMEDOUT'],
    ['ESOCKET', undefined, true, 'SMTP_ESOCKET'],
    ['EDNS', undefined, true, 'SMTP_EDNS'],
    ['EAUTH', undefined, false, 'SMTP_EAUTH'],
    ['ENOAUTH', undefined, false, 'SMTP_ENOAUTH'],
    ['ETLS', undefined, false, 'SMTP_ETLS'],
    ['ECONFIG', undefined, false, 'SMTP_ECONFIG'],
    [undefined, undefined, true, 'SMTP_ERROR'],
  ] as const)('%s with reply %s: transient %s, %s', (code, reply, transient, responseCode) => {
    expect(classifySmtpError(code, reply)).toEqual({ transient, responseCode });
  });
});

describe('SmtpError.fromNodemailer', () => {
  it('an all-rejected envelope names every recipient with its answer and is permanent when every refusal is 5xx', () => {
    const error = SmtpError.fromNodemailer(
      Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 Mailbox unavailable"), {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        response: '550 5.1.1 Mailbox unavailable',
        responseCode: 550,
        rejectedErrors: [
          { recipient: 'a@example.test', response: '550 5.1.1 Mailbox unavailable', responseCode: 550 },
          { recipient: 'b@example.test', response: '553 5.1.3 Bad address', responseCode: 553 },
        ],
      }),
    );
    expect(error).toMatchObject({ permanent: true, transient: false, responseCode: 'SMTP_550', command: 'RCPT TO' });
    expect(error.message).toBe('all recipients were rejected: a@example.test: 550 5.1.1 Mailbox unavailable; b@example.test: 553 5.1.3 Bad address');
  });

  it('is transient when one of the refusals was 4xx, whatever reply nodemailer picked', () => {
    const error = SmtpError.fromNodemailer({
      code: 'EENVELOPE',
      response: '550 5.1.1 Mailbox unavailable',
      responseCode: 550,
      rejectedErrors: [
        { recipient: 'a@example.test', response: '550 5.1.1 Mailbox unavailable', responseCode: 550 },
        { recipient: 'b@example.test', response: '451 4.3.0 Try later', responseCode: 451 },
      ],
    });
    expect(error).toMatchObject({ transient: true, permanent: false, responseCode: 'SMTP_451' });
  });

  it('keeps a connection failure transient and never carries what it was not given', () => {
    const error = SmtpError.fromNodemailer(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNECTION', command: 'CONN' }));
    expect(error).toMatchObject({ name: 'SmtpError', transient: true, responseCode: 'SMTP_ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1', rejected: [] });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'SmtpError', code: 'ECONNECTION', permanent: false });
  });
});
