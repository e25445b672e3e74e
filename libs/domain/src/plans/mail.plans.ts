// The mail task types: one mail is one SubTask on `mails`, so that its attempts and the server's
// answer (accepted, refused recipients) are its own; the log's cleanup is one on `core_periodic`.

import { RuleViolation } from '../task/rule-violation.js';
import type { JsonObject } from '../task/events.js';
import type { Planner, PlanParams } from './task-plan.js';

const SUBJECT_IN_NAME = 60;

function addresses(params: PlanParams, key: 'to' | 'cc'): string[] {
  return Array.isArray(params[key]) ? (params[key] as string[]) : [];
}

/** A recipient listed twice would get the mail twice (or be refused twice): refused here, naming it. */
function checkDuplicates(to: readonly string[], cc: readonly string[]): void {
  const seen = new Map<string, string>();
  const check = (address: string, field: string) => {
    const key = address.toLowerCase();
    const first = seen.get(key);
    if (first) throw new RuleViolation('INVALID_PARAMS', `${field}: ${address} is already a recipient (${first})`, field);
    seen.set(key, field);
  };
  to.forEach((address, i) => check(address, `params.to[${i}]`));
  cc.forEach((address, i) => check(address, `params.cc[${i}]`));
}

export const planMailSend: Planner<PlanParams> = (params) => {
  const to = addresses(params, 'to');
  const cc = addresses(params, 'cc');
  checkDuplicates(to, cc);
  const subject = params.subject as string;
  const short = subject.length > SUBJECT_IN_NAME ? `${subject.slice(0, SUBJECT_IN_NAME - 1)}…` : subject;
  const recipients = to.length + cc.length;
  const mail: JsonObject = { to, subject, text: params.text as string };
  if (cc.length > 0) mail.cc = cc;
  if (typeof params.html === 'string' && params.html !== '') mail.html = params.html;
  return {
    name: `Send mail "${short}" to ${recipients === 1 ? to[0] : `${recipients} recipients`}`,
    objectType: 'mail',
    subtasks: [{ key: 'send', name: `Send mail to ${to.join(', ')}${cc.length ? ` (cc ${cc.join(', ')})` : ''}`, action: 'send', queue: 'mails', objectType: 'mail', params: mail }],
  };
};

export const planMailCleanup: Planner<PlanParams> = () => ({
  name: 'Email cleanup',
  objectType: 'mail',
  subtasks: [{ key: 'mail-cleanup', name: 'Delete old mails from the mail log', action: 'mail_cleanup', queue: 'core_periodic', objectType: 'mail' }],
});
