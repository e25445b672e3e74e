// The request path of the simulated Guacamole web application, below its context path: the outage
// switch, the route (an unknown one is a 404), the faults configured for it, authentication (token
// login, then `Guacamole-Token` or `?token=` on every call, 403 PERMISSION_DENIED for a dead token),
// the data source, then the directory. No HTTP here: guac.http.ts writes the outcome.

import { patches } from './guac-body.js';
import type { GuacDirectory } from './guac-directory.js';
import { apiError, GuacSimError, permissionDenied } from './guac-error.js';
import type { GuacFaults } from './guac-faults.js';
import type { GuacSessions } from './guac-sessions.js';

export interface GuacRequest {
  readonly method: string;
  /** Below the mount point, e.g. `/api/session/data/postgresql/users`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON (object or array) or a form as a record. */
  readonly body: unknown;
  readonly token?: string;
  readonly authorization?: string;
}

export interface GuacReply {
  readonly status: number;
  /** A JSON document; a string is sent as text/html (a proxy's error page); undefined: no body. */
  readonly body?: unknown;
}

export interface GuacOutcome {
  /** Undefined: drop the connection instead of answering. */
  readonly reply?: GuacReply;
  readonly delayMs: number;
}

export const DATA_SOURCE = 'postgresql';
const AVAILABLE_DATA_SOURCES = [DATA_SOURCE, 'postgresql-shared'];

type Params = Readonly<Record<string, string>>;
interface Route {
  readonly method: string;
  readonly pattern: string;
  /** Anyone may call it (login, logout); otherwise it needs a live session. */
  readonly open?: boolean;
  /** A non-administrator may call it on their own user. */
  readonly self?: boolean;
  readonly run: (api: GuacApi, p: Params, request: GuacRequest) => GuacReply;
}

const DATA = '/api/session/data/{dataSource}';
const ok = (body: unknown): GuacReply => ({ status: 200, body });
const NO_CONTENT: GuacReply = { status: 204 };

const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: '/api/tokens', open: true, run: (api, _p, r) => ok(api.login(r)) },
  { method: 'DELETE', pattern: '/api/tokens/{token}', open: true, run: (api, p) => api.logout(p.token!) },
  { method: 'GET', pattern: `${DATA}/users`, run: (api) => ok(api.directory.listUsers()) },
  { method: 'POST', pattern: `${DATA}/users`, run: (api, _p, r) => ok(api.directory.createUser(r.body)) },
  { method: 'GET', pattern: `${DATA}/users/{username}`, self: true, run: (api, p) => ok(api.directory.getUser(p.username!)) },
  { method: 'PUT', pattern: `${DATA}/users/{username}`, run: (api, p, r) => (api.directory.updateUser(p.username!, r.body), NO_CONTENT) },
  { method: 'DELETE', pattern: `${DATA}/users/{username}`, run: (api, p) => (api.directory.deleteUser(p.username!), NO_CONTENT) },
  { method: 'GET', pattern: `${DATA}/users/{username}/permissions`, self: true, run: (api, p) => ok(api.directory.getPermissions(p.username!)) },
  { method: 'PATCH', pattern: `${DATA}/users/{username}/permissions`, run: (api, p, r) => (api.directory.patchPermissions(p.username!, patches(r.body)), NO_CONTENT) },
  { method: 'GET', pattern: `${DATA}/connections`, run: (api) => ok(api.directory.listConnections()) },
  { method: 'POST', pattern: `${DATA}/connections`, run: (api, _p, r) => ok(api.directory.createConnection(r.body)) },
  { method: 'GET', pattern: `${DATA}/connections/{identifier}`, run: (api, p) => ok(api.directory.getConnection(p.identifier!)) },
  { method: 'GET', pattern: `${DATA}/connections/{identifier}/parameters`, run: (api, p) => ok(api.directory.connectionParameters(p.identifier!)) },
  { method: 'PUT', pattern: `${DATA}/connections/{identifier}`, run: (api, p, r) => (api.directory.updateConnection(p.identifier!, r.body), NO_CONTENT) },
  { method: 'DELETE', pattern: `${DATA}/connections/{identifier}`, run: (api, p) => (api.directory.deleteConnection(p.identifier!), NO_CONTENT) },
  { method: 'GET', pattern: `${DATA}/sharingProfiles`, run: (api) => ok(api.directory.listSharingProfiles()) },
  { method: 'POST', pattern: `${DATA}/sharingProfiles`, run: (api, _p, r) => ok(api.directory.createSharingProfile(r.body)) },
  { method: 'GET', pattern: `${DATA}/sharingProfiles/{identifier}`, run: (api, p) => ok(api.directory.getSharingProfile(p.identifier!)) },
  { method: 'GET', pattern: `${DATA}/sharingProfiles/{identifier}/parameters`, run: (api, p) => ok(api.directory.sharingProfileParameters(p.identifier!)) },
  { method: 'PUT', pattern: `${DATA}/sharingProfiles/{identifier}`, run: (api, p, r) => (api.directory.updateSharingProfile(p.identifier!, r.body), NO_CONTENT) },
  { method: 'DELETE', pattern: `${DATA}/sharingProfiles/{identifier}`, run: (api, p) => (api.directory.deleteSharingProfile(p.identifier!), NO_CONTENT) },
];

/** The route keys faults are configured by, e.g. `POST /api/session/data/{dataSource}/users`. */
export const GUAC_ENDPOINTS = ROUTES.map((r) => `${r.method} ${r.pattern}`);

export class GuacApi {
  constructor(
    readonly directory: GuacDirectory,
    private readonly sessions: GuacSessions,
    private readonly faults: GuacFaults,
  ) {}

  handle(request: GuacRequest): GuacOutcome {
    const outage = this.faults.outage();
    if (outage?.mode === 'reset') return { delayMs: 0 };
    // What a reverse proxy in front of a stopped Tomcat answers: an HTML page, not an APIError.
    if (outage) return { reply: { status: outage.status ?? 503, body: `<html><body><h1>${outage.status ?? 503} ${outage.message ?? 'Service Unavailable'}</h1></body></html>` }, delayMs: 0 };

    const method = request.method.toUpperCase();
    const matched = match(method, request.path);
    if (!matched) return { reply: { status: 404, body: apiError('NOT_FOUND', `Not found: "${request.path}"`) }, delayMs: 0 };

    const fault = this.faults.forRequest(`${matched.route.method} ${matched.route.pattern}`);
    if (fault.kind === 'error') return { reply: { status: fault.status, body: apiError(fault.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', fault.message) }, delayMs: fault.delayMs };

    let reply: GuacReply;
    try {
      this.authorize(matched.route, matched.params, request);
      reply = matched.route.run(this, matched.params, request);
    } catch (error) {
      const failure = error instanceof GuacSimError ? error : new GuacSimError(500, 'INTERNAL_ERROR', 'Unexpected internal error.');
      reply = { status: failure.status, body: failure.body() };
    }
    if (fault.kind === 'timeout') return { reply: fault.mode === 'hang' ? reply : undefined, delayMs: fault.delayMs + fault.hangMs };
    return { reply, delayMs: fault.delayMs };
  }

  /** POST /api/tokens: form fields, or HTTP Basic. */
  login(request: GuacRequest): Record<string, unknown> {
    const form = typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
    let username = typeof form.username === 'string' ? form.username : undefined;
    let password = typeof form.password === 'string' ? form.password : undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(request.authorization ?? '');
    if (username === undefined && basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      [username, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    }
    const user = this.directory.authenticate(username, password);
    const session = this.sessions.open(user);
    return { authToken: session.token, username: user, dataSource: DATA_SOURCE, availableDataSources: AVAILABLE_DATA_SOURCES };
  }

  logout(token: string): GuacReply {
    if (!this.sessions.close(token)) throw new GuacSimError(404, 'NOT_FOUND', 'No such token.');
    return NO_CONTENT;
  }

  private authorize(route: Route, params: Params, request: GuacRequest): void {
    if (route.open) return;
    const session = this.sessions.find(request.token ?? request.query.token);
    if (!session) throw permissionDenied();
    // Only the JDBC data source is simulated (postgresql-shared holds no objects one can manage).
    if (params.dataSource !== undefined && params.dataSource !== DATA_SOURCE) {
      throw new GuacSimError(404, 'NOT_FOUND', `Session not associated with authentication provider "${params.dataSource}".`);
    }
    if (this.directory.isAdmin(session.username)) return;
    if (route.self && params.username === session.username) return;
    throw permissionDenied();
  }
}

function match(method: string, path: string): { route: Route; params: Params } | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.pattern.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith('{')) {
        if (segment === '') return false;
        try {
          params[part.slice(1, -1)] = decodeURIComponent(segment);
        } catch {
          return false;
        }
        return true;
      }
      return part === segment;
    });
    if (fits) return { route, params };
  }
  return undefined;
}

