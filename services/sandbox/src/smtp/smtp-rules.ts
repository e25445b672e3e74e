// Per-recipient refusals of the SMTP sink: "answer RCPT TO for x@y with 550", "451 twice, then
// accept". Plain data and a pure matcher, so that the server adapter only asks `answerFor`.

export type SmtpStage = 'rcpt' | 'data';

export interface SmtpRuleSpec {
  /** An address (case-insensitive), or a pattern where `*` stands for any characters: `*@bounce.test`. */
  readonly recipient: string;
  /** Which command is refused: RCPT TO for that recipient (default), or DATA of a mail to it. */
  readonly stage?: SmtpStage;
  /** 4xx (transient) or 5xx (permanent), RFC 5321 §4.2.1. */
  readonly code: number;
  /** Text after the code; the enhanced status code belongs here (`5.1.1 No such user`). */
  readonly message?: string;
  /** Only the first N matching commands are refused; then the rule is spent and the recipient accepted. */
  readonly times?: number;
}

export interface SmtpRule extends Required<Omit<SmtpRuleSpec, 'times'>> {
  readonly id: number;
  readonly times?: number;
  /** How often it refused so far. */
  hits: number;
}

export interface SmtpAnswer {
  readonly code: number;
  readonly message: string;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  421: '4.3.2 Service not available, closing transmission channel',
  450: '4.2.1 Mailbox unavailable, try again later',
  451: '4.3.0 Local error in processing, try again later',
  452: '4.2.2 Insufficient system storage',
  550: '5.1.1 Mailbox unavailable',
  551: '5.1.6 User not local',
  552: '5.2.2 Mailbox full',
  553: '5.1.3 Mailbox name not allowed',
  554: '5.7.1 Transaction failed',
};

export function defaultMessageOf(code: number): string {
  return DEFAULT_MESSAGES[code] ?? (code >= 500 ? '5.0.0 Refused' : '4.0.0 Try again later');
}

function matcherOf(pattern: string): (address: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.includes('*')) return (address) => address.toLowerCase() === lower;
  const source = lower.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(`^${source}$`);
  return (address) => regex.test(address.toLowerCase());
}

/** The rules in the order they were set; the first live rule that matches answers. */
export class SmtpRules {
  private rules: SmtpRule[] = [];
  private nextId = 1;

  set(specs: readonly SmtpRuleSpec[]): SmtpRule[] {
    this.rules = specs.map((spec) => ({
      id: this.nextId++,
      recipient: spec.recipient,
      stage: spec.stage ?? 'rcpt',
      code: spec.code,
      message: spec.message ?? defaultMessageOf(spec.code),
      ...(spec.times === undefined ? {} : { times: spec.times }),
      hits: 0,
    }));
    return this.list();
  }

  clear(): void {
    this.rules = [];
  }

  list(): SmtpRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** The refusal of `stage` for `recipient`, counting it against the rule's `times`; none: accept. */
  answerFor(stage: SmtpStage, recipient: string): SmtpAnswer | undefined {
    const rule = this.rules.find((r) => r.stage === stage && (r.times === undefined || r.hits < r.times) && matcherOf(r.recipient)(recipient));
    if (!rule) return undefined;
    rule.hits++;
    return { code: rule.code, message: rule.message };
  }
}
