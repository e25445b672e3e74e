// The SMTP sink on the wire: a real SMTP server (smtp-server, the library nodemailer's authors test
// against) that asks SmtpSink whether to refuse each RCPT TO and DATA, and hands it what it accepted.
// No TLS: the sink is plain SMTP on 127.0.0.1 for development and tests (SMTP_SECURE=false).

import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { SmtpSink } from './smtp-sink.js';

/** Above what nodemailer needs for any mail the handlers send; a larger one is refused with 552. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? '').filter(Boolean));
}

export class SmtpSinkServer {
  private server?: SMTPServer;
  private boundPort?: number;

  constructor(
    private readonly sink: SmtpSink,
    readonly host: string,
    private readonly port: number,
  ) {
    sink.onOutageChange = async (outage) => {
      if (outage?.mode === 'refuse') await this.stopListening();
      else if (!this.server) await this.listen();
    };
  }

  /** The port it listens on (the one the OS chose when asked for 0). */
  get listeningPort(): number {
    if (this.boundPort === undefined) throw new Error('the SMTP sink is not started');
    return this.boundPort;
  }

  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    await this.stopListening();
  }

  private async listen(): Promise<void> {
    const server = this.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // After an outage it comes back on the same port, so that clients find it again.
      server.listen(this.boundPort ?? this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A client that drops the connection must not crash the sandbox.
    server.on('error', () => undefined);
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private createServer(): SMTPServer {
    const sink = this.sink;
    return new SMTPServer({
      banner: 'OpenVLE sandbox SMTP sink',
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      size: MAX_MESSAGE_BYTES,
      logger: false,
      closeTimeout: 1_000,
      onConnect(_session, callback) {
        const outage = sink.outage;
        if (outage?.mode === 'reject') return callback(smtpError(outage.code, outage.message));
        callback();
      },
      onAuth(auth, _session, callback) {
        // Any credentials are good; only the user name is remembered.
        callback(null, { user: auth.username ?? 'anonymous' });
      },
      onRcptTo(address, _session, callback) {
        const refusal = sink.answerFor('rcpt', address.address);
        callback(refusal ? smtpError(refusal.code, refusal.message) : undefined);
      },
      onData(stream, session, callback) {
        void (async () => {
          let refusal: Error | undefined;
          try {
            await receive(sink, stream, session);
          } catch (error) {
            refusal = error as Error;
          }
          callback(refusal);
        })();
      },
    });
  }
}

async function receive(sink: SmtpSink, stream: NodeJS.ReadableStream & { sizeExceeded?: boolean }, session: SMTPServerSession): Promise<void> {
  const recipients = session.envelope.rcptTo.map((r) => r.address);
  const parsed = await simpleParser(stream as never);
  if (stream.sizeExceeded) throw smtpError(552, `5.3.4 Message exceeds the fixed maximum message size of ${MAX_MESSAGE_BYTES} bytes`);
  for (const recipient of recipients) {
    const refusal = sink.answerFor('data', recipient);
    if (refusal) throw smtpError(refusal.code, refusal.message);
  }
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
  const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  sink.record({
    envelope: { from: envelopeFrom, to: recipients },
    messageId: parsed.messageId,
    from: parsed.from?.text,
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    subject: parsed.subject,
    text: parsed.text,
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    headers,
    ...(session.user ? { authUser: String(session.user) } : {}),
  });
}
