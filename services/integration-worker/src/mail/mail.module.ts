// integration-worker's mail: the SMTP client and the mail log (PostgreSQL, schema `mail`), made once
// at boot. The log is migrated before the worker consumes (onModuleInit runs before any module's
// onApplicationBootstrap), and PostgreSQL joins the readiness checks.

import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MailClient } from '@vle/integrations';
import { HealthRegistry } from '@vle/service-kit';
import type { DataSource } from 'typeorm';
import type { MailJobDeps } from '../jobs/send-mail.handler.js';
import { createMailLogDataSource, openMailLog } from './db/mail-log.data-source.js';
import type { MailConfig } from './mail.config.js';
import { MailLog } from './mail-log.js';

export interface MailRuntime {
  readonly deps: MailJobDeps;
  readonly dataSource: DataSource;
  readonly databaseUrl: string;
}

export function createMailRuntime(config: MailConfig, now: () => Date = () => new Date()): MailRuntime {
  const dataSource = createMailLogDataSource(config.DATABASE_URL);
  const client = new MailClient({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    from: config.MAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
  });
  return { deps: { client, log: new MailLog(dataSource), now, maxAgeWeeks: config.MAIL_MAX_AGE_WEEKS }, dataSource, databaseUrl: config.DATABASE_URL };
}

const MAIL_RUNTIME = Symbol('MailRuntime');

@Injectable()
class MailLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(MAIL_RUNTIME) private readonly mail: MailRuntime,
    registry: HealthRegistry,
  ) {
    registry.register('postgres', () => mail.dataSource.query('SELECT 1'));
  }

  async onModuleInit(): Promise<void> {
    await openMailLog(this.mail.dataSource, this.mail.databaseUrl);
  }

  // After the worker stopped its consumers: no send is in flight.
  async onApplicationShutdown(): Promise<void> {
    this.mail.deps.client.close();
    if (this.mail.dataSource.isInitialized) await this.mail.dataSource.destroy();
  }
}

@Module({})
export class MailModule {
  static forRoot(mail: MailRuntime): DynamicModule {
    return { module: MailModule, providers: [{ provide: MAIL_RUNTIME, useValue: mail }, MailLifecycle] };
  }
}
