// The participant's access mail (queue `mails`, action `lab_access`): where to open the lab, which
// connection, and the Guacamole password, derived from LAB_CREDENTIALS_KEY when the mail is made (the
// same derivation the Guacamole provisioning used). The password is in the mail only: never in the
// job's params, the log, the mail log or the logs.

import { deriveLabPassword, LAB_PASSWORD_PURPOSE } from '@vle/integrations';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import { Addresses, createMailSender, type MailJobDeps, type MailParams } from './send-mail.handler.js';

export interface LabAccess {
  readonly credentialsKey: string;
  /** Where participants open Guacamole in their browser. */
  readonly guacamoleUrl: string;
}

/** What an event's deploy gives the access mail SubTask (event-children.ts). */
const LabAccessParams = z.object({
  to: Addresses.min(1),
  username: z.string().min(1),
  fullName: z.string().min(1),
  eventName: z.string().min(1),
  startsAt: z.string().min(1),
  endsAt: z.string().min(1),
  connectionName: z.string().min(1),
});
export type LabAccessParams = z.output<typeof LabAccessParams>;

export function createLabAccessMailHandler(deps: MailJobDeps, access: LabAccess): JobHandler {
  const send = createMailSender(deps);
  return defineHandler(LabAccessParams, (params, job, context) => send(composeLabAccess(params, access), job, context));
}

export function composeLabAccess(params: LabAccessParams, access: LabAccess): MailParams {
  const password = deriveLabPassword(access.credentialsKey, LAB_PASSWORD_PURPOSE.guacamoleUser, params.username);
  return {
    to: params.to,
    cc: [],
    subject: `Your lab machine for ${params.eventName} is ready`,
    text: [
      `Hello ${params.fullName},`,
      '',
      `your lab machine for "${params.eventName}" is ready. It is yours from ${params.startsAt} to ${params.endsAt} (UTC).`,
      '',
      `Open ${access.guacamoleUrl} in your browser and sign in with`,
      `  user name: ${params.username}`,
      `  password:  ${password}`,
      `then choose the connection "${params.connectionName}".`,
      '',
    ].join('\n'),
  };
}
