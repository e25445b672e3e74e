// The participant's access mail (queue `mails`, action `lab_access`): where to open the lab, which
// connection, and the Guacamole password, derived from LAB_CREDENTIALS_KEY when the mail is made (the
// same derivation the Guacamole provisioning used). The password is in the mail only: never in the
// job's params, the log, the mail log or the logs.

import { deriveLabPassword, LAB_PASSWORD_PURPOSE } from '@vle/integrations';
import { PermanentJobError, type JobHandler } from '@vle/messaging';
import { createSendMailHandler, type MailJobDeps, type MailParams } from './send-mail.handler.js';

export interface LabAccess {
  readonly credentialsKey: string;
  /** Where participants open Guacamole in their browser. */
  readonly guacamoleUrl: string;
}

export function createLabAccessMailHandler(deps: MailJobDeps, access: LabAccess): JobHandler {
  return createSendMailHandler(deps, (params) => composeLabAccess(params, access));
}

export function composeLabAccess(params: Record<string, unknown>, access: LabAccess): MailParams {
  const text = (key: string): string => {
    const value = params[key];
    if (typeof value !== 'string' || value === '') throw new PermanentJobError(`job params.${key} is required`, 'BAD_PARAMS');
    return value;
  };
  const to = params.to;
  if (!Array.isArray(to) || to.length === 0 || to.some((a) => typeof a !== 'string' || a === '')) throw new PermanentJobError('job params.to must be a list of addresses', 'BAD_PARAMS');
  const username = text('username');
  const password = deriveLabPassword(access.credentialsKey, LAB_PASSWORD_PURPOSE.guacamoleUser, username);
  const eventName = text('eventName');
  return {
    to: to as string[],
    cc: [],
    subject: `Your lab machine for ${eventName} is ready`,
    text: [
      `Hello ${text('fullName')},`,
      '',
      `your lab machine for "${eventName}" is ready. It is yours from ${text('startsAt')} to ${text('endsAt')} (UTC).`,
      '',
      `Open ${access.guacamoleUrl} in your browser and sign in with`,
      `  user name: ${username}`,
      `  password:  ${password}`,
      `then choose the connection "${text('connectionName')}".`,
      '',
    ].join('\n'),
  };
}
