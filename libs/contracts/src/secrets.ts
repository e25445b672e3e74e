// The one scrubber of secrets (DESIGN §7): what a key name says is a secret, and the secrets that sit
// inside free text (an external system's error, a log line, a refused command). Every boundary where
// data leaves our hands for the event log, the read model, a dead letter or a log line uses it. Here
// in the contracts so that the domain (which may import nothing else) and the services share it.

export const REDACTED = '[REDACTED]';
// A value already (partly) masked, even when a pattern stopped before its `]`.
const MASK = REDACTED.slice(0, -1);

// Whole words of a key (`client_secret`, `x-api-key`, `newPassword`, `PVEAPIToken`), lowercased.
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g;

const SECRET_WORDS = new Set([
  'password', 'passwords', 'passwd', 'pwd', 'pw', 'pass', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'key', 'keys',
  'apikey', 'pin', 'otp', 'totp', 'credential', 'credentials', 'authorization', 'auth', 'cookie', 'cookies', 'privatekey', 'secretkey',
  'accesskey', 'signingkey', 'debuginfo',
]);

// `<qualifier>Key` that names a thing rather than holding a secret.
const PLAIN_KEYS = new Set(['idempotency', 'sort', 'partition', 'primary', 'foreign', 'routing', 'dedup', 'group', 'object', 'cache', 'lookup', 'public']);

// Single lowercase words that end in a secret's name (`wstoken`, `userpassword`); `key` is left out
// (`monkey`, `turkey`).
const SECRET_SUFFIX = /(password|passwd|passphrase|secret|token)$/;

export function isSecretKey(key: string): boolean {
  const words = (key.match(WORD) ?? []).map((w) => w.toLowerCase());
  if (words.length === 0) return false;
  const last = words[words.length - 1];
  if ((last === 'key' || last === 'keys') && words.length > 1 && PLAIN_KEYS.has(words[words.length - 2])) return words.slice(0, -1).some(isSecretWord);
  return words.some(isSecretWord);
}

function isSecretWord(word: string): boolean {
  return SECRET_WORDS.has(word) || SECRET_SUFFIX.test(word);
}

// scheme://user:password@host -> scheme://user:[REDACTED]@host (a scheme starts where none could)
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
// `PVEAPIToken=user@realm!id=secret` keeps the token's id, masks its secret.
const PVE_TOKEN = /(PVEAPIToken=[^\s=]+=)[^\s"',;]+/g;
const AUTH_SCHEME = /(\b(?:Bearer|Basic|Digest|Negotiate|token)\s+)[A-Za-z0-9._~+/=-]{4,}/g;
// Header values that are secrets whole: an Authorization's scheme and credentials (to a separator),
// a cookie's pairs (to the end of the line).
const SECRET_HEADER = /\b((?:proxy-)?authorization|x-api-key|x-auth-token)(\s*:\s*)([^\r\n;,"]+)/gi;
const COOKIE_HEADER = /\b((?:set-)?cookie)(\s*:\s*)(?!\[REDACTED\])[^\r\n"]+/gi;
// `name=value` (query strings, forms, PHP dumps) and `name: value` / `"name": "value"` (JSON, YAML). A
// value stops at `?` so that a URL inside another parameter's value is read on.
// Names start only where no name character precedes, and are taken whole (a lookahead captures,
// the backreference consumes): otherwise a long run of word characters costs quadratic time.
const ASSIGNMENT = /(["']?)(?<![\w.-])(?=([A-Za-z][\w.-]*))\2\1(\s*=\s*|\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*'|(?![/\s])[^\s,;&?"'<>)\]}]+)/g;
// Moodle's validate_parameters echoes the value it refused (`the value is "..."`, `The bad value is: '...'`).
const MOODLE_ECHO = /(the value is |The bad value is: )("[^"]*"|'[^']*')/g;

/** Free text with the secrets inside it masked: URL credentials, secret parameters, Authorization values. */
export function scrubText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1:${REDACTED}@`)
    .replace(PVE_TOKEN, `$1${REDACTED}`)
    .replace(SECRET_HEADER, (match, name: string, separator: string, value: string) => (value.includes(MASK) ? match : `${name}${separator}${REDACTED}`))
    .replace(COOKIE_HEADER, `$1$2${REDACTED}`)
    .replace(AUTH_SCHEME, `$1${REDACTED}`)
    .replace(ASSIGNMENT, (match, quote: string, name: string, separator: string, value: string) => {
      if (value.includes(MASK)) return match;
      // A quoted value of another name is read on: it may be a URL with a token inside.
      if (!isSecretKey(name)) return /^["']/.test(value) ? `${quote}${name}${quote}${separator}${value[0]}${scrubText(value.slice(1, -1))}${value[0]}` : match;
      const masked = value.startsWith('"') ? `"${REDACTED}"` : value.startsWith("'") ? `'${REDACTED}'` : REDACTED;
      return `${quote}${name}${quote}${separator}${masked}`;
    })
    .replace(MOODLE_ECHO, (_match, lead: string, value: string) => `${lead}${value[0]}${REDACTED}${value[0]}`);
}

/**
 * A copy of a JSON-like value with the values under secret keys masked and every string scrubbed;
 * past `maxDepth` a value is replaced whole (a secret may hide anywhere in what is not looked at).
 */
export function scrubJson(value: unknown, maxDepth = 32): unknown {
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return scrubText(item);
    if (item === null || typeof item !== 'object') return item;
    if (depth >= maxDepth) return REDACTED;
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(item)) out[key] = isSecretKey(key) && entry !== null ? REDACTED : walk(entry, depth + 1);
    return out;
  };
  return walk(value, 0);
}
