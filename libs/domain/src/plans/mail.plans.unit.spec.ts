import { describe, expect, it } from 'vitest';
import { validateDag } from '../task/dag.js';
import { violation } from '../task/testing.js';
import { planMailCleanup, planMailSend } from './mail.plans.js';

describe('mail.send', () => {
  it('plans one send SubTask on mails, about a mail, carrying the mail', () => {
    const plan = planMailSend({ to: ['ada@example.test', 'bob@example.test'], cc: ['tutor@example.test'], subject: 'Lab 42 is ready', text: 'Hello', html: '<p>Hello</p>' }, {});
    expect(plan).toEqual({
      name: 'Send mail "Lab 42 is ready" to 3 recipients',
      objectType: 'mail',
      subtasks: [
        {
          key: 'send',
          name: 'Send mail to ada@example.test, bob@example.test (cc tutor@example.test)',
          action: 'send',
          queue: 'mails',
          objectType: 'mail',
          params: { to: ['ada@example.test', 'bob@example.test'], cc: ['tutor@example.test'], subject: 'Lab 42 is ready', text: 'Hello', html: '<p>Hello</p>' },
        },
      ],
    });
    expect(() => validateDag(plan.subtasks.map((s) => ({ ...s, id: s.key })))).not.toThrow();
  });

  it('leaves out cc and html when not given, names a single recipient and shortens a long subject', () => {
    const plan = planMailSend({ to: ['ada@example.test'], subject: 'x'.repeat(100), text: 'Hello' }, {});
    expect(plan.name).toBe(`Send mail "${'x'.repeat(59)}…" to ada@example.test`);
    expect(plan.subtasks[0]!.params).toEqual({ to: ['ada@example.test'], subject: 'x'.repeat(100), text: 'Hello' });
  });

  it.each([
    [{ to: ['a@example.test', 'A@example.test'] }, 'params.to[1]'],
    [{ to: ['a@example.test'], cc: ['b@example.test', 'a@example.test'] }, 'params.cc[1]'],
  ])('refuses a recipient listed twice: %j', (recipients, field) => {
    const error = violation(() => planMailSend({ subject: 's', text: 't', ...recipients }, {}));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', field });
    expect(error.message).toContain('already a recipient');
  });
});

it('mail.cleanup is one mail_cleanup SubTask on core_periodic', () => {
  expect(planMailCleanup({}, {}).subtasks).toEqual([expect.objectContaining({ key: 'mail-cleanup', action: 'mail_cleanup', queue: 'core_periodic', objectType: 'mail' })]);
});
