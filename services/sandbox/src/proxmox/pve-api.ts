// The request path of pveproxy for the simulated endpoints, in the order pve-http-server
// src/PVE/APIServer/AnyEvent.pm and pve-manager PVE/HTTPServer.pm take it: authenticate (401 with the
// reason, no body), check the body's method and content type, find the handler (501 "Method '...'
// not implemented"), merge query and form parameters, resolve the node the call is proxied to,
// verify the parameters (400), run the handler (its `die` is a 500). Then the faults configured for
// the endpoint. No HTTP here: pve.http.ts writes the outcome.

import { checkPveParameters, matchPveEndpoint, type MatchedEndpoint } from '@vle/integrations';
import { authenticate, type ApiToken } from './api-token.js';
import type { Faults } from './faults.js';
import type { PveCluster } from './pve-cluster.js';
import { PveError, reasonPhrase } from './pve-error.js';
import { ROUTES } from './pve-routes.js';

export interface PveRequest {
  readonly method: string;
  /** Below /api2/json, e.g. `/nodes/pve1/qemu/9000/clone`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, string>>;
  readonly authorization?: string;
  /** Set when the request carried a body (Content-Length > 0). */
  readonly bodyContentType?: string;
}

export interface PveReply {
  readonly status: number;
  readonly reason: string;
  /** The JSON document; undefined for the answers pveproxy sends without a body. */
  readonly body?: unknown;
}

export interface PveOutcome {
  /** Undefined: drop the connection instead of answering. */
  readonly reply?: PveReply;
  /** Wait this long before answering (or dropping). */
  readonly delayMs: number;
}

export interface PveApiOptions {
  readonly tokens: readonly ApiToken[];
  /** pveproxy delays every 401 by 3 s; the sandbox defaults to 0. */
  readonly authFailureDelayMs: number;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

export class PveApi {
  constructor(
    private readonly cluster: PveCluster,
    private readonly faults: Faults,
    private readonly options: PveApiOptions,
  ) {}

  handle(request: PveRequest): PveOutcome {
    const outage = this.faults.outage();
    if (outage?.mode === 'reset') return { delayMs: 0 };
    if (outage) return bare(outage.status ?? 595, outage.message ?? 'Connection refused');

    const auth = authenticate(this.options.tokens, request.authorization);
    if (!auth.ok) return { ...bare(401, auth.reason), delayMs: this.options.authFailureDelayMs };

    const method = request.method.toUpperCase();
    if (request.bodyContentType !== undefined) {
      if (method !== 'POST' && method !== 'PUT') return bare(501, `Unexpected content for method '${method}'`);
      const type = request.bodyContentType.split(';')[0]!.trim().toLowerCase();
      if (type !== '' && !FORM_TYPES.includes(type)) return bare(506, `upload 'Content-Type '${request.bodyContentType}' not implemented`);
    }

    const matched = safeMatch(method, request.path);
    if (!matched) return json(new PveError(501, `Method '${method} ${request.path}' not implemented`));
    return this.dispatch(matched, request, auth.tokenId);
  }

  private dispatch({ endpoint, pathParams }: MatchedEndpoint, request: PveRequest, user: string): PveOutcome {
    // extract_params: form first, the query string wins; `_dc` is the ExtJS cache buster.
    const params: Record<string, string> = { ...request.body, ...request.query };
    delete params._dc;
    for (const [name, value] of Object.entries(params)) {
      if (pathParams[name] !== undefined && pathParams[name] !== value) {
        return json(new PveError(400, 'Parameter verification failed.\n', { [name]: 'duplicate parameter (already defined in URI) with conflicting values!' }));
      }
    }
    Object.assign(params, pathParams);

    const node = pathParams.node;
    if (endpoint.schema.proxyto === 'node' && node !== undefined) {
      const target = this.cluster.node(node);
      // PVE::Cluster remote_node_ip falls back to DNS for a name that is no cluster node.
      if (!target) return json(new PveError(500, `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known\n`));
      if (target.status !== 'online') return bare(595, 'No route to host');
    }

    const errors = checkPveParameters(endpoint, params);
    if (Object.keys(errors).length > 0) return json(new PveError(400, 'Parameter verification failed.\n', errors));

    const fault = this.faults.forRequest(endpoint.key, params);
    if (fault.kind === 'error') {
      const error = new PveError(fault.status, `${fault.text}\n`);
      return { reply: fault.status >= 590 ? { status: error.status, reason: reasonPhrase(error.text) } : json(error).reply, delayMs: fault.delayMs };
    }

    const route = ROUTES[endpoint.key];
    if (!route) return json(new PveError(501, `Method '${endpoint.key}' not implemented`));
    const injectedFailure = route.task ? this.faults.taskFailure(endpoint.key, route.task, params) : undefined;
    let reply: PveReply;
    try {
      reply = { status: 200, reason: 'OK', body: { data: route.run(this.cluster, params, { user, injectedFailure }) } };
    } catch (error) {
      reply = json(error instanceof PveError ? error : new PveError(500, `${error instanceof Error ? error.message : String(error)}\n`)).reply!;
    }
    if (fault.kind === 'timeout') return { reply: fault.mode === 'hang' ? reply : undefined, delayMs: fault.delayMs + fault.hangMs };
    return { reply, delayMs: fault.delayMs };
  }
}

function safeMatch(method: string, path: string): MatchedEndpoint | undefined {
  try {
    return matchPveEndpoint(method, path);
  } catch {
    return undefined; // a malformed %-escape in a path value matches no handler
  }
}

/** Standard.pm's JSON error: `{"data":null,"message":...}` plus `errors` for a parameter exception. */
function json(error: PveError): PveOutcome & { reply: PveReply } {
  const body: Record<string, unknown> = { data: null };
  if (error.errors) body.errors = error.errors;
  body.message = error.text;
  return { reply: { status: error.status, reason: reasonPhrase(error.text), body }, delayMs: 0 };
}

/** An answer without a body (AnyEvent.pm `error`, a 401, or a proxied connection failure). */
function bare(status: number, text: string): PveOutcome {
  return { reply: { status, reason: reasonPhrase(text) }, delayMs: 0 };
}
