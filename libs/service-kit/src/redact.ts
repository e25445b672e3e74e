// Secrets never reach the logs (DESIGN §7). Two layers: values under secret-looking keys are masked
// (Nest's `redact` option, SECRET_KEYS), and credentials inside URLs in any string are masked here.

export const REDACTED = '[REDACTED]';

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
  'DATABASE_URL',
  'GUACAMOLE_PASSWORD',
  'LAB_CREDENTIALS_KEY',
  'PVE_TOKEN_SECRET',
  'SMTP_PASSWORD',
  'MOODLE_TOKEN',
  'OPENVLE_TOKEN',
] as const;

// scheme://user:password@host -> scheme://user:[REDACTED]@host; also `PVEAPIToken=user!id=secret`.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
const PVE_TOKEN = /(PVEAPIToken=[^\s=]+=)[^\s"',;]+/g;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/-]+=*/g;

export function redactSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`).replace(PVE_TOKEN, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
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
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]));
}
