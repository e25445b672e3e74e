// The process's Prometheus endpoint: GET /metrics on METRICS_PORT (README, "Operating it"), a plain
// HTTP server apart from the service's own port, so that the one origin (the projection's port,
// behind the Ingress) never serves it. Under SERVICE_ROLE=all the services of a process share it,
// as they share the registry: the first to boot opens it, the last to stop closes it.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics, scrape } from '@vle/metrics';

interface Shared {
  readonly server: Promise<Server>;
  users: number;
}

const servers = new Map<string, Shared>();

const keyOf = (host: string, port: number) => `${host}:${port}`;

function listen(host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'GET /metrics only\n' : 'not found: the metrics are at /metrics\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  // Scrapers keep their connection open between scrapes; a stopping service does not wait for them.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(Object.assign(new Error(`METRICS_PORT ${port} on ${host}: ${error.message}`), { code: 'METRICS_PORT_UNAVAILABLE' })));
    server.listen(port, host, () => resolve(server));
  });
}

/** Opens (or shares) the endpoint on host:port; resolves with the port it listens on. */
export async function acquireMetricsServer(host: string, port: number): Promise<number> {
  collectProcessMetrics();
  const key = keyOf(host, port);
  let shared = servers.get(key);
  if (!shared) {
    shared = { server: listen(host, port), users: 0 };
    servers.set(key, shared);
    shared.server.catch(() => servers.delete(key));
  }
  shared.users++;
  try {
    return ((await shared.server).address() as AddressInfo).port;
  } catch (error) {
    shared.users--;
    throw error;
  }
}

/** Gives the endpoint back; the last user closes it. */
export async function releaseMetricsServer(host: string, port: number): Promise<void> {
  const key = keyOf(host, port);
  const shared = servers.get(key);
  if (!shared || --shared.users > 0) return;
  servers.delete(key);
  const server = await shared.server;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
