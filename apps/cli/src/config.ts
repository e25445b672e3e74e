// Where vle-tasks is and who the caller is: the one origin (`--url`, VLE_TASKS_URL, default npm
// start's) and the bearer token (`--token`, `--token-file`, VLE_TASKS_TOKEN, VLE_TASKS_TOKEN_FILE).
// Read once per run from the options and the run's environment. No message ever holds the token.

import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** `npm start`'s one origin (README, "One origin"). */
export const DEFAULT_URL = 'http://127.0.0.1:3002';

export interface ConnectionOptions {
  readonly url?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

export interface Connection {
  readonly baseUrl: string;
  readonly token: string;
}

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

export const NO_TOKEN_MESSAGE =
  'no token: give --token-file <path>, set VLE_TASKS_TOKEN (or VLE_TASKS_TOKEN_FILE), or pass --token <jwt>. ' +
  'vle-tasks takes the bearer tokens of OpenVLE (audience vle-tasks); in development `npm run -s token -- --sub <you> --admin` mints one';

/** The base URL: `--url`, else VLE_TASKS_URL, else http://127.0.0.1:3002. */
export function baseUrlOf(options: ConnectionOptions, env: Readonly<Record<string, string | undefined>>): string {
  const [raw, from] = options.url !== undefined ? [options.url, '--url'] : env.VLE_TASKS_URL ? [env.VLE_TASKS_URL, 'VLE_TASKS_URL'] : [DEFAULT_URL, 'the default'];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL: ${JSON.stringify(raw)} (give the base URL of vle-tasks, such as ${DEFAULT_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${from} must be an http or https URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError(`${from} must not hold a user or password: the token is given with --token-file or VLE_TASKS_TOKEN`);
  if (url.search || url.hash) throw new UsageError(`${from} must be a base URL, without a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}

/** The token: `--token`, else `--token-file`, else VLE_TASKS_TOKEN, else VLE_TASKS_TOKEN_FILE. */
export function tokenOf(options: ConnectionOptions, env: Readonly<Record<string, string | undefined>>, readFile: ReadFile = readUtf8): string {
  if (options.token !== undefined && options.tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (options.token !== undefined) return checked(options.token, '--token');
  if (options.tokenFile !== undefined) return fromFile(options.tokenFile, '--token-file', readFile);
  if (env.VLE_TASKS_TOKEN) return checked(env.VLE_TASKS_TOKEN, 'VLE_TASKS_TOKEN');
  if (env.VLE_TASKS_TOKEN_FILE) return fromFile(env.VLE_TASKS_TOKEN_FILE, 'VLE_TASKS_TOKEN_FILE', readFile);
  throw new UsageError(NO_TOKEN_MESSAGE);
}

export function connectionOf(options: ConnectionOptions, env: Readonly<Record<string, string | undefined>>, readFile: ReadFile = readUtf8): Connection {
  return { baseUrl: baseUrlOf(options, env), token: tokenOf(options, env, readFile) };
}

function fromFile(path: string, from: string, readFile: ReadFile): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the token file ${path} (${from}): ${code ?? (error as Error).message}`);
  }
  return checked(text, `the token file ${path} (${from})`);
}

function checked(raw: string, from: string): string {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  if (token === '') throw new UsageError(`${from} is empty: it must hold a bearer token`);
  // A token is one word; whitespace inside means the wrong file or a pasted fragment.
  if (/\s/.test(token)) throw new UsageError(`${from} does not hold a token: it has whitespace inside`);
  return token;
}
