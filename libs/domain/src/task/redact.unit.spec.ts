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
