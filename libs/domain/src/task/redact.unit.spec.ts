import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from './events.js';
import { REDACTED, redactSecrets } from './redact.js';

function nested(depth: number, leaf: JsonValue): JsonObject {
  let value: JsonValue = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { level: value } : [value];
  return { root: value };
}

function leafOf(value: JsonValue, depth: number): JsonValue {
  let current = (value as JsonObject).root!;
  for (let i = depth - 1; i >= 0; i--) current = i % 2 === 0 ? (current as JsonObject).level! : (current as JsonValue[])[0]!;
  return current;
}

describe('redactSecrets', () => {
  it('redacts a secret 10,000 levels down without overflowing the stack', () => {
    const redacted = redactSecrets(nested(10_000, { password: 'hunter2', user: 'bob' }));
    expect(leafOf(redacted, 10_000)).toEqual({ password: REDACTED, user: 'bob' });
  });

  it('keeps the shape, order and values of everything else, and leaves its input alone', () => {
    const params: JsonObject = { b: [1, 'two', null, { apiToken: 't', keep: true }], a: { nested: { secret: null, privateKey: 'k' } } };
    const copy = structuredClone(params);
    expect(redactSecrets(params)).toEqual({ b: [1, 'two', null, { apiToken: REDACTED, keep: true }], a: { nested: { secret: null, privateKey: REDACTED } } });
    expect(Object.keys(redactSecrets(params))).toEqual(['b', 'a']);
    expect(params).toEqual(copy);
  });

  it('keeps a __proto__ key as data instead of setting the prototype', () => {
    const params = JSON.parse('{"__proto__":{"token":"t","x":1}}') as JsonObject;
    const redacted = redactSecrets(params);
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(redacted, '__proto__')?.value).toEqual({ token: REDACTED, x: 1 });
  });
});

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
