// The sandbox in this process, for the *.int.spec.ts of the code that talks to it (the vm workers'
// handlers): real HTTP on a free port, the control API one call away, reset between tests.

import type { AddressInfo } from 'node:net';
import { GuacamoleClient, MoodleClient, PveClient } from '@vle/integrations';
import { bootstrapService, DEV_GUACAMOLE_PASSWORD, DEV_MOODLE_TOKEN, loadConfig, type RunningService } from '@vle/service-kit';
import { AppModule } from '../app.module.js';
import { DEV_PVE_TOKEN, sandboxConfigSchema } from '../config.js';
import { SmtpSinkServer } from '../smtp/smtp.server.js';

export interface InProcessSandbox {
  readonly url: string;
  /** A client of the simulated Proxmox VE with the development token. */
  pveClient(options?: { timeoutMs?: number }): PveClient;
  /** A call of `/_sandbox/pve/<path>`; throws unless it answers 2xx. */
  pve(method: string, path: string, body?: unknown): Promise<any>;
  /** The SMTP sink's port (a free one per sandbox). */
  readonly smtpPort: number;
  /** A call of `/_sandbox/smtp/<path>`; throws unless it answers 2xx. */
  smtp(method: string, path: string, body?: unknown): Promise<any>;
  /** A client of the simulated Moodle with the development token. */
  moodleClient(options?: { timeoutMs?: number; duplicateTimeoutMs?: number }): MoodleClient;
  /** A call of `/_sandbox/moodle/<path>`; throws unless it answers 2xx. */
  moodle(method: string, path: string, body?: unknown): Promise<any>;
  /** A client of the simulated Guacamole as guacadmin with the development password; the caller closes it. */
  guacamoleClient(options?: { timeoutMs?: number }): GuacamoleClient;
  /** A call of `/_sandbox/guacamole/<path>`; throws unless it answers 2xx. */
  guacamole(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startInProcessSandbox(): Promise<InProcessSandbox> {
  // Port 0: the OS picks a free one, read back from the listening server.
  const config = loadConfig(sandboxConfigSchema, { SANDBOX_SMTP_PORT: '0' });
  const service: RunningService = await bootstrapService(AppModule.forRoot(config), { name: 'sandbox', host: '127.0.0.1', port: 0, logLevel: 'warn', logFormat: 'text' });
  const url = `http://127.0.0.1:${(service.app.getHttpServer().address() as AddressInfo).port}`;
  const [tokenId, tokenSecret] = splitToken(DEV_PVE_TOKEN);
  const clients: Array<PveClient | MoodleClient> = [];
  return {
    url,
    pveClient: (options = {}) => {
      const client = new PveClient({ baseUrl: `${url}/pve`, tokenId, tokenSecret, timeoutMs: options.timeoutMs ?? 2_000 });
      clients.push(client);
      return client;
    },
    moodleClient: (options = {}) => {
      const client = new MoodleClient({ baseUrl: `${url}/moodle`, token: DEV_MOODLE_TOKEN, timeoutMs: options.timeoutMs ?? 2_000, duplicateTimeoutMs: options.duplicateTimeoutMs ?? 5_000 });
      clients.push(client);
      return client;
    },
    moodle: (method, path, body) => control(`${url}/_sandbox/moodle/${path}`, method, body),
    guacamoleClient: (options = {}) => new GuacamoleClient({ baseUrl: `${url}/guacamole`, username: 'guacadmin', password: DEV_GUACAMOLE_PASSWORD, timeoutMs: options.timeoutMs ?? 2_000 }),
    guacamole: (method, path, body) => control(`${url}/_sandbox/guacamole/${path}`, method, body),
    smtpPort: service.app.get(SmtpSinkServer).listeningPort,
    smtp: (method, path, body) => control(`${url}/_sandbox/smtp/${path}`, method, body),
    pve: async (method, path, body) => {
      const response = await fetch(`${url}/_sandbox/pve/${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} /_sandbox/pve/${path} answered ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: async () => {
      for (const client of clients) client.close();
      await service.close();
    },
  };
}

async function control(url: string, method: string, body?: unknown): Promise<any> {
  const response = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${new URL(url).pathname} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function splitToken(token: string): [string, string] {
  const at = token.lastIndexOf('=');
  return [token.slice(0, at), token.slice(at + 1)];
}
