// The variables of integration-worker's mail (queue `mails`, mail cleanup on `core_periodic`). The
// defaults reach the sandbox's SMTP sink (DESIGN §12), so that `npm start` works on a laptop.
// SMTP_PASSWORD is never logged (its key is a secret key for the logger's redaction).

import { z } from 'zod';
import { integerVariable } from '@vle/service-kit';

function textVariable<T extends string | undefined>(fallback: T, message: string, check: (raw: string) => boolean = (raw) => raw.trim() !== '') {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string | T => {
      if (raw === undefined) return fallback;
      if (!check(raw)) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return raw.trim();
    });
}

const booleanVariable = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return fallback;
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no', ''].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

/** `Name <address>` or a bare address. */
const MAILBOX = /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

export const mailVariables = {
  SMTP_HOST: textVariable('127.0.0.1', 'must be a host name or address'),
  SMTP_PORT: integerVariable(2525, 1, 65_535),
  /** TLS from the first byte (port 465); false: plain, upgraded by STARTTLS when the server offers it. */
  SMTP_SECURE: booleanVariable(false),
  SMTP_USER: textVariable(undefined, 'must not be blank'),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_FROM: textVariable('OpenVLE <noreply@openvle.local>', 'must be an address or "Name <address>"', (raw) => MAILBOX.test(raw.trim())),
  /** Upper bound of connecting, the greeting and each reply of the SMTP server. */
  SMTP_TIMEOUT_MS: integerVariable(30_000, 100, 600_000),
  /** Mail cleanup deletes the mail log's rows of mails older than this many weeks. */
  MAIL_MAX_AGE_WEEKS: integerVariable(4, 1, 520),
};

export interface MailConfig {
  readonly DATABASE_URL: string;
  readonly SMTP_HOST: string;
  readonly SMTP_PORT: number;
  readonly SMTP_SECURE: boolean;
  readonly SMTP_USER?: string;
  readonly SMTP_PASSWORD?: string;
  readonly MAIL_FROM: string;
  readonly SMTP_TIMEOUT_MS: number;
  readonly MAIL_MAX_AGE_WEEKS: number;
}
