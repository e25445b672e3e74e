// Boots one Nest app per service and stops every app of the process on SIGTERM/SIGINT.
//
// Shutdown is coordinated here rather than by `app.enableShutdownHooks()`: under SERVICE_ROLE=all one
// process holds several apps, and Nest's per-app hook re-raises the signal after closing its own
// app, killing the others mid-close. `app.close()` runs the same hooks (onModuleDestroy,
// beforeApplicationShutdown, onApplicationShutdown), so NATS and pools are still closed on shutdown.

import 'reflect-metadata';
import { Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, describeConfigProblems, type Environment } from './config.js';
import { ServiceLogger } from './logger.js';
import { redactSecrets } from './redact.js';
import { httpServerSpans } from '@vle/tracing';
import { acquireMetricsServer, releaseMetricsServer } from './metrics-server.js';
import { acquireTracing, releaseTracing, shutdownTracing, tracingSetupOf, type TracingConfig } from './tracing.js';
import type { HttpConfig, ServiceLogLevel } from './variables.js';

export interface BootstrapServiceOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The process's logger (SERVICE_ROLE=all shares one); otherwise one is made from level/format. */
  readonly logger?: LoggerService;
  readonly logLevel?: ServiceLogLevel;
  readonly logFormat?: 'json' | 'text';
  /** false: the service reads request bodies itself (task-api parses them against the contract). */
  readonly bodyParser?: boolean;
  /** The port of the process's GET /metrics (METRICS_PORT), on `host`; none when undefined. */
  readonly metricsPort?: number;
  /** The OTEL_* variables (tracing.ts); no tracing when undefined. */
  readonly tracing?: TracingConfig;
}

/** The options of bootstrapService a config of httpVariables gives. */
export function httpOptionsOf(config: HttpConfig): Pick<BootstrapServiceOptions, 'host' | 'port' | 'logLevel' | 'logFormat' | 'metricsPort' | 'tracing'> {
  return { host: config.HOST, port: config.PORT, logLevel: config.LOG_LEVEL, logFormat: config.LOG_FORMAT, metricsPort: config.METRICS_PORT, tracing: config };
}

export interface RunningService {
  readonly name: string;
  /** http://host:port */
  readonly url: string;
  readonly app: INestApplication;
  close(): Promise<void>;
}

/** What every service package exports as `bootstrap` from its src/index.ts (services/all calls it). */
export interface ServiceBootstrapOptions {
  /** Defaults to process.env. */
  readonly env?: Environment;
  readonly logger?: LoggerService;
}
export type ServiceBootstrap = (options?: ServiceBootstrapOptions) => Promise<RunningService>;

/** Upper bound of a graceful shutdown before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

const running = new Set<RunningService>();
let signalsInstalled = false;
let stopping: Promise<void> | undefined;

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function bootstrapService(module: unknown, options: BootstrapServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? new ServiceLogger({ service: options.name, level: options.logLevel, format: options.logFormat });
  // Before Nest boots: the spans of the modules' start (NATS provisioning) have a provider.
  const tracing = acquireTracing(options.tracing && tracingSetupOf(options.tracing, options.name));
  let app: INestApplication;
  try {
    app = await NestFactory.create(module as never, { logger, abortOnError: false, bodyParser: options.bodyParser ?? true });
  } catch (error) {
    await releaseTracing();
    throw error;
  }
  // Before the routes (registered when the app listens): every request, a refused one too, has its span.
  if (tracing) app.use(httpServerSpans());
  try {
    return await listen(app, options);
  } catch (error) {
    await releaseTracing();
    throw error;
  }
}

async function listen(app: INestApplication, options: BootstrapServiceOptions): Promise<RunningService> {
  const { metricsPort } = options;
  if (metricsPort !== undefined) {
    try {
      await acquireMetricsServer(options.host, metricsPort);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  try {
    await app.listen(options.port, options.host);
  } catch (error) {
    if (metricsPort !== undefined) await releaseMetricsServer(options.host, metricsPort);
    throw error;
  }
  const url = urlOf(options.host, options.port);
  const service: RunningService = {
    name: options.name,
    url,
    app,
    close: async () => {
      running.delete(service);
      try {
        await app.close();
      } finally {
        if (metricsPort !== undefined) await releaseMetricsServer(options.host, metricsPort);
        await releaseTracing();
      }
    },
  };
  running.add(service);
  installSignalHandlers();
  new Logger('Bootstrap').log(`${options.name} listening on ${url}`);
  if (metricsPort !== undefined) new Logger('Bootstrap').log(`${options.name} serves its metrics at ${urlOf(options.host, metricsPort)}/metrics`);
  return service;
}

/** Closes every app of this process (in parallel) and exits. Idempotent. */
export function shutdownAll(reason: string, exitCode = 0): Promise<void> {
  stopping ??= (async () => {
    const logger = new Logger('Shutdown');
    if (running.size > 0) logger.log(`${reason}: stopping ${[...running].map((s) => s.name).join(', ')}`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    const results = await Promise.allSettled([...running].map((s) => s.close()));
    for (const result of results) {
      if (result.status === 'rejected') logger.error(`shutdown error: ${String(result.reason)}`);
    }
    // The spans of the shutdown itself, and any still buffered, before the process ends.
    await shutdownTracing();
    process.exit(exitCode);
  })();
  return stopping;
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      // A second signal while stopping: the operator insists.
      if (stopping) process.exit(130);
      void shutdownAll(`received ${signal}`);
    });
  }
  // Started by a parent over IPC (scripts/start.js, libs/testing): never outlive it, even if it
  // was killed with SIGKILL and could not stop us itself.
  if (process.channel) {
    process.once('disconnect', () => void shutdownAll('parent process exited'));
  }
}

/** One JSON line on stderr for an error that stops the process before (or while) it boots. */
export function printFatal(service: string, error: unknown): void {
  const record: Record<string, unknown> = {
    level: 'fatal',
    pid: process.pid,
    timestamp: Date.now(),
    service,
    message: redactedMessageOf(error),
  };
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') record.code = code;
  // A coded error is an expected condition (bad config, NATS down): its message says it all.
  if (typeof code !== 'string' && error instanceof Error && error.stack) record.stack = redactSecrets(error.stack);
  process.stderr.write(`${JSON.stringify(record)}\n`);
}

function redactedMessageOf(error: unknown): string {
  // A ConfigError's variables are names, not secrets, and its messages never hold a value. Each
  // message is scrubbed on its own all the same: scrubbed whole, `LAB_CREDENTIALS_KEY: is required`
  // reads as a secret assignment and loses its first word.
  if (error instanceof ConfigError) return describeConfigProblems(error.problems.map((p) => ({ variable: p.variable, message: redactSecrets(p.message) })));
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

/** The body of every main.ts: run `start`, and on failure print why and exit 1. */
export function runMain(service: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    printFatal(service, error);
    process.exitCode = 1;
    // Close whatever did start (e.g. other services under SERVICE_ROLE=all), then exit 1.
    void shutdownAll(`${service} failed to start`, 1);
  });
}
