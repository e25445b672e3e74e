import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets (params)', () => {
  it('masks whole-word secret keys, key/pin/otp/pw included, and keeps look-alikes', () => {
    const params = { key: 'k', pin: '1234', otp: '987', pw: 'p', apikey: 'a', api_key: 'b', passphrase: 'c', private_key: 'd', client_secret: 'e', cookie: 'f', Authorization: 'g', 'x-api-key': 'h', userPassword: 'i' };
    const kept = { keyboard: 'qwerty', monkey: 'george', pinned: true, spinner: 'on', idempotencyKey: 'idem-1', keyword: 'lab', description: 'see https://x.example/?token=c4n4ry-t' };
    const out = redactSecrets({ ...params, ...kept, nested: [{ otp: '1' }] });
    expect(Object.fromEntries(Object.keys(params).map((key) => [key, out[key]]))).toEqual(Object.fromEntries(Object.keys(params).map((key) => [key, '[REDACTED]'])));
    expect(out).toMatchObject({ keyboard: 'qwerty', monkey: 'george', pinned: true, spinner: 'on', idempotencyKey: 'idem-1', keyword: 'lab', nested: [{ otp: '[REDACTED]' }] });
    expect(out.description).toBe('see https://x.example/?token=[REDACTED]');
  });
});
