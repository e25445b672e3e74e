import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TokenVerifier } from '@vle/auth';
import { Topology } from '@vle/contracts';
import type { ExhaustedDeliveries } from '@vle/messaging';
import { NATS_CONNECTION, natsOptionsOf, ServiceKitModule, tokenVerifierOptionsOf, TopologyGate, type TopologyWait } from '@vle/service-kit';
import { provisionAll, TASK_COMMANDS, taskRuntimeProviders, type TaskCommandHandler } from '@vle/task-runtime';
import type { TaskApiConfig } from './config.js';
import { ErrorReplyFilter } from './http/error-reply.filter.js';
import { TasksController } from './http/tasks.controller.js';
import { CommandIntake } from './nats/command-intake.js';
import { consumerExhaustion } from './nats/consumer-exhaustion.js';
import { beforeAckFaultOf } from './nats/fault-points.js';
import { CommandBudget } from './tasks/command-budget.js';
import { TaskCommandService } from './tasks/task-command.service.js';

const CONFIG = Symbol('TaskApiConfig');

/** Wires the write side: store, command handler, HTTP and NATS intake. */
@Injectable()
class TaskApiRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TaskApi');
  private intake?: CommandIntake;
  private exhaustion: ExhaustedDeliveries[] = [];
  private wait?: TopologyWait;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: TaskApiConfig,
    private readonly topology: Topology,
    private readonly service: TaskCommandService,
    private readonly budget: CommandBudget,
    private readonly verifier: TokenVerifier,
    private readonly gate: TopologyGate,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { topology } = this;
    // task-api's NATS user is the one that may create and update streams (README, "NATS users").
    this.wait = await this.gate.open({
      name: 'task-api',
      needs: { streams: topology.streams, consumers: [{ stream: topology.commandStream.name, consumer: topology.commandConsumer }] },
      provision: () => provisionAll(this.nc, topology, this.config.WORKER_MAX_RETRY),
      start: () => this.start(),
    });
  }

  private async start(): Promise<void> {
    const js = jetstream(this.nc);
    this.exhaustion = consumerExhaustion(this.nc, js, await jetstreamManager(this.nc), this.topology, this.logger);
    for (const listener of this.exhaustion) listener.start();
    this.intake = new CommandIntake({ nc: this.nc, js, topology: this.topology, service: this.service, verifier: this.verifier, budget: this.budget, logger: this.logger, beforeAck: beforeAckFaultOf(this.config) });
    this.intake.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.wait?.close();
    await this.intake?.stop();
    await Promise.all(this.exhaustion.map((listener) => listener.stop()));
  }
}

@Module({})
export class TaskApiModule {
  static forRoot(config: TaskApiConfig): DynamicModule {
    return {
      module: TaskApiModule,
      imports: [ServiceKitModule.forRoot({ service: 'task-api', config, nats: natsOptionsOf(config), auth: tokenVerifierOptionsOf(config) })],
      controllers: [TasksController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorReplyFilter },
        ...taskRuntimeProviders({ inlineDispatch: config.TASK_API_FAULT !== 'no-inline-dispatch' }),
        {
          provide: TaskCommandService,
          inject: [TASK_COMMANDS],
          useFactory: (commands: TaskCommandHandler) => new TaskCommandService(commands, () => new Date(), config.RETRY_WINDOW_HOURS * 3_600_000, { benchQueue: config.TASK_API_BENCH_QUEUE }),
        },
        { provide: CommandBudget, useValue: new CommandBudget({ maxCommands: config.TASK_API_MAX_COMMANDS_IN_FLIGHT, maxBytes: config.TASK_API_MAX_BYTES_IN_FLIGHT }) },
        TaskApiRuntime,
      ],
    };
  }
}
