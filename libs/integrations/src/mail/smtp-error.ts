// Errors of the mail client, classified as reference §4 says (RFC 5321 §4.2.1): a 4xx answer or a
// connection that failed is transient (retried per the `mails` queue policy), a 5xx answer is
// permanent, and so are EAUTH/ENOAUTH/ETLS/ECONFIG without a 4xx code (a configuration to fix). The
// job runtime reads `permanent` and `responseCode` by shape, without importing this library.

import type { JobFailure } from '@vle/domain';

/** One recipient the server refused, with its answer. */
export interface RejectedRecipient {
  readonly recipient: string;
  /** 550, 451, ...; undefined when the server's line had no code. */
  readonly responseCode?: number;
  /** The server's line, e.g. `550 5.1.1 Mailbox unavailable`. */
  readonly response: string;
}

/** What nodemailer's errors carry (lib/smtp-connection `_formatError`). */
interface NodemailerErrorShape {
  readonly message?: string;
  readonly code?: string;
  readonly command?: string;
  readonly response?: string;
  readonly responseCode?: number;
  readonly rejectedErrors?: readonly NodemailerErrorShape[];
  readonly recipient?: string;
}

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ESTREAM', 'EPROTOCOL']);
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS']);

export interface SmtpClassification {
  readonly transient: boolean;
  /** SMTP_<reply code> (SMTP_550), else SMTP_<nodemailer code> (SMTP_ECONNECTION), else SMTP_ERROR. */
  readonly responseCode: string;
}

/**
 * Transient or permanent, by the server's reply code first (a relay answering 454 to AUTH or 421 to a
 * rate limit asks us to come back later), then by nodemailer's error code. An error with neither is
 * transient: the queue's retries bound it, and a mail lost to a hiccup costs more than one more try.
 */
export function classifySmtpError(code: string | undefined, replyCode: number | undefined): SmtpClassification {
  if (replyCode !== undefined && replyCode >= 400 && replyCode <= 599) return { transient: replyCode < 500, responseCode: `SMTP_${replyCode}` };
  const responseCode = code ? `SMTP_${code}` : 'SMTP_ERROR';
  if (code && TRANSIENT_CODES.has(code)) return { transient: true, responseCode };
  if (code && PERMANENT_CODES.has(code)) return { transient: false, responseCode };
  return { transient: true, responseCode };
}

export interface SmtpErrorInit {
  readonly message: string;
  readonly code?: string;
  readonly command?: string;
  readonly response?: string;
  readonly replyCode?: number;
  readonly rejected?: readonly RejectedRecipient[];
}

/** A mail the SMTP server refused or that could not be handed over. Carries no credentials. */
export class SmtpError extends Error implements JobFailure {
  declare readonly name: string;
  /** nodemailer's code: ECONNECTION, EENVELOPE, EAUTH, ... */
  readonly code?: string;
  /** The SMTP command that was refused: `RCPT TO`, `DATA`, `AUTH PLAIN`, `CONN`. */
  readonly command?: string;
  /** The server's line, e.g. `550 5.1.1 Mailbox unavailable`. */
  readonly response?: string;
  readonly replyCode?: number;
  /** Every recipient refused (EENVELOPE: all of them). */
  readonly rejected: readonly RejectedRecipient[];
  readonly transient: boolean;
  /** `!transient`, read by the job runtime's `isPermanent`. */
  readonly permanent: boolean;
  /** SMTP_550, SMTP_ECONNECTION, ..., read by `responseCodeOf`. */
  readonly responseCode: string;

  constructor(init: SmtpErrorInit) {
    super(init.message);
    if (init.code) this.code = init.code;
    if (init.command) this.command = init.command;
    if (init.response) this.response = init.response;
    if (init.replyCode !== undefined) this.replyCode = init.replyCode;
    this.rejected = init.rejected ?? [];
    const rejectedCodes = this.rejected.map((r) => r.responseCode);
    // All recipients refused: permanent only when every refusal was (nodemailer reports a 4xx one
    // when there is one, but says so only through the reply it picks).
    const replyCode = rejectedCodes.length > 0 && rejectedCodes.every((c) => c !== undefined) ? (rejectedCodes.find((c) => c! < 500) ?? init.replyCode) : init.replyCode;
    const { transient, responseCode } = classifySmtpError(init.code, replyCode);
    this.transient = transient;
    this.permanent = !transient;
    this.responseCode = responseCode;
  }

  /** The error of a failed nodemailer send. */
  static fromNodemailer(error: unknown): SmtpError {
    if (error instanceof SmtpError) return error;
    const shape = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerErrorShape;
    const rejected = (shape.rejectedErrors ?? []).map(rejectedRecipientOf);
    const message =
      shape.code === 'EENVELOPE' && rejected.length > 0
        ? `all recipients were rejected: ${rejected.map((r) => `${r.recipient}: ${r.response}`).join('; ')}`
        : (shape.message ?? 'unknown SMTP error');
    return new SmtpError({ message, code: shape.code, command: shape.command, response: shape.response, replyCode: shape.responseCode, rejected });
  }

  toJSON(): Record<string, unknown> {
    const { name, message, code, command, response, replyCode, rejected, transient, permanent, responseCode } = this;
    return { name, message, code, command, response, replyCode, rejected, transient, permanent, responseCode };
  }
}

Object.defineProperty(SmtpError.prototype, 'name', { value: 'SmtpError', writable: true, configurable: true });

export function isSmtpError(error: unknown): error is SmtpError {
  return error instanceof SmtpError;
}

export function rejectedRecipientOf(error: NodemailerErrorShape): RejectedRecipient {
  const response = error.response ?? error.message ?? '';
  const code = error.responseCode ?? (Number(/^\d{3}/.exec(response)?.[0]) || undefined);
  return { recipient: error.recipient ?? '', response, ...(code === undefined ? {} : { responseCode: code }) };
}
