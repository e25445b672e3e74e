import { describe, expect, it } from 'vitest';
import { scrubbedPayload } from './dead-letter-payload.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('scrubbedPayload', () => {
  it('keeps a payload with nothing to mask byte for byte', () => {
    const data = bytes('{ "name": "clone",  "subtasks": [] }');
    expect(scrubbedPayload(data)).toBe(data);
  });

  it('keeps a poison payload nested 10,000 levels deep without overflowing the stack, cut at the bound', () => {
    const deep = `${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
    const out = Buffer.from(scrubbedPayload(bytes(deep))).toString('utf8');
    expect(out.length).toBeLessThan(1000);
    expect(out).toContain('[REDACTED]');
    expect(() => JSON.parse(out)).not.toThrow();
  });
});
