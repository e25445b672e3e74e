// Who a service is to nats-server (README, "NATS users"): its user and password, the prefix of its
// reply subjects, and TLS. Checked once at boot: a file that cannot be read stops the service with the
// variable's name instead of failing at the first (re)connect. The password is never logged
// (ConfigError messages name variables, not values).

import { readFileSync } from 'node:fs';
import { natsInboxPrefix } from '@vle/contracts';
import { ConfigError, type ConfigProblem } from './config.js';
import type { NatsConfig } from './variables.js';

export interface NatsClientOptions {
  readonly user?: string;
  readonly pass?: string;
  /** Replies to this connection arrive on `<inboxPrefix>.<random>`. */
  readonly inboxPrefix: string;
  /**
   * PEM files, checked at boot and read by the client at every (re)connect, so that a renewed
   * certificate is taken without a restart; present when any NATS_TLS_* is set (TLS is then required).
   */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

type AuthVariables = Pick<NatsConfig, 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_PASSWORD_FILE' | 'NATS_INBOX_PREFIX' | 'NATS_TLS_CA_FILE' | 'NATS_TLS_CERT_FILE' | 'NATS_TLS_KEY_FILE'>;

export function natsClientOptionsOf(config: AuthVariables): NatsClientOptions {
  const problems: ConfigProblem[] = [];
  const read = (variable: keyof AuthVariables, what: string): string | undefined => {
    const path = config[variable];
    if (!path) return undefined;
    try {
      const text = readFileSync(path, 'utf8');
      if (what === 'PEM' && !text.includes('-----BEGIN ')) problems.push({ variable, message: `${path} holds no PEM block` });
      return text;
    } catch (error) {
      problems.push({ variable, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      return undefined;
    }
  };
  if (config.NATS_PASSWORD !== undefined && config.NATS_PASSWORD_FILE) problems.push({ variable: 'NATS_PASSWORD_FILE', message: 'only one of NATS_PASSWORD, NATS_PASSWORD_FILE may be set' });
  const fromFile = read('NATS_PASSWORD_FILE', 'password')?.replace(/\r?\n$/, '');
  if (fromFile === '') problems.push({ variable: 'NATS_PASSWORD_FILE', message: 'is empty' });
  const pass = config.NATS_PASSWORD ?? fromFile;
  const user = config.NATS_USER;
  if (user && pass === undefined && !config.NATS_PASSWORD_FILE) problems.push({ variable: 'NATS_PASSWORD', message: 'is required with NATS_USER (or NATS_PASSWORD_FILE)' });
  if (!user && (config.NATS_PASSWORD !== undefined || config.NATS_PASSWORD_FILE)) problems.push({ variable: 'NATS_USER', message: 'is required with a NATS password' });
  if (Boolean(config.NATS_TLS_CERT_FILE) !== Boolean(config.NATS_TLS_KEY_FILE)) {
    problems.push({ variable: config.NATS_TLS_CERT_FILE ? 'NATS_TLS_KEY_FILE' : 'NATS_TLS_CERT_FILE', message: 'is required with the other of NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE' });
  }
  for (const variable of ['NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'] as const) read(variable, 'PEM');
  if (problems.length > 0) throw new ConfigError(problems);
  const { NATS_TLS_CA_FILE: caFile, NATS_TLS_CERT_FILE: certFile, NATS_TLS_KEY_FILE: keyFile } = config;
  return {
    ...(user ? { user, pass } : {}),
    // The server config lets each user (and only it) subscribe under its own prefix.
    inboxPrefix: config.NATS_INBOX_PREFIX ?? (user ? natsInboxPrefix(user) : '_INBOX'),
    ...(caFile || certFile ? { tls: { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) } } : {}),
  };
}
