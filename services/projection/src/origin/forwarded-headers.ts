// The headers of a forwarded command (README, "One origin"): the end-to-end headers of the caller's
// request (Authorization, Content-Type, Content-Length, ...) go to task-api and those of task-api's
// answer (Content-Type, Location, WWW-Authenticate, Retry-After, ...) back to the caller; the
// hop-by-hop headers of each connection (RFC 9110 §7.6.1) stay on it.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop by definition (RFC 9110 §7.6.1, and the proxy headers of RFC 9112 / common use). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings']);

/**
 * Not forwarded either: `host` names this origin (task-api's is set instead), and `expect`
 * (100-continue) was answered by this server already; the body then follows as any other.
 */
const ANSWERED_HERE = new Set(['host', 'expect']);

/** The header names a `Connection` header lists, which are hop-by-hop for that message. */
function listedInConnection(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    raw
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function endToEnd(headers: IncomingHttpHeaders, alsoDropped: ReadonlySet<string>): OutgoingHttpHeaders {
  const listed = listedInConnection(headers);
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower) || alsoDropped.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}

export interface Peer {
  /** The caller's address as this server sees it (the Ingress, the client). */
  readonly remoteAddress?: string;
  /** Whether the caller's connection to this server is TLS. */
  readonly encrypted: boolean;
}

const firstOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;

/**
 * What task-api is sent: the caller's end-to-end headers, `host` of task-api, and the X-Forwarded-*
 * a proxy adds. X-Forwarded-For is the caller's chain with this hop's peer appended; the protocol and
 * host are the ones the client used: an Ingress in front has set them already, else this connection's.
 * task-api decides nothing on them (the token alone says who calls), so a caller who forges them
 * gains nothing.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, peer: Peer, upstreamHost: string): OutgoingHttpHeaders {
  const headers = endToEnd(incoming, ANSWERED_HERE);
  const chain = [incoming['x-forwarded-for']].flat().filter((v): v is string => Boolean(v)).join(', ');
  const hop = peer.remoteAddress ?? 'unknown';
  headers['x-forwarded-for'] = chain ? `${chain}, ${hop}` : hop;
  headers['x-forwarded-proto'] = firstOf(incoming['x-forwarded-proto']) ?? (peer.encrypted ? 'https' : 'http');
  const host = firstOf(incoming['x-forwarded-host']) ?? incoming.host;
  if (host) headers['x-forwarded-host'] = host;
  headers.host = upstreamHost;
  return headers;
}

/** What the caller is sent of task-api's answer: every end-to-end header, unchanged. */
export function downstreamResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  return endToEnd(incoming, new Set());
}
