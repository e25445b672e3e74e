// A client of the Guacamole REST API (reference §2): token login on first use, the token in the
// `Guacamole-Token` header, one fresh login when a token stops working (403 PERMISSION_DENIED), and
// every failure as a classified GuacamoleError. Nothing else is retried here: a POST that timed out
// may have created its object, so the handlers look up before they create (and the job runtime
// decides about another attempt).

import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { GuacamoleError, isGuacamoleError } from './guacamole-error.js';
import type {
  GuacamoleAuthResult,
  GuacamoleConnection,
  GuacamolePermissionPatch,
  GuacamolePermissions,
  GuacamoleSharingProfile,
  GuacamoleUser,
  NewGuacamoleConnection,
  NewGuacamoleSharingProfile,
  NewGuacamoleUser,
} from './guacamole-types.js';
import { instrumentCalls } from '../external-calls.js';

export interface GuacamoleClientOptions {
  /** The web application's URL: `https://lab.example.org/guacamole`, or the sandbox's `http://127.0.0.1:3009/guacamole`. */
  readonly baseUrl: string;
  readonly username: string;
  /** Never logged, never part of an error. */
  readonly password: string;
  /** Default `postgresql` (the JDBC module holding the objects vle-tasks manages). */
  readonly dataSource?: string;
  /** Upper bound of one HTTP exchange; default 30 s. */
  readonly timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class GuacamoleClient {
  readonly baseUrl: string;
  readonly username: string;
  readonly dataSource: string;
  readonly #password: string;
  readonly #timeoutMs: number;
  readonly #http: AxiosInstance;
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });
  #token?: string;
  #login?: Promise<string>;
  /** How many logins this client made (tests and metrics: a re-login is the second). */
  logins = 0;

  constructor(options: GuacamoleClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.username = options.username;
    this.dataSource = options.dataSource ?? 'postgresql';
    this.#password = options.password;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#http = axios.create({
      baseURL: `${this.baseUrl}/api`,
      allowAbsoluteUrls: false,
      headers: { Accept: 'application/json', 'User-Agent': 'vle-tasks' },
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
      // The environment's HTTP(S)_PROXY is not configuration this library may read.
      proxy: false,
      maxRedirects: 0,
      responseType: 'json',
    });
    instrumentCalls(this.#http, 'guacamole');
  }

  // --- users ---

  /** The user, or undefined when Guacamole has none of that name. */
  async getUser(username: string): Promise<GuacamoleUser | undefined> {
    return this.orUndefined(this.session<GuacamoleUser>('GET', `/users/${segment(username)}`));
  }

  async createUser(user: NewGuacamoleUser): Promise<GuacamoleUser> {
    return this.session<GuacamoleUser>('POST', '/users', { username: user.username, password: user.password, attributes: user.attributes ?? {} });
  }

  /** Rejects with kind 'not_found' when there is no such user. */
  async deleteUser(username: string): Promise<void> {
    await this.session('DELETE', `/users/${segment(username)}`);
  }

  async getPermissions(username: string): Promise<GuacamolePermissions> {
    return this.session<GuacamolePermissions>('GET', `/users/${segment(username)}/permissions`);
  }

  /** Applies `patches` (add/remove) to the user's permissions; adding one the user has is a no-op. */
  async grantPermissions(username: string, patches: readonly GuacamolePermissionPatch[]): Promise<void> {
    await this.session('PATCH', `/users/${segment(username)}/permissions`, patches);
  }

  // --- connections ---

  /** Every connection the account may see, by identifier. */
  async listConnections(): Promise<Record<string, GuacamoleConnection>> {
    return (await this.session<Record<string, GuacamoleConnection> | null>('GET', '/connections')) ?? {};
  }

  /** Names are unique within their parent group (ROOT by default). */
  async findConnectionByName(name: string, parentIdentifier = 'ROOT'): Promise<GuacamoleConnection | undefined> {
    return Object.values(await this.listConnections()).find((c) => c.name === name && c.parentIdentifier === parentIdentifier);
  }

  async createConnection(connection: NewGuacamoleConnection): Promise<GuacamoleConnection> {
    return this.session<GuacamoleConnection>('POST', '/connections', { parentIdentifier: 'ROOT', attributes: {}, ...connection });
  }

  async deleteConnection(identifier: string): Promise<void> {
    await this.session('DELETE', `/connections/${segment(identifier)}`);
  }

  // --- sharing profiles ---

  async listSharingProfiles(): Promise<Record<string, GuacamoleSharingProfile>> {
    return (await this.session<Record<string, GuacamoleSharingProfile> | null>('GET', '/sharingProfiles')) ?? {};
  }

  /** Names are unique per primary connection. */
  async findSharingProfile(primaryConnectionIdentifier: string, name: string): Promise<GuacamoleSharingProfile | undefined> {
    return Object.values(await this.listSharingProfiles()).find((p) => p.primaryConnectionIdentifier === primaryConnectionIdentifier && p.name === name);
  }

  async createSharingProfile(profile: NewGuacamoleSharingProfile): Promise<GuacamoleSharingProfile> {
    return this.session<GuacamoleSharingProfile>('POST', '/sharingProfiles', { parameters: {}, attributes: {}, ...profile });
  }

  async deleteSharingProfile(identifier: string): Promise<void> {
    await this.session('DELETE', `/sharingProfiles/${segment(identifier)}`);
  }

  // --- session ---

  /** Ends the session (best effort) and frees the sockets. */
  async close(): Promise<void> {
    const token = this.#token;
    this.#token = undefined;
    if (token) await this.send('DELETE', `/tokens/${segment(token)}`).catch(() => undefined);
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, username: this.username, dataSource: this.dataSource };
  }

  toString(): string {
    return `GuacamoleClient(${this.username}@${this.baseUrl})`;
  }

  /**
   * A call on the data source with the session's token. A token Guacamole no longer knows (session
   * timeout, restart, logout elsewhere) answers 403 PERMISSION_DENIED before anything is done, so
   * the call is made once more after a fresh login; a second 403 is the account's real permission.
   */
  private async session<T>(method: Method, path: string, data?: unknown): Promise<T> {
    const full = `/session/data/${segment(this.dataSource)}${path}`;
    const token = await this.token();
    try {
      return await this.send<T>(method, full, data, token);
    } catch (error) {
      if (!(isGuacamoleError(error) && error.status === 403 && error.type === 'PERMISSION_DENIED')) throw error;
      if (this.#token === token) this.#token = undefined;
      try {
        return await this.send<T>(method, full, data, await this.token());
      } catch (again) {
        if (isGuacamoleError(again) && again.status === 403) {
          const { status, type, method: m, path: p, kind, responseCode } = again;
          throw new GuacamoleError({ status, type, method: m, path: p, kind, transient: false, responseCode, message: `${again.message} (again after a fresh login as ${this.username})` });
        }
        throw again;
      }
    }
  }

  /** The session's token; concurrent callers share one login. */
  private async token(): Promise<string> {
    if (this.#token) return this.#token;
    this.#login ??= this.login().finally(() => (this.#login = undefined));
    return this.#login;
  }

  private async login(): Promise<string> {
    const form = new URLSearchParams({ username: this.username, password: this.#password });
    const result = await this.send<GuacamoleAuthResult>('POST', '/tokens', form);
    if (typeof result?.authToken !== 'string') {
      throw new GuacamoleError({ status: 200, message: 'the login answer holds no authToken', method: 'POST', path: '/api/tokens', kind: 'unknown', transient: true, responseCode: 'GUAC_200' });
    }
    this.logins += 1;
    this.#token = result.authToken;
    return result.authToken;
  }

  private async send<T>(method: Method, path: string, data?: unknown, token?: string): Promise<T> {
    // axios' own timeout is an idle timeout; this bounds the whole exchange.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.#timeoutMs);
    try {
      const response = await this.#http.request<T>({ method, url: path, data, headers: token ? { 'Guacamole-Token': token } : {}, signal: controller.signal });
      return response.data;
    } catch (error) {
      // The token is in a URL only on logout; no error ever names it.
      const where = path.startsWith('/tokens/') ? '/api/tokens/{token}' : `/api${path}`;
      if (timedOut) throw new GuacamoleError({ status: 0, message: `no answer within ${this.#timeoutMs} ms`, method, path: where, kind: 'timeout', transient: true, responseCode: 'GUAC_TIMEOUT' });
      throw toGuacamoleError(error, method, where);
    } finally {
      clearTimeout(timer);
    }
  }

  private async orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (isGuacamoleError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Never keeps the axios error (nor as `cause`): its config holds the login form and the token. */
function toGuacamoleError(error: unknown, method: string, path: string): unknown {
  if (isGuacamoleError(error) || !axios.isAxiosError(error)) return error;
  if (error.response) return GuacamoleError.fromResponse(method, path, error.response.status, error.response.statusText ?? '', error.response.data);
  const code = error.code ?? '';
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return new GuacamoleError({ status: 0, message: error.message || code, method, path, kind: 'timeout', transient: true, responseCode: 'GUAC_TIMEOUT' });
  return new GuacamoleError({ status: 0, message: `${code || 'network error'}: ${error.message}`, method, path, kind: 'network', transient: true, responseCode: 'GUAC_NETWORK' });
}
