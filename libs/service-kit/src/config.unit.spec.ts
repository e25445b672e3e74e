import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { DEV_PVE_TOKEN_ID, DEV_PVE_TOKEN_SECRET } from './development-credentials.js';
import { databaseVariables, httpVariables, natsVariables, proxmoxVariables, workerVariables } from './variables.js';

const schema = z.object({ ...httpVariables('scheduler'), ...natsVariables, ...databaseVariables, ...workerVariables });

function errorOf(load: () => unknown): unknown {
  try {
    load();
  } catch (error) {
    return error;
  }
  return undefined;
}

function problemOf(env: Record<string, string>): string {
  const error = errorOf(() => loadConfig(schema, env));
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('loadConfig', () => {
  it('applies the defaults of DESIGN §12 to an empty environment', () => {
    expect(loadConfig(schema, {})).toEqual({
      HOST: '127.0.0.1',
      PORT: 3003,
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'json',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_NAMESPACE: '',
      NATS_REPLICAS: 1,
      NATS_JOB_ACK_WAIT_MS: 30_000,
      NATS_PROVISION: true,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vle_tasks',
      WORKER_MAX_RETRY: 5,
      WORKER_RETRY_INTERVAL_SCALE: 1,
      // No endpoint: no tracing (tracing.ts).
      OTEL_SDK_DISABLED: false,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    });
  });

  it('parses values from the environment', () => {
    const config = loadConfig(schema, {
      PORT: '4000',
      NATS_URL: 'nats://a:4222,nats://b:4222',
      NATS_NAMESPACE: 'run_1',
      NATS_REPLICAS: '3',
      LOG_LEVEL: 'info',
      WORKER_MAX_RETRY: '0',
    });
    expect(config).toMatchObject({ PORT: 4000, NATS_URL: 'nats://a:4222,nats://b:4222', NATS_NAMESPACE: 'run_1', NATS_REPLICAS: 3, LOG_LEVEL: 'log', WORKER_MAX_RETRY: 0 });
  });

  it('names the bad variable and what it must be', () => {
    expect(problemOf({ NATS_URL: 'http://127.0.0.1:4222' })).toBe('Invalid configuration: NATS_URL: must be a nats:// URL (or a comma-separated list of them)');
    expect(problemOf({ PORT: '70000' })).toBe('Invalid configuration: PORT: must be an integer from 1 to 65535');
    expect(problemOf({ DATABASE_URL: 'postgres://127.0.0.1:5432' })).toContain('DATABASE_URL: must be a postgres:// URL with a database name');
    expect(problemOf({ NATS_NAMESPACE: 'a.b' })).toContain('NATS_NAMESPACE:');
    expect(problemOf({ LOG_LEVEL: 'loud' })).toContain('LOG_LEVEL: must be one of fatal, error, warn, log, debug, verbose');
  });

  it('lists every bad variable at once', () => {
    const error = errorOf(() => loadConfig(schema, { PORT: 'x', WORKER_MAX_RETRY: '-1' })) as ConfigError;
    expect(error.problems.map((p) => p.variable)).toEqual(['PORT', 'WORKER_MAX_RETRY']);
  });

  it('says a required variable without a default is missing', () => {
    const required = z.object({ SMTP_HOST: z.string().min(1) });
    expect(() => loadConfig(required, {})).toThrow('Invalid configuration: SMTP_HOST: is required');
  });

  it('never echoes the rejected value (it may be a secret)', () => {
    expect(problemOf({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toContain('hunter2');
  });
});

describe('proxmoxVariables', () => {
  const proxmox = z.object(proxmoxVariables);

  it('defaults to the sandbox simulator and its development token', () => {
    expect(loadConfig(proxmox, {})).toEqual({
      PVE_URL: 'http://127.0.0.1:3009/pve',
      PVE_TOKEN_ID: DEV_PVE_TOKEN_ID,
      PVE_TOKEN_SECRET: DEV_PVE_TOKEN_SECRET,
      PVE_CA_FILE: undefined,
      PVE_FINGERPRINT: undefined,
      PVE_TIMEOUT_MS: 30_000,
      PVE_TASK_POLL_MS: 1_000,
    });
  });

  it('reads a real cluster, normalising the URL and the fingerprint', () => {
    const fingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(':');
    const config = loadConfig(proxmox, { PVE_URL: 'https://pve1.example.org:8006/', PVE_TOKEN_ID: 'orch@pve!worker', PVE_FINGERPRINT: fingerprint });
    expect(config).toMatchObject({ PVE_URL: 'https://pve1.example.org:8006', PVE_TOKEN_ID: 'orch@pve!worker', PVE_FINGERPRINT: fingerprint.toUpperCase() });
  });

  it.each([
    [{ PVE_URL: 'ftp://pve1' }, 'PVE_URL'],
    [{ PVE_TOKEN_ID: 'orch@pve' }, 'PVE_TOKEN_ID'],
    [{ PVE_FINGERPRINT: 'AB:CD' }, 'PVE_FINGERPRINT'],
    [{ PVE_TASK_POLL_MS: '0' }, 'PVE_TASK_POLL_MS'],
  ])('refuses %j, naming the variable and not its value', (env, name) => {
    const error = errorOf(() => loadConfig(proxmox, env as Record<string, string>));
    expect((error as ConfigError).message).toContain(name);
  });
});
