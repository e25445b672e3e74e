// The SMTP client of integration-worker (nodemailer, one connection per mail). It reports what the
// server did with every recipient: a partial refusal is a result, not an error (reference §4); a
// mail no recipient accepted, or that never got through, is an SmtpError classified for the job
// runtime. No automatic retry here: retries are the queue's policy (DESIGN §6).

import { createTransport } from 'nodemailer';
import { rejectedRecipientOf, SmtpError, type RejectedRecipient } from './smtp-error.js';
import { instrumentSmtpCall } from '../external-calls.js';

export interface MailClientOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string;
  /** Never logged, never part of an error. */
  readonly password?: string;
  /** The From of every mail: `OpenVLE <noreply@openvle.local>`. */
  readonly from: string;
  /** Upper bound of connecting, the greeting and each later reply. */
  readonly timeoutMs: number;
}

export interface MailMessage {
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** `<id@domain>`; a stable one lets receivers tell a resent mail from a new one. */
  readonly messageId?: string;
}

export interface MailSendResult {
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
  /** The server's answer to DATA, e.g. `250 2.0.0 OK: queued as 12`. */
  readonly response: string;
}

interface NodemailerInfo {
  readonly messageId: string;
  readonly accepted: readonly (string | { address: string })[];
  readonly rejected: readonly (string | { address: string })[];
  readonly rejectedErrors?: readonly { recipient?: string; response?: string; responseCode?: number; message?: string }[];
  readonly response: string;
}

const addressOf = (a: string | { address: string }): string => (typeof a === 'string' ? a : a.address);

export class MailClient {
  private readonly transport;

  constructor(private readonly options: MailClientOptions) {
    this.transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      // Mails are built from job params: no file or URL of theirs is ever read.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  get from(): string {
    return this.options.from;
  }

  /** Resolves with every recipient's fate unless none accepted it (then an SmtpError). */
  async sendMail(message: MailMessage, signal?: AbortSignal): Promise<MailSendResult> {
    let info: NodemailerInfo;
    try {
      info = (await instrumentSmtpCall(this.options, () => this.transport.sendMail({
        from: this.options.from,
        to: [...message.to],
        ...(message.cc?.length ? { cc: [...message.cc] } : {}),
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        ...(signal ? { signal } : {}),
      }))) as unknown as NodemailerInfo;
    } catch (error) {
      throw SmtpError.fromNodemailer(error);
    }
    const rejectedErrors = (info.rejectedErrors ?? []).map(rejectedRecipientOf);
    const rejected = info.rejected.map(addressOf).map((recipient) => rejectedErrors.find((r) => r.recipient === recipient) ?? { recipient, response: '' });
    return { messageId: info.messageId, accepted: info.accepted.map(addressOf), rejected, response: info.response };
  }

  close(): void {
    this.transport.close();
  }
}
