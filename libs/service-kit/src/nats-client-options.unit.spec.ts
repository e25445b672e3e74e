import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { natsClientOptionsOf } from './nats-client-options.js';

const dir = mkdtempSync(join(tmpdir(), 'vle-nats-options-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function problems(config: Parameters<typeof natsClientOptionsOf>[0]): string[] {
  try {
    natsClientOptionsOf(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe('natsClientOptionsOf', () => {
  it('without a user: no credentials, the default inbox, no TLS', () => {
    expect(natsClientOptionsOf({})).toEqual({ inboxPrefix: '_INBOX' });
  });

  it("a user's replies arrive under an inbox of its own", () => {
    expect(natsClientOptionsOf({ NATS_USER: 'vm-clone-worker', NATS_PASSWORD: 'pw' })).toEqual({ user: 'vm-clone-worker', pass: 'pw', inboxPrefix: '_INBOX_vm-clone-worker' });
    expect(natsClientOptionsOf({ NATS_USER: 'a', NATS_PASSWORD: 'pw', NATS_INBOX_PREFIX: 'replies.a' }).inboxPrefix).toBe('replies.a');
  });

  it('reads the password from a file without its trailing newline', () => {
    expect(natsClientOptionsOf({ NATS_USER: 'a', NATS_PASSWORD_FILE: file('pw', 's3cret\n') }).pass).toBe('s3cret');
  });

  it('names the variable of a missing or contradictory setting, never the password', () => {
    expect(problems({ NATS_USER: 'a' })).toEqual(['NATS_PASSWORD: is required with NATS_USER (or NATS_PASSWORD_FILE)']);
    expect(problems({ NATS_PASSWORD: 'hunter2' })).toEqual(['NATS_USER: is required with a NATS password']);
    expect(problems({ NATS_USER: 'a', NATS_PASSWORD: 'hunter2', NATS_PASSWORD_FILE: file('pw2', 'x') })).toEqual(['NATS_PASSWORD_FILE: only one of NATS_PASSWORD, NATS_PASSWORD_FILE may be set']);
    expect(problems({ NATS_USER: 'a', NATS_PASSWORD_FILE: join(dir, 'absent') })).toEqual(['NATS_PASSWORD_FILE: cannot be read (ENOENT)']);
    expect(problems({ NATS_USER: 'a', NATS_PASSWORD: 'hunter2', NATS_TLS_CERT_FILE: file('c.pem', PEM) }).join()).not.toContain('hunter2');
  });

  it('TLS: checks the PEM files at boot and refuses an unreadable one, a non-PEM one, or a certificate without its key', () => {
    const ca = file('ca.pem', PEM);
    expect(natsClientOptionsOf({ NATS_TLS_CA_FILE: ca })).toEqual({ inboxPrefix: '_INBOX', tls: { caFile: ca } });
    expect(natsClientOptionsOf({ NATS_TLS_CERT_FILE: ca, NATS_TLS_KEY_FILE: ca }).tls).toEqual({ certFile: ca, keyFile: ca });
    expect(problems({ NATS_TLS_CA_FILE: join(dir, 'nope.pem') })).toEqual(['NATS_TLS_CA_FILE: cannot be read (ENOENT)']);
    expect(problems({ NATS_TLS_CA_FILE: file('bad.pem', 'not a certificate') })).toEqual([`NATS_TLS_CA_FILE: ${join(dir, 'bad.pem')} holds no PEM block`]);
    expect(problems({ NATS_TLS_CERT_FILE: ca })).toEqual(['NATS_TLS_KEY_FILE: is required with the other of NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE']);
  });
});
