import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks passwords in URLs and keeps the rest readable', () => {
    expect(redactSecrets('connect postgres://app:s3cret@db:5432/vle_tasks failed')).toBe('connect postgres://app:[REDACTED]@db:5432/vle_tasks failed');
    expect(redactSecrets('nats://u:p@a:4222,nats://u:p@b:4222')).toBe('nats://u:[REDACTED]@a:4222,nats://u:[REDACTED]@b:4222');
    expect(redactSecrets('postgres://postgres@127.0.0.1:5432/vle_tasks')).toBe('postgres://postgres@127.0.0.1:5432/vle_tasks');
  });

  it('masks Proxmox API tokens and bearer tokens', () => {
    expect(redactSecrets('Authorization: PVEAPIToken=root@pam!ci=0b2f-11aa')).toBe('Authorization: PVEAPIToken=root@pam!ci=[REDACTED]');
    expect(redactSecrets('Bearer eyJhbGciOi.abc.def')).toBe('Bearer [REDACTED]');
  });

  it('walks plain objects and arrays without mutating them', () => {
    const input = { error: { message: 'postgres://a:b@h/db' }, list: ['redis://x:y@h'] };
    expect(redactDeep(input)).toEqual({ error: { message: 'postgres://a:[REDACTED]@h/db' }, list: ['redis://x:[REDACTED]@h'] });
    expect(input.error.message).toBe('postgres://a:b@h/db');
  });
});

describe('log scrubbing (whole-word keys, secrets in text)', () => {
  it('masks key/pin/otp/pw fields and token query parameters in a log record, keeps look-alikes', () => {
    const record = { message: 'GET https://m.example/server.php?wstoken=c4n4ry-1&x=1 failed', params: { key: 'c4n4ry-2', pin: 'c4n4ry-3', otp: 'c4n4ry-4', pw: 'c4n4ry-5', keyboard: 'de' } };
    const out = redactDeep(record) as typeof record;
    expect(JSON.stringify(out)).not.toContain('c4n4ry');
    expect(out.params.keyboard).toBe('de');
    expect(out.message).toBe('GET https://m.example/server.php?wstoken=[REDACTED]&x=1 failed');
  });
});
