import { describe, expect, it } from 'vitest';
import { deriveLabPassword, LAB_PASSWORD_LENGTH, LAB_PASSWORD_PURPOSE } from './lab-password.js';

const KEY = 'test-only-lab-credentials-key';

describe('deriveLabPassword', () => {
  it('is deterministic: a retry and the mail compute the same password', () => {
    const first = deriveLabPassword(KEY, LAB_PASSWORD_PURPOSE.guacamoleUser, 'ev42-s07');
    expect(deriveLabPassword(KEY, LAB_PASSWORD_PURPOSE.guacamoleUser, 'ev42-s07')).toBe(first);
    expect(deriveLabPassword(Buffer.from(KEY), LAB_PASSWORD_PURPOSE.guacamoleUser, 'ev42-s07')).toBe(first);
  });

  it('has 20 characters with upper, lower and digits, and no look-alikes', () => {
    for (let i = 0; i < 500; i++) {
      const password = deriveLabPassword(KEY, 'p', `subject-${i}`);
      expect(password).toHaveLength(LAB_PASSWORD_LENGTH);
      expect(password).toMatch(/^[A-Za-z0-9]+$/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).not.toMatch(/[0O1lI]/);
    }
  });

  it('differs by key, purpose and subject, and keeps purpose and subject apart', () => {
    const base = deriveLabPassword(KEY, 'vm-login', 'ev42-s07');
    const others = [
      deriveLabPassword('another-key', 'vm-login', 'ev42-s07'),
      deriveLabPassword(KEY, 'guacamole-user', 'ev42-s07'),
      deriveLabPassword(KEY, 'vm-login', 'ev42-s08'),
      deriveLabPassword(KEY, 'vm-login-ev42', '-s07'),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('spreads over the alphabet (no character is far more frequent than another)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of deriveLabPassword(KEY, 'p', String(i))) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(57);
    const values = [...counts.values()];
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(2);
  });

  it('refuses an empty key, purpose or subject', () => {
    expect(() => deriveLabPassword('', 'p', 's')).toThrow(/key is empty/);
    expect(() => deriveLabPassword(KEY, '', 's')).toThrow(/purpose is empty/);
    expect(() => deriveLabPassword(KEY, 'p', '')).toThrow(/subject is empty/);
  });
});
