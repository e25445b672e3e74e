import { describe, expect, it } from 'vitest';
import { baseUrlOf, connectionOf, DEFAULT_URL, NO_TOKEN_MESSAGE, tokenOf } from './config.js';
import { UsageError } from './usage-error.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const files: Record<string, string> = { '/run/token': `${TOKEN}\n`, '/run/empty': ' \n', '/run/two': 'one two' };
const readFile = (path: string) => {
  if (path in files) return files[path]!;
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
};

function refusal(call: () => unknown): UsageError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('it was not refused');
}

describe('the base URL', () => {
  it('is --url, else VLE_TASKS_URL, else npm start\'s one origin, without a trailing slash', () => {
    expect(baseUrlOf({}, {})).toBe(DEFAULT_URL);
    expect(baseUrlOf({}, { VLE_TASKS_URL: 'https://tasks.example.org/' })).toBe('https://tasks.example.org');
    expect(baseUrlOf({ url: 'http://10.0.0.5:3002/vle/' }, { VLE_TASKS_URL: 'https://tasks.example.org' })).toBe('http://10.0.0.5:3002/vle');
  });

  it('refuses what is not an http(s) base URL, naming where it came from', () => {
    expect(refusal(() => baseUrlOf({ url: 'localhost:3002' }, {})).message).toBe('--url must be an http or https URL, not localhost:');
    expect(refusal(() => baseUrlOf({}, { VLE_TASKS_URL: 'tasks' })).message).toMatch(/^VLE_TASKS_URL is not a URL: "tasks"/);
    expect(refusal(() => baseUrlOf({ url: 'https://u:p@tasks.example.org' }, {})).message).toContain('must not hold a user or password');
    expect(refusal(() => baseUrlOf({ url: 'https://tasks.example.org/?q=1' }, {})).message).toContain('without a query');
  });
});

describe('the token', () => {
  it('is --token, else --token-file, else VLE_TASKS_TOKEN, else VLE_TASKS_TOKEN_FILE; trimmed, "Bearer " taken off', () => {
    const env = { VLE_TASKS_TOKEN: 'from-env', VLE_TASKS_TOKEN_FILE: '/run/token' };
    expect(tokenOf({ token: 'Bearer from-flag' }, env, readFile)).toBe('from-flag');
    expect(tokenOf({ tokenFile: '/run/token' }, { VLE_TASKS_TOKEN: 'from-env' }, readFile)).toBe(TOKEN);
    expect(tokenOf({}, env, readFile)).toBe('from-env');
    expect(tokenOf({}, { VLE_TASKS_TOKEN_FILE: '/run/token' }, readFile)).toBe(TOKEN);
  });

  it('says how to give one when none is given', () => {
    expect(refusal(() => tokenOf({}, {}, readFile)).message).toBe(NO_TOKEN_MESSAGE);
    expect(NO_TOKEN_MESSAGE).toContain('--token-file <path>');
    expect(NO_TOKEN_MESSAGE).toContain('VLE_TASKS_TOKEN');
  });

  it('refuses both flags, an unreadable, empty or odd file, and never repeats what a file holds', () => {
    expect(refusal(() => tokenOf({ token: TOKEN, tokenFile: '/run/token' }, {}, readFile)).message).toBe('give --token or --token-file, not both');
    expect(refusal(() => tokenOf({ tokenFile: '/run/missing' }, {}, readFile)).message).toBe('cannot read the token file /run/missing (--token-file): ENOENT');
    expect(refusal(() => tokenOf({}, { VLE_TASKS_TOKEN_FILE: '/run/empty' }, readFile)).message).toBe('the token file /run/empty (VLE_TASKS_TOKEN_FILE) is empty: it must hold a bearer token');
    const odd = refusal(() => tokenOf({ tokenFile: '/run/two' }, {}, readFile)).message;
    expect(odd).toContain('does not hold a token');
    expect(odd).not.toContain('one two');
    expect(refusal(() => tokenOf({ token: '  ' }, {}, readFile)).message).toBe('--token is empty: it must hold a bearer token');
  });

  it('makes a connection of both', () => {
    expect(connectionOf({ tokenFile: '/run/token' }, {}, readFile)).toEqual({ baseUrl: DEFAULT_URL, token: TOKEN });
  });
});
