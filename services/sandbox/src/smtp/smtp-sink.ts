// What the SMTP sink knows, apart from sockets: the mails it accepted, the refusals it was told to
// give, and whether it is "down". The server adapter (smtp.server.ts) asks it at every command.

import { SmtpRules, type SmtpAnswer, type SmtpRuleSpec, type SmtpStage } from './smtp-rules.js';

export interface ReceivedMail {
  /** 1, 2, ... in order of arrival. */
  readonly id: number;
  readonly receivedAt: string;
  /** MAIL FROM and the accepted RCPT TO addresses: who it was delivered to (Bcc included). */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly messageId?: string;
  readonly from?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  /** Lower-case header names; the last value of a repeated header. */
  readonly headers: Readonly<Record<string, string>>;
  /** The user of SMTP AUTH, when the client logged in (the password is never kept). */
  readonly authUser?: string;
}

export type NewMail = Omit<ReceivedMail, 'id' | 'receivedAt'>;

/** 'refuse': nothing listens (ECONNREFUSED); 'reject': every connection is greeted with 421 and closed. */
export type SmtpOutage = { readonly mode: 'refuse' } | { readonly mode: 'reject'; readonly code: number; readonly message: string };

export interface MailFilter {
  /** A recipient (envelope, To or Cc), case-insensitive. */
  readonly to?: string;
  readonly from?: string;
  /** A substring of the subject. */
  readonly subject?: string;
  readonly messageId?: string;
}

export class SmtpSink {
  readonly rules = new SmtpRules();
  private mails: ReceivedMail[] = [];
  private nextId = 1;
  private outageState?: SmtpOutage;
  /** Told when the outage changes, so that the adapter stops or starts listening. */
  onOutageChange: (outage: SmtpOutage | undefined) => Promise<void> = async () => undefined;

  constructor(private readonly now: () => number = Date.now) {}

  record(mail: NewMail): ReceivedMail {
    const stored: ReceivedMail = { id: this.nextId++, receivedAt: new Date(this.now()).toISOString(), ...mail };
    this.mails.push(stored);
    return stored;
  }

  messages(filter: MailFilter = {}): ReceivedMail[] {
    const lower = (s: string | undefined) => s?.toLowerCase();
    return this.mails.filter((mail) => {
      if (filter.to) {
        const wanted = lower(filter.to);
        if (![...mail.envelope.to, ...mail.to, ...mail.cc].some((address) => lower(address) === wanted)) return false;
      }
      if (filter.from && lower(mail.envelope.from) !== lower(filter.from) && !lower(mail.from)?.includes(lower(filter.from)!)) return false;
      if (filter.subject && !mail.subject?.includes(filter.subject)) return false;
      return !filter.messageId || mail.messageId === filter.messageId || mail.messageId === `<${filter.messageId}>`;
    });
  }

  clearMessages(): number {
    const count = this.mails.length;
    this.mails = [];
    return count;
  }

  answerFor(stage: SmtpStage, recipient: string): SmtpAnswer | undefined {
    return this.rules.answerFor(stage, recipient);
  }

  setRules(specs: readonly SmtpRuleSpec[]) {
    return this.rules.set(specs);
  }

  get outage(): SmtpOutage | undefined {
    return this.outageState;
  }

  async setOutage(outage: SmtpOutage | undefined): Promise<void> {
    this.outageState = outage;
    await this.onOutageChange(outage);
  }

  async reset(): Promise<void> {
    this.mails = [];
    this.nextId = 1;
    this.rules.clear();
    if (this.outageState) await this.setOutage(undefined);
  }

  state() {
    return { messages: this.mails.length, rules: this.rules.list(), outage: this.outageState ?? null };
  }
}
