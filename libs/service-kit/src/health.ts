// Liveness says "the process is up"; readiness says "this replica can do its work now": every
// registered check (NATS, PostgreSQL where used) passes and the app is not shutting down.

import { Controller, Get, Injectable, ServiceUnavailableException, type BeforeApplicationShutdown } from '@nestjs/common';
import { PublicRoute } from './auth.js';
import { redactSecrets } from './redact.js';

/** Resolves when the dependency is usable; throws (with a reason) when it is not. */
export type HealthCheck = () => Promise<unknown> | unknown;

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: 'ok' | 'error';
  readonly checks: Record<string, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  register(name: string, check: HealthCheck): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  /** Stop taking traffic before connections close (load balancers see 503). */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
        try {
          await withTimeout(Promise.resolve().then(check), CHECK_TIMEOUT_MS);
          return [name, { status: 'up' }];
        } catch (error) {
          return [name, { status: 'down', error: redactSecrets(error instanceof Error ? error.message : String(error)) }];
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    if (this.shuttingDown) checks.shutdown = { status: 'down', error: 'shutting down' };
    const ok = Object.values(checks).every((c) => c.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }
}

@Controller('health')
@PublicRoute()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<ReadinessReport> {
    const report = await this.registry.readiness();
    // 503 with the report as body: which check failed and why.
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
