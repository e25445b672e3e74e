// The SMTP sink over real SMTP, driven by the mail client integration-worker uses (nodemailer) and by
// a raw socket; its control API over HTTP.

import { createConnection } from 'node:net';
import { isSmtpError, MailClient, type SmtpError } from '@vle/integrations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessSandbox, type InProcessSandbox } from '../testing/in-process-sandbox.js';

let sandbox: InProcessSandbox;
let client: MailClient;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  client = new MailClient({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false, from: 'OpenVLE <noreply@openvle.local>', timeoutMs: 2_000 });
});

afterAll(async () => {
  client.close();
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.smtp('POST', 'reset');
});

async function failure(work: Promise<unknown>): Promise<SmtpError> {
  const error = await work.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  if (!isSmtpError(error)) throw error;
  return error;
}

/** A raw SMTP dialogue: sends each line after the previous answer, returns the answers. */
async function dialogue(lines: string[]): Promise<string[]> {
  const socket = createConnection({ host: '127.0.0.1', port: sandbox.smtpPort });
  const answers: string[] = [];
  let buffer = '';
  let pending = [...lines];
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve(answers));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      // A reply ends with a line "NNN text" (a dash after the code continues it).
      while (/^\d{3} .*\r\n/m.test(buffer)) {
        const end = buffer.search(/^\d{3} .*\r\n/m);
        const line = /^\d{3} .*\r\n/m.exec(buffer.slice(end))![0];
        answers.push(line.trim());
        buffer = buffer.slice(end + line.length);
        const next = pending.shift();
        if (next === undefined) socket.end();
        else socket.write(`${next}\r\n`);
      }
    });
    pending = [...lines];
  });
}

describe('delivery', () => {
  it('stores what nodemailer sent: envelope, headers, subject, text, html, Message-ID', async () => {
    const result = await client.sendMail({ to: ['ada@example.test', 'bob@example.test'], cc: ['cc@example.test'], subject: 'Lab 42 ist bereit – Zugang', text: 'Hello Ada,\nyour lab is ready.', html: '<p>Hello Ada</p>', messageId: '<fixed-1@openvle.local>' });
    expect(result).toMatchObject({ messageId: '<fixed-1@openvle.local>', accepted: ['ada@example.test', 'bob@example.test', 'cc@example.test'], rejected: [] });
    expect(result.response).toMatch(/^250 /);
    const { count, messages } = await sandbox.smtp('GET', 'messages?to=bob@example.test');
    expect(count).toBe(1);
    expect(messages[0]).toMatchObject({
      id: 1,
      envelope: { from: 'noreply@openvle.local', to: ['ada@example.test', 'bob@example.test', 'cc@example.test'] },
      messageId: '<fixed-1@openvle.local>',
      from: '"OpenVLE" <noreply@openvle.local>',
      to: ['ada@example.test', 'bob@example.test'],
      cc: ['cc@example.test'],
      subject: 'Lab 42 ist bereit – Zugang',
      text: 'Hello Ada,\nyour lab is ready.',
      html: '<p>Hello Ada</p>',
    });
    expect(messages[0].headers['message-id']).toBe('<fixed-1@openvle.local>');
    expect((await sandbox.smtp('GET', 'messages?messageId=fixed-1@openvle.local')).count).toBe(1);
    expect((await sandbox.smtp('GET', 'messages?to=nobody@example.test')).count).toBe(0);
    expect(await sandbox.smtp('DELETE', 'messages')).toEqual({ deleted: 1 });
  });

  it('speaks plain SMTP to a raw socket', async () => {
    const answers = await dialogue(['EHLO raw.test', 'MAIL FROM:<raw@example.test>', 'RCPT TO:<x@example.test>', 'DATA', 'Subject: raw\r\n\r\nbody\r\n.', 'QUIT']);
    expect(answers.map((a) => a.slice(0, 3))).toEqual(['220', '250', '250', '250', '354', '250', '221']);
    expect((await sandbox.smtp('GET', 'messages')).messages[0]).toMatchObject({ envelope: { from: 'raw@example.test', to: ['x@example.test'] }, subject: 'raw', text: 'body\n' });
  });
});

describe('refusals', () => {
  it('a partial refusal is a result with the refused recipient\'s answer; the mail reaches the others', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: 'gone@example.test', code: 550, message: '5.1.1 <gone@example.test>: Recipient address rejected' });
    const result = await client.sendMail({ to: ['ok@example.test', 'gone@example.test'], subject: 's', text: 't' });
    expect(result.accepted).toEqual(['ok@example.test']);
    expect(result.rejected).toEqual([{ recipient: 'gone@example.test', responseCode: 550, response: '550 5.1.1 <gone@example.test>: Recipient address rejected' }]);
    expect((await sandbox.smtp('GET', 'messages')).messages[0].envelope.to).toEqual(['ok@example.test']);
  });

  it('all recipients refused with 5xx: a permanent SmtpError with the server\'s answer', async () => {
    await sandbox.smtp('PUT', 'rules', { rules: [{ recipient: '*@bounce.test', code: 550 }] });
    const error = await failure(client.sendMail({ to: ['a@bounce.test'], subject: 's', text: 't' }));
    expect(error).toMatchObject({ permanent: true, responseCode: 'SMTP_550', command: 'RCPT TO', code: 'EENVELOPE' });
    expect(error.message).toBe('all recipients were rejected: a@bounce.test: 550 5.1.1 Mailbox unavailable');
    expect((await sandbox.smtp('GET', 'messages')).count).toBe(0);
  });

  it('451 twice, then accepted: transient twice, delivered on the third try', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: 'slow@example.test', code: 451, times: 2 });
    for (let i = 0; i < 2; i++) expect(await failure(client.sendMail({ to: ['slow@example.test'], subject: 's', text: 't' }))).toMatchObject({ transient: true, responseCode: 'SMTP_451' });
    expect((await client.sendMail({ to: ['slow@example.test'], subject: 's', text: 't' })).accepted).toEqual(['slow@example.test']);
    expect((await sandbox.smtp('GET', 'state')).rules[0]).toMatchObject({ hits: 2, times: 2 });
  });

  it('a DATA refusal fails the whole mail with its code', async () => {
    await sandbox.smtp('PUT', 'rules', { recipient: 'big@example.test', stage: 'data', code: 552, message: '5.2.2 Mailbox full' });
    const error = await failure(client.sendMail({ to: ['big@example.test', 'ok@example.test'], subject: 's', text: 't' }));
    expect(error).toMatchObject({ permanent: true, responseCode: 'SMTP_552', command: 'DATA' });
  });

  it('refuses a bad rule with the field named', async () => {
    await expect(sandbox.smtp('PUT', 'rules', { recipient: 'x@example.test', code: 250 })).rejects.toThrow(/400.*"field":"code"/);
  });
});

describe('outage', () => {
  it('"reject" greets with 421 (transient); clearing it delivers again', async () => {
    await sandbox.smtp('PUT', 'outage', { mode: 'reject' });
    expect(await failure(client.sendMail({ to: ['a@example.test'], subject: 's', text: 't' }))).toMatchObject({ transient: true, responseCode: 'SMTP_421' });
    await sandbox.smtp('DELETE', 'outage');
    expect((await client.sendMail({ to: ['a@example.test'], subject: 's', text: 't' })).accepted).toEqual(['a@example.test']);
  });

  it('"refuse" stops listening (connection refused, transient); reset listens again on the same port', async () => {
    await sandbox.smtp('PUT', 'outage', { mode: 'refuse' });
    const refused = await failure(client.sendMail({ to: ['a@example.test'], subject: 's', text: 't' }));
    expect(refused).toMatchObject({ transient: true, responseCode: 'SMTP_ESOCKET' });
    expect(refused.message).toContain('ECONNREFUSED');
    await sandbox.smtp('POST', 'reset');
    expect((await client.sendMail({ to: ['a@example.test'], subject: 's', text: 't' })).accepted).toEqual(['a@example.test']);
  });
});

it('is listed among the simulators with its smtp:// URL', async () => {
  const info = (await (await fetch(`${sandbox.url}/_sandbox/info`)).json()) as { simulators: unknown[] };
  expect(info.simulators).toContainEqual({ name: 'smtp', baseUrl: `smtp://127.0.0.1:${sandbox.smtpPort}` });
});
