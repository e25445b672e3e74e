// Bodies of the SMTP sink's control API (/_sandbox/smtp/...), validated so that a bad one is a 400
// naming the field (control/control-body.ts).

import { z } from 'zod';

const code = z.number().int().min(400).max(599);

export const smtpRuleSchema = z.strictObject({
  recipient: z.string().min(1).max(320),
  stage: z.enum(['rcpt', 'data']).optional(),
  code,
  message: z.string().min(1).max(500).optional(),
  times: z.number().int().min(1).max(1_000_000).optional(),
});

/** PUT rules: the whole list (replacing the previous one). */
export const smtpRulesSchema = z.strictObject({ rules: z.array(smtpRuleSchema).max(1_000) });

export const smtpOutageSchema = z.strictObject({
  mode: z.enum(['refuse', 'reject']),
  /** For 'reject': the greeting's code (421 unless told otherwise). */
  code: z.number().int().min(400).max(599).optional(),
  message: z.string().min(1).max(500).optional(),
});

export const messageFilterSchema = z.strictObject({
  to: z.string().min(1).optional(),
  from: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  messageId: z.string().min(1).optional(),
});
