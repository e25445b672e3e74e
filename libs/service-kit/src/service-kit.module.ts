// What every service imports once: its name and config, the health endpoints, the guard of every
// HTTP route (auth.ts: denying whatever route declares no permission), and (where it uses them) the
// token verifier, the credentials of its own NATS commands, the process's NATS connection with the Topology, and a PostgreSQL readiness check.
// Global, so that feature modules inject these without importing the kit again.

import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { TokenVerifier, type ServiceCredentials, type TokenVerifierOptions } from '@vle/auth';
import { Topology } from '@vle/contracts';
import { AuthGuard } from './auth.js';
import { createPostgresCheck, type PostgresCheck } from './database.js';
import { HealthController, HealthRegistry } from './health.js';
import { natsClientOptionsOf, type NatsClientOptions } from './nats-client-options.js';
import { acquireNatsConnection, releaseNatsConnection } from './nats-connection.js';
import { TopologyGate } from './topology-gate.js';
import type { NatsConfig } from './variables.js';

/** Injection token of the process's NatsConnection: `@Inject(NATS_CONNECTION) nc: NatsConnection`. */
export const NATS_CONNECTION = Symbol.for('vle.service-kit.NatsConnection');
/** Injection token of the service's validated config object. */
export const SERVICE_CONFIG = Symbol.for('vle.service-kit.ServiceConfig');
/** Injection token of the ServiceCredentials the service signs its NATS commands with (serviceCredentialsOf). */
export const SERVICE_CREDENTIALS = Symbol.for('vle.service-kit.ServiceCredentials');
const NATS_OPTIONS = Symbol.for('vle.service-kit.NatsOptions');
const POSTGRES_CHECK = Symbol.for('vle.service-kit.PostgresCheck');

export const InjectNats = (): ParameterDecorator => Inject(NATS_CONNECTION);
export const InjectConfig = (): ParameterDecorator => Inject(SERVICE_CONFIG);

/** The running service's identity (inject by type). */
export class ServiceInfo {
  constructor(readonly name: string) {}
}

export interface NatsModuleOptions {
  readonly url: string;
  /** Topology namespace (NATS_NAMESPACE); '' in production. */
  readonly namespace: string;
  /** Stream replicas (NATS_REPLICAS). */
  readonly replicas: number;
  /** ack_wait of the job consumers (NATS_JOB_ACK_WAIT_MS). */
  readonly jobAckWaitMs?: number;
  /** User, password, inbox prefix, TLS (natsClientOptionsOf). */
  readonly client?: NatsClientOptions;
  /** Whether the service creates the streams and consumers (NATS_PROVISION; default true). */
  readonly provision?: boolean;
}

export interface ServiceKitOptions<C extends object = object> {
  readonly service: string;
  /** The validated config (loadConfig); provided as SERVICE_CONFIG. */
  readonly config: C;
  /** Connect to NATS, provide NATS_CONNECTION and Topology, check NATS in readiness. */
  readonly nats?: NatsModuleOptions;
  /**
   * Check PostgreSQL in readiness over one pooled connection. Services with a TypeORM DataSource
   * may instead register their own check on HealthRegistry (`registry.register('postgres', ...)`).
   */
  readonly postgres?: { readonly url: string };
  /** Verify bearer tokens (tokenVerifierOptionsOf): the routes that need a permission are served. */
  readonly auth?: TokenVerifierOptions;
  /** Who the service is when it sends commands over NATS (serviceCredentialsOf): provided as SERVICE_CREDENTIALS. */
  readonly credentials?: ServiceCredentials;
}

@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(NATS_OPTIONS) private readonly options: NatsModuleOptions,
    registry: HealthRegistry,
  ) {
    registry.register('nats', async () => {
      if (nc.isClosed()) throw new Error('connection closed');
      await nc.rtt();
    });
  }

  // After every module stopped its consumers (onModuleDestroy): nothing publishes any more.
  async onApplicationShutdown(): Promise<void> {
    await releaseNatsConnection(this.options.url, this.options.client);
  }
}

@Injectable()
class PostgresLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(POSTGRES_CHECK) private readonly postgres: PostgresCheck,
    registry: HealthRegistry,
  ) {
    registry.register('postgres', postgres.check);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.postgres.close();
  }
}

function natsProviders(service: string, options: NatsModuleOptions): Provider[] {
  return [
    { provide: NATS_OPTIONS, useValue: options },
    {
      provide: NATS_CONNECTION,
      useFactory: () => acquireNatsConnection(options.url, `vle-tasks/${service}`, new Logger('Nats'), options.client),
    },
    { provide: Topology, useValue: new Topology({ namespace: options.namespace, replicas: options.replicas, jobAckWaitMs: options.jobAckWaitMs }) },
    {
      provide: TopologyGate,
      inject: [NATS_CONNECTION, HealthRegistry],
      useFactory: (nc: NatsConnection, registry: HealthRegistry) => new TopologyGate(nc, registry, options.provision ?? true),
    },
    NatsLifecycle,
  ];
}

@Module({})
export class ServiceKitModule {
  static forRoot<C extends object>(options: ServiceKitOptions<C>): DynamicModule {
    const providers: Provider[] = [
      { provide: ServiceInfo, useValue: new ServiceInfo(options.service) },
      { provide: SERVICE_CONFIG, useValue: options.config },
      HealthRegistry,
      { provide: APP_GUARD, useClass: AuthGuard },
    ];
    if (options.auth) providers.push({ provide: TokenVerifier, useValue: new TokenVerifier(options.auth) });
    if (options.credentials) providers.push({ provide: SERVICE_CREDENTIALS, useValue: options.credentials });
    if (options.nats) providers.push(...natsProviders(options.service, options.nats));
    if (options.postgres) {
      const url = options.postgres.url;
      providers.push({ provide: POSTGRES_CHECK, useFactory: () => createPostgresCheck(url) }, PostgresLifecycle);
    }
    const exported = providers.filter((p) => p !== NatsLifecycle && p !== PostgresLifecycle && !(typeof p === 'object' && p.provide === APP_GUARD));
    return {
      module: ServiceKitModule,
      global: true,
      controllers: [HealthController],
      providers,
      exports: exported.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}

/** The NATS options of a config that includes natsVariables; throws a ConfigError for an unreadable file. */
export function natsOptionsOf(config: NatsConfig): NatsModuleOptions {
  return {
    url: config.NATS_URL,
    namespace: config.NATS_NAMESPACE,
    replicas: config.NATS_REPLICAS,
    jobAckWaitMs: config.NATS_JOB_ACK_WAIT_MS,
    client: natsClientOptionsOf(config),
    provision: config.NATS_PROVISION,
  };
}
