// Secrets never reach the logs (DESIGN §7). Two layers: values under secret-looking keys are masked
// (Nest's `redact` option, SECRET_KEYS, and the contracts' whole-word rule in redactDeep), and the
// secrets inside any string (URL credentials, secret parameters, Authorization values) by the
// contracts' one scrubber.

import { isSecretKey, REDACTED, scrubText } from '@vle/contracts';

export { REDACTED };

/** Keys whose values are never logged, at any depth (compared case-insensitively by Nest). */
export const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiToken',
  'authorization',
  'cookie',
  'apiKey',
  'privateKey',
  'key',
  'pin',
  'otp',
  'pw',
  'pwd',
  'passphrase',
  'api_key',
  'private_key',
  'client_secret',
  'DATABASE_URL',
  'GUACAMOLE_PASSWORD',
  'LAB_CREDENTIALS_KEY',
  'PVE_TOKEN_SECRET',
  'SMTP_PASSWORD',
  'MOODLE_TOKEN',
  'OPENVLE_TOKEN',
] as const;

export function redactSecrets(text: string): string {
  return scrubText(text);
}

/** A URL that is safe to print: its password (if any) replaced. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

/** Applies redactSecrets to every string inside a JSON-like value (returns copies, never mutates). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isSecretKey(key) && item !== null ? REDACTED : redactDeep(item, depth + 1)]));
}
