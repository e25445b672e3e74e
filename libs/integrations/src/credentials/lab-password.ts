// Passwords of a lab's accounts (the participant's Guacamole user, the VM's remote-desktop login),
// derived instead of stored: SubTask params are redacted before they reach the log (DESIGN §7), so a
// job never carries a secret, and the worker that creates an account, a retry of it and the mail
// that tells the participant all compute the same password from one configured key.

import { createHmac } from 'node:crypto';

/** What a derived password is for; the mail and event parts use the same names. */
export const LAB_PASSWORD_PURPOSE = {
  /** The participant's Guacamole user; subject: the Guacamole username. */
  guacamoleUser: 'guacamole-user',
  /** The login Guacamole uses on the VM (RDP/VNC); subject: the connection's name. */
  vmLogin: 'vm-login',
} as const;

export const LAB_PASSWORD_LENGTH = 20;

// Without look-alikes (0/O, 1/l/I), since people type these from a mail.
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const ALPHABET = UPPER + LOWER + DIGITS;
const CLASSES = [UPPER, LOWER, DIGITS];

/**
 * A 20-character password of upper- and lower-case letters and digits (at least one of each; about
 * 114 bits), from HMAC-SHA256 of `purpose` and `subject` under `key`. Deterministic: the same three
 * inputs always give the same password; another key, purpose or subject gives an unrelated one.
 */
export function deriveLabPassword(key: string | Buffer, purpose: string, subject: string): string {
  if (key.length === 0) throw new Error('deriveLabPassword: the key is empty');
  if (!purpose) throw new Error('deriveLabPassword: the purpose is empty');
  if (!subject) throw new Error('deriveLabPassword: the subject is empty');
  const bytes = byteStream(key, purpose, subject);
  // Rejection sampling keeps every character equally likely (256 is no multiple of the alphabet).
  const pick = (set: string): string => {
    const limit = 256 - (256 % set.length);
    for (;;) {
      const byte = bytes();
      if (byte < limit) return set[byte % set.length]!;
    }
  };
  const chars = Array.from({ length: LAB_PASSWORD_LENGTH }, () => pick(ALPHABET));
  // A class that is missing replaces a character whose class occurs more than once.
  for (const set of CLASSES) {
    if (chars.some((c) => set.includes(c))) continue;
    const spare = chars.map((c, i) => ({ c, i })).filter(({ c }) => chars.filter((d) => classOf(d) === classOf(c)).length > 1);
    const slot = spare[bytes() % spare.length]!.i;
    chars[slot] = pick(set);
  }
  return chars.join('');
}

function classOf(char: string): number {
  return CLASSES.findIndex((set) => set.includes(char));
}

/** HMAC blocks in counter mode (as HKDF-Expand), read one byte at a time. */
function byteStream(key: string | Buffer, purpose: string, subject: string): () => number {
  // Length-prefixed, so that ("a", "bc") and ("ab", "c") differ.
  const info = `${Buffer.byteLength(purpose)}:${purpose}\u0000${subject}`;
  let block = Buffer.alloc(0);
  let counter = 0;
  let offset = 0;
  return () => {
    if (offset >= block.length) {
      counter += 1;
      block = createHmac('sha256', key).update(info).update(Buffer.from([counter & 0xff])).digest();
      offset = 0;
    }
    return block[offset++]!;
  };
}
