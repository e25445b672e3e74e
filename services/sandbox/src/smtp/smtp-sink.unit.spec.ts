import { describe, expect, it } from 'vitest';
import { SmtpRules } from './smtp-rules.js';
import { SmtpSink, type NewMail } from './smtp-sink.js';

const mail = (to: string[], subject = 'Hello', extra: Partial<NewMail> = {}): NewMail => ({
  envelope: { from: 'noreply@openvle.local', to },
  to,
  cc: [],
  subject,
  headers: {},
  ...extra,
});

describe('SmtpRules', () => {
  it('refuses an exact address case-insensitively, at its stage only', () => {
    const rules = new SmtpRules();
    rules.set([{ recipient: 'Bob@Example.test', code: 550 }]);
    expect(rules.answerFor('rcpt', 'bob@example.test')).toEqual({ code: 550, message: '5.1.1 Mailbox unavailable' });
    expect(rules.answerFor('data', 'bob@example.test')).toBeUndefined();
    expect(rules.answerFor('rcpt', 'bobby@example.test')).toBeUndefined();
  });

  it('matches patterns with *, and nothing else of the pattern is special', () => {
    const rules = new SmtpRules();
    rules.set([{ recipient: '*@bounce.test', code: 553, message: '5.1.3 Bad address' }]);
    expect(rules.answerFor('rcpt', 'a.b@bounce.test')?.code).toBe(553);
    expect(rules.answerFor('rcpt', 'a@bounceXtest')).toBeUndefined();
  });

  it('"451 twice then accept": a rule with times is spent after that many refusals', () => {
    const rules = new SmtpRules();
    rules.set([{ recipient: 'slow@example.test', code: 451, times: 2 }]);
    expect([1, 2, 3].map(() => rules.answerFor('rcpt', 'slow@example.test')?.code)).toEqual([451, 451, undefined]);
    expect(rules.list()[0]).toMatchObject({ hits: 2, times: 2 });
  });

  it('the first live rule wins, a spent one gives way to the next', () => {
    const rules = new SmtpRules();
    rules.set([
      { recipient: 'x@example.test', code: 421, times: 1 },
      { recipient: '*@example.test', code: 550, stage: 'rcpt' },
    ]);
    expect(rules.answerFor('rcpt', 'x@example.test')?.code).toBe(421);
    expect(rules.answerFor('rcpt', 'x@example.test')?.code).toBe(550);
  });
});

describe('SmtpSink', () => {
  it('keeps mails in order with ids and filters them by recipient, sender, subject and Message-ID', () => {
    const sink = new SmtpSink(() => Date.UTC(2026, 0, 1));
    sink.record(mail(['a@example.test'], 'First', { messageId: '<one@openvle.local>', cc: ['c@example.test'] }));
    sink.record(mail(['b@example.test'], 'Second'));
    expect(sink.messages().map((m) => [m.id, m.subject, m.receivedAt])).toEqual([
      [1, 'First', '2026-01-01T00:00:00.000Z'],
      [2, 'Second', '2026-01-01T00:00:00.000Z'],
    ]);
    expect(sink.messages({ to: 'C@example.test' }).map((m) => m.id)).toEqual([1]);
    expect(sink.messages({ subject: 'Sec' }).map((m) => m.id)).toEqual([2]);
    expect(sink.messages({ messageId: 'one@openvle.local' }).map((m) => m.id)).toEqual([1]);
    expect(sink.messages({ from: 'other@example.test' })).toEqual([]);
    expect(sink.clearMessages()).toBe(2);
    expect(sink.messages()).toEqual([]);
  });

  it('reset forgets mails, rules and the outage, and tells the server to listen again', async () => {
    const sink = new SmtpSink();
    const told: unknown[] = [];
    sink.onOutageChange = async (outage) => void told.push(outage ?? null);
    sink.record(mail(['a@example.test']));
    sink.setRules([{ recipient: 'a@example.test', code: 550 }]);
    await sink.setOutage({ mode: 'refuse' });
    await sink.reset();
    expect(sink.state()).toEqual({ messages: 0, rules: [], outage: null });
    expect(told).toEqual([{ mode: 'refuse' }, null]);
    expect(sink.record(mail(['a@example.test'])).id).toBe(1);
  });
});
