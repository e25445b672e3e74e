// Building blocks for service config schemas, with the defaults of DESIGN §12. A service composes
// the groups it uses: z.object({ ...httpVariables('scheduler'), ...natsVariables }).

import { z } from 'zod';
import { DEFAULT_WORKER_MAX_RETRY } from '@vle/contracts';
import { DEV_PVE_TOKEN_ID, DEV_PVE_TOKEN_SECRET, developmentCredential } from './development-credentials.js';
import { DEFAULT_PORTS, type ServiceName } from './services.js';
import { tracingVariables, type TracingConfig } from './tracing.js';

/** Nest's levels, most severe first; LOG_LEVEL=warn prints fatal, error and warn. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type ServiceLogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/vle_tasks';

/** An optional variable that parses its raw text, or fails with `message`. */
function parsed<T>(fallback: T, parse: (raw: string) => T | undefined, message: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined) return fallback;
      const value = parse(raw);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return value;
    });
}

function integerOf(raw: string, min: number, max: number): number | undefined {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

export function integerVariable(fallback: number, min: number, max: number) {
  return parsed(fallback, (raw) => integerOf(raw, min, max), `must be an integer from ${min} to ${max}`);
}

/** An integer variable without a default: undefined when unset. */
export function optionalIntegerVariable(min: number, max: number) {
  return parsed<number | undefined>(undefined, (raw) => integerOf(raw, min, max), `must be an integer from ${min} to ${max}`);
}

function isUrlWithProtocol(raw: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(raw);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

export function booleanVariable(fallback: boolean) {
  return parsed(fallback, (raw) => ({ true: true, false: false })[raw.trim()], 'must be true or false');
}

/** An optional file path (read, and checked, where it is used). */
const filePathVariable = parsed<string | undefined>(undefined, (raw) => (raw.trim() ? raw.trim() : undefined), 'must be a file path');

/** One server or a comma-separated list (a cluster): nats://a:4222,nats://b:4222. */
export const natsUrlVariable = parsed(
  DEFAULT_NATS_URL,
  (raw) => (raw.split(',').every((s) => isUrlWithProtocol(s.trim(), ['nats:', 'tls:'])) ? raw : undefined),
  'must be a nats:// URL (or a comma-separated list of them)',
);

export const databaseUrlVariable = parsed(
  DEFAULT_DATABASE_URL,
  (raw) => (isUrlWithProtocol(raw, ['postgres:', 'postgresql:']) && new URL(raw).pathname.length > 1 ? raw : undefined),
  'must be a postgres:// URL with a database name',
);

export const logLevelVariable = parsed<ServiceLogLevel>(
  'log',
  (raw) => {
    const level = raw.trim().toLowerCase();
    if (level === 'info') return 'log';
    return (LOG_LEVELS as readonly string[]).includes(level) ? (level as ServiceLogLevel) : undefined;
  },
  `must be one of ${LOG_LEVELS.join(', ')}`,
);

export const logFormatVariable = parsed<'json' | 'text'>(
  'json',
  (raw) => (raw === 'json' || raw === 'text' ? raw : undefined),
  'must be json or text',
);

/** HOST, PORT (default: the service's port of DESIGN §12), LOG_LEVEL, LOG_FORMAT, METRICS_PORT, the OTEL_* of tracing.ts. */
export function httpVariables(service: ServiceName) {
  return {
    HOST: parsed('127.0.0.1', (raw) => (raw.trim() ? raw.trim() : undefined), 'must be a host name or address'),
    PORT: integerVariable(DEFAULT_PORTS[service], 1, 65_535),
    LOG_LEVEL: logLevelVariable,
    LOG_FORMAT: logFormatVariable,
    /**
     * The port of the process's Prometheus endpoint, GET /metrics (README, "Operating it"), on HOST;
     * unset: none. Apart from PORT so that the one origin never serves it.
     */
    METRICS_PORT: optionalIntegerVariable(1, 65_535),
    ...tracingVariables,
  };
}

/** What bootstrapService takes from a config of httpVariables. */
export interface HttpConfig extends TracingConfig {
  readonly HOST: string;
  readonly PORT: number;
  readonly LOG_LEVEL: ServiceLogLevel;
  readonly LOG_FORMAT: 'json' | 'text';
  readonly METRICS_PORT: number | undefined;
}

export const natsVariables = {
  NATS_URL: natsUrlVariable,
  /** Prefix of every stream, subject and consumer (see Topology in @vle/contracts); '' in production. */
  NATS_NAMESPACE: parsed(
    '',
    (raw) => (/^[A-Za-z0-9_-]*$/.test(raw) ? raw : undefined),
    "may contain only letters, digits, '_' and '-'",
  ),
  NATS_REPLICAS: integerVariable(1, 1, 5),
  /** ack_wait of the job consumers: how soon the job of a crashed worker goes to another. */
  NATS_JOB_ACK_WAIT_MS: integerVariable(30_000, 1_000, 3_600_000),
  /**
   * Whether this service creates and updates the streams and consumers at boot (default true). With
   * restricted NATS users only task-api's may; the others set false and wait until they exist.
   */
  NATS_PROVISION: booleanVariable(true),
  /** The service's NATS user (README "NATS users"); with NATS_PASSWORD or NATS_PASSWORD_FILE. */
  NATS_USER: parsed<string | undefined>(undefined, (raw) => (/^[A-Za-z0-9_-]+$/.test(raw) ? raw : undefined), "may contain only letters, digits, '_' and '-'"),
  /** Never logged. */
  NATS_PASSWORD: parsed<string | undefined>(undefined, (raw) => (raw !== '' ? raw : undefined), 'must not be empty'),
  /** A file holding the password (a mounted Secret); its trailing newline is ignored. */
  NATS_PASSWORD_FILE: filePathVariable,
  /**
   * Where this connection's replies arrive: `<prefix>.<random>`. Default `_INBOX_<NATS_USER>` (or
   * `_INBOX` without a user), so that the server lets each user read its own replies only.
   */
  NATS_INBOX_PREFIX: parsed<string | undefined>(undefined, (raw) => (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(raw) ? raw : undefined), "must be dot-separated tokens of letters, digits, '_' and '-' (no wildcards)"),
  /** TLS: the CA (PEM) that signed the server's certificate; setting any NATS_TLS_* requires TLS. */
  NATS_TLS_CA_FILE: filePathVariable,
  /** TLS client certificate (PEM), for a server that verifies clients; with NATS_TLS_KEY_FILE. */
  NATS_TLS_CERT_FILE: filePathVariable,
  NATS_TLS_KEY_FILE: filePathVariable,
};

export const databaseVariables = {
  DATABASE_URL: databaseUrlVariable,
};

export const workerVariables = {
  WORKER_MAX_RETRY: integerVariable(DEFAULT_WORKER_MAX_RETRY, 0, 100),
  /** Multiplies every retry interval of DESIGN §6: 1 in production, e.g. 0.01 in tests. */
  WORKER_RETRY_INTERVAL_SCALE: parsed(
    1,
    (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 100 ? n : undefined;
    },
    'must be a number greater than 0 and at most 100',
  ),
};

/**
 * The `bench` queue (pipeline no-ops for benchmarks and tests): task-api accepts its SubTasks and
 * integration-worker runs them only where this is `true`.
 */
export const benchQueueVariables = {
  TASK_API_BENCH_QUEUE: booleanVariable(false),
};

/**
 * The Proxmox VE API the vm workers use. The defaults reach the sandbox's simulator with its
 * development token (services/sandbox), so that `npm start` works on a laptop; a real cluster sets
 * all of them, and production refuses the development secret (development-credentials.ts).
 * PVE_TOKEN_SECRET is never logged (redact.ts masks it in any text).
 */
export const proxmoxVariables = {
  /** Base URL without /api2/json: https://pve1.example.org:8006, or the sandbox's http://127.0.0.1:3009/pve. */
  PVE_URL: parsed('http://127.0.0.1:3009/pve', (raw) => (isUrlWithProtocol(raw, ['http:', 'https:']) ? raw.replace(/\/+$/, '') : undefined), 'must be an http:// or https:// URL'),
  /** USER@REALM!TOKENID of an API token (Datacenter > Permissions > API Tokens). */
  PVE_TOKEN_ID: parsed(DEV_PVE_TOKEN_ID, (raw) => (/^[^\s@!=]+@[^\s@!=]+![A-Za-z][A-Za-z0-9._-]*$/.test(raw) ? raw : undefined), 'must look like user@realm!tokenid'),
  PVE_TOKEN_SECRET: developmentCredential(
    parsed(DEV_PVE_TOKEN_SECRET, (raw) => (/^\S+$/.test(raw) ? raw : undefined), 'must be the token secret (no spaces)'),
    'secret of the Proxmox API token',
    DEV_PVE_TOKEN_SECRET,
  ),
  /** A PEM file of the CA that signed the cluster's certificate. */
  PVE_CA_FILE: parsed<string | undefined>(undefined, (raw) => (raw.trim() ? raw.trim() : undefined), 'must be a file path'),
  /** SHA-256 fingerprint of the cluster's (self-signed) certificate, pinned instead of a CA: AA:BB:... */
  PVE_FINGERPRINT: parsed<string | undefined>(undefined, (raw) => (/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(raw.trim()) ? raw.trim().toUpperCase() : undefined), 'must be a SHA-256 fingerprint such as AB:CD:... (32 bytes)'),
  /** Upper bound of one HTTP request to Proxmox. */
  PVE_TIMEOUT_MS: integerVariable(30_000, 100, 600_000),
  /** How often a running Proxmox task (UPID) is polled. */
  PVE_TASK_POLL_MS: integerVariable(1_000, 10, 60_000),
};

export type ProxmoxConfig = z.output<z.ZodObject<typeof proxmoxVariables>>;

/** The config every service has (httpVariables). */
export interface HttpConfig {
  readonly HOST: string;
  readonly PORT: number;
  readonly LOG_LEVEL: ServiceLogLevel;
  readonly LOG_FORMAT: 'json' | 'text';
}

export interface NatsConfig {
  readonly NATS_URL: string;
  readonly NATS_NAMESPACE: string;
  readonly NATS_REPLICAS: number;
  readonly NATS_JOB_ACK_WAIT_MS: number;
  readonly NATS_PROVISION: boolean;
  readonly NATS_USER?: string | undefined;
  readonly NATS_PASSWORD?: string | undefined;
  readonly NATS_PASSWORD_FILE?: string | undefined;
  readonly NATS_INBOX_PREFIX?: string | undefined;
  readonly NATS_TLS_CA_FILE?: string | undefined;
  readonly NATS_TLS_CERT_FILE?: string | undefined;
  readonly NATS_TLS_KEY_FILE?: string | undefined;
}

export interface DatabaseConfig {
  readonly DATABASE_URL: string;
}
