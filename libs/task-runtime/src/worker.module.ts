// The composition root of a worker service: consumes the service's queues (DESIGN §2) with the job
// runtime of @vle/messaging and the handlers the service registers by queue and action.

import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { queuePolicies, queuesOf, Topology, type QueueName, type QueuePolicy, type WorkerService } from '@vle/contracts';
import { jobExhaustion, JobRuntime, type ExhaustedDeliveries, type QueueHandlers } from '@vle/messaging';
import { NATS_CONNECTION, TopologyGate, type TopologyWait } from '@vle/service-kit';
import { provisionAll, TASK_COMMANDS, taskRuntimeProviders, type TaskCommandHandler } from './task-runtime.js';

export interface WorkerModuleOptions {
  readonly service: WorkerService;
  readonly workerMaxRetry: number;
  /** Scales every retry interval (1 in production; tests use a small value). */
  readonly retryIntervalScale: number;
  /**
   * Handlers by queue and action, or a factory of them over the worker's NATS connection (a handler
   * that publishes, e.g. the Proxmox inventory). A job whose action has none fails at once (UNKNOWN_ACTION).
   */
  readonly handlers: WorkerHandlers | ((context: WorkerContext) => WorkerHandlers);
}

export type WorkerHandlers = Partial<Record<QueueName, QueueHandlers>>;

/** What a handler factory may use: the worker's NATS connection and the topology its namespace names. */
export interface WorkerContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly topology: Topology;
}

const OPTIONS = Symbol('WorkerModuleOptions');

@Injectable()
class WorkerRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private runtime?: JobRuntime;
  private exhaustion: ExhaustedDeliveries[] = [];
  private wait?: TopologyWait;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(OPTIONS) private readonly options: WorkerModuleOptions,
    @Inject(TASK_COMMANDS) private readonly commands: TaskCommandHandler,
    private readonly topology: Topology,
    private readonly gate: TopologyGate,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { service, workerMaxRetry, retryIntervalScale } = this.options;
    const { topology } = this;
    const policies = queuePolicies(workerMaxRetry, retryIntervalScale);
    const own = queuesOf(service).map((queue) => policies[queue]);
    this.wait = await this.gate.open({
      name: service,
      needs: { streams: topology.streams, consumers: own.map((policy) => ({ stream: topology.jobStream.name, consumer: topology.jobConsumer(policy) })) },
      provision: () => provisionAll(this.nc, topology, workerMaxRetry),
      start: () => this.start(own),
    });
  }

  private async start(own: readonly QueuePolicy[]): Promise<void> {
    const js = jetstream(this.nc);
    const handlers = typeof this.options.handlers === 'function' ? this.options.handlers({ nc: this.nc, js, topology: this.topology }) : this.options.handlers;
    const queues = own.map((policy) => ({ policy, handlers: handlers[policy.queue] ?? {} }));
    this.runtime = new JobRuntime({ js, topology: this.topology, commands: this.commands, logger: this.logger, queues });
    this.runtime.start();
    // A job whose deliveries ran out ends its SubTask WORKER_LOST instead of leaving it running.
    const jsm = await jetstreamManager(this.nc);
    this.exhaustion = queues.map(({ policy }) => jobExhaustion({ nc: this.nc, js, jsm, topology: this.topology, policy, commands: this.commands, logger: this.logger }));
    for (const listener of this.exhaustion) listener.start();
    if (!this.gate.provision) await this.warnOfOtherRetries(jsm, own);
    this.logger.log(`consuming ${queues.map((q) => `${q.policy.queue} (${Object.keys(q.handlers).join(', ') || 'no actions yet'})`).join('; ')}`);
  }

  /**
   * The consumers were made by task-api, with its WORKER_MAX_RETRY: a worker with another one would
   * give up on a job at a different attempt than its consumer's max_deliver says.
   */
  private async warnOfOtherRetries(jsm: JetStreamManager, own: readonly QueuePolicy[]): Promise<void> {
    for (const policy of own) {
      const declared = this.topology.jobConsumer(policy);
      const live = (await jsm.consumers.info(this.topology.jobStream.name, declared.durable_name!)).config;
      if (live.max_deliver !== declared.max_deliver) {
        this.logger.warn(`consumer ${declared.durable_name} has max_deliver ${live.max_deliver}, this worker expects ${declared.max_deliver}: give task-api and the workers the same WORKER_MAX_RETRY`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.wait?.close();
    await this.runtime?.stop();
    await Promise.all(this.exhaustion.map((listener) => listener.stop()));
  }
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      providers: [{ provide: OPTIONS, useValue: options }, ...taskRuntimeProviders({ publishQueues: queuesOf(options.service) }), WorkerRuntime],
    };
  }
}
